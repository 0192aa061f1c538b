import type { AttackReport } from "./simulation.ts";

/** The goals each scenario is held to (with the service's default settings). */
export interface AttackGoals {
  /** SMS that may reach attack numbers. */
  readonly maxSmsToAttackers: number;
  /** People whose refusal is acceptable: those in the attacked country, when the attack is on a country. */
  readonly excusedCountry?: string;
}

export interface Verdict {
  readonly smsMet: boolean;
  readonly refusedPeople: number;
  readonly refusedElsewhere: number;
  readonly met: boolean;
}

export function judge(report: AttackReport, goals: AttackGoals): Verdict {
  const refused = report.people.filter((person) => person.outcome !== "verified");
  const refusedElsewhere = refused.filter((person) => person.country !== goals.excusedCountry).length;
  const smsMet = report.smsToAttackNumbers <= goals.maxSmsToAttackers;
  return {
    smsMet,
    refusedPeople: refused.length,
    refusedElsewhere,
    met: smsMet && refusedElsewhere === 0 && report.complete,
  };
}

/** A Markdown table of the runs, as the README shows it. */
export function formatReports(runs: ReadonlyArray<{ report: AttackReport; goals: AttackGoals }>): string {
  const rows = runs.map(({ report, goals }) => {
    const verdict = judge(report, goals);
    const answers = Object.entries(report.attackAnswers)
      .sort((a, b) => b[1] - a[1])
      .map(([answer, count]) => `${count} × ${answer.replace(/^generate /, "")}`)
      .join("; ");
    const people = `${report.people.length - verdict.refusedPeople} of ${report.people.length} verified${
      goals.excusedCountry ? ` (refused outside ${goals.excusedCountry}: ${verdict.refusedElsewhere})` : ""
    }`;
    return [
      report.scenario,
      `${report.smsToAttackNumbers} (goal ≤ ${goals.maxSmsToAttackers})`,
      people,
      answers,
      `${(report.durationMs / 1000).toFixed(1)} s${report.complete ? "" : " (deadline hit)"}`,
      verdict.met ? "met" : "MISSED",
    ];
  });
  const header = [
    "attack",
    "SMS to attack numbers",
    "real people",
    "attack requests answered",
    "duration",
    "verdict",
  ];
  return [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}
