export type CodeProblem = "empty" | "characters" | "length";

/**
 * Cleans a typed code: spaces and dashes ("123 456", "123-456") are dropped. The page does not
 * know the configured code length (the server never tells the client), only the contract's 4-10.
 */
export function normaliseCode(
  input: string,
): { ok: true; code: string } | { ok: false; problem: CodeProblem } {
  const code = input.replace(/[\s-]/g, "");
  if (code === "") return { ok: false, problem: "empty" };
  if (!/^\d+$/.test(code)) return { ok: false, problem: "characters" };
  if (code.length < 4 || code.length > 10) return { ok: false, problem: "length" };
  return { ok: true, code };
}

/**
 * The code inside pasted text: "123 456", "123-456", or a whole SMS such as
 * "123456 is your Demo verification code. It expires in 5 minutes." Undefined when none is found,
 * so the browser pastes normally.
 */
export function codeFromPastedText(text: string): string | undefined {
  const compact = text.trim().replace(/[\s-]/g, "");
  if (/^\d{4,10}$/.test(compact)) return compact;
  // No lookbehind: older Safari versions reject it at parse time.
  return /(?:^|\D)(\d{4,10})(?!\d)/.exec(text)?.[1];
}
