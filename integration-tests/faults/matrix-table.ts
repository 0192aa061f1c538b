import { CALL_SITES, type CallSite, FAULT_KINDS } from "./call-sites.ts";
import type { CellResult } from "./cell.ts";

/** How the matrix marks what a cell left behind (README.md, "Reliability"). */
export const LEGEND = [
  "`a / b`: the answer when the fault hits one SDK attempt / every attempt of that call",
  "`A`: ambiguous, the SMS went out but the client was told 502; that SMS's code is void and one retry sends a new one",
  "`C`: the phone kept the cooldown of a code that was never sent; the retry works once it is over (at most 30 s)",
  "`U`: the code was used up by the attempt whose answer was lost; the user asks for a new code after the cooldown",
  "`+n`: the call's counter counts n sends more than were made (never fewer)",
  "`v+n` / `v−n`: verifications counted n more / fewer (best effort)",
];

function marks(result: CellResult): string {
  const marked: string[] = [];
  if (result.smsDespiteFailure > 0) marked.push("A");
  // A used-up code waits out a cooldown too, before the new one: that is U, not C.
  if (result.spec.site.flow === "generate" && result.recovery.includes("resend_cooldown")) marked.push("C");
  if (result.spec.site.scenario === "right code" && result.recovery.includes("code_expired"))
    marked.push("U");
  const sends = Object.entries(result.drift).filter(([counter]) => !counter.endsWith("verified"));
  const extra = Math.max(0, ...sends.map(([, difference]) => difference));
  if (extra > 0) marked.push(`+${extra}`);
  const verified = Object.entries(result.drift).find(([counter]) => counter.endsWith("verified"))?.[1];
  if (verified !== undefined) marked.push(verified > 0 ? `v+${verified}` : `v−${-verified}`);
  return marked.length > 0 ? ` ${marked.join(" ")}` : "";
}

function cellText(results: readonly CellResult[]): string {
  const pick = (lasting: string) => results.find((result) => result.spec.lasting === lasting);
  const once = pick("once");
  const every = pick("every attempt");
  const text = (result: CellResult | undefined) =>
    result ? `${result.answer.status}${marks(result)}${result.problems.length > 0 ? " ✗" : ""}` : "?";
  return `${text(once)} / ${text(every)}`;
}

function rowName(site: CallSite): string {
  return `${site.flow}: ${site.label}`;
}

/** The matrix as Markdown: one row per call, one column per fault kind, and the slowest answer. */
export function matrixTable(results: readonly CellResult[]): string {
  const header = ["call", ...FAULT_KINDS, "slowest"];
  const rows = CALL_SITES.map((site) => {
    const ofSite = results.filter((result) => result.spec.site === site);
    const slowest = Math.max(...ofSite.map((result) => result.answer.ms));
    return [
      rowName(site),
      ...FAULT_KINDS.map((kind) => cellText(ofSite.filter((result) => result.spec.kind === kind))),
      `${(slowest / 1000).toFixed(1)} s`,
    ];
  });
  return [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}
