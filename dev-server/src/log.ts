/**
 * The dev server's terminal output: short human lines (not JSON; the functions' own Powertools
 * logs stay JSON, as in CloudWatch). Tests pass a recording log to assert on what a person sees.
 */
export interface DevLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Output printed as is: the SMS boxes and the functions' log lines. */
  print(text: string): void;
  /** Whether ANSI colours may be used. */
  readonly color: boolean;
}

const paint = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const ansi = {
  bold: paint(1),
  dim: paint(2),
  red: paint(31),
  green: paint(32),
  yellow: paint(33),
  cyan: paint(36),
};

/** Writes to stdout/stderr; colour when stdout is a terminal and NO_COLOR is unset. */
export function consoleLog(): DevLog {
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const style = (painter: (text: string) => string, text: string) => (color ? painter(text) : text);
  return {
    color,
    info: (message) => process.stdout.write(`${message}\n`),
    warn: (message) => process.stderr.write(`${style(ansi.yellow, "⚠")} ${message}\n`),
    error: (message) => process.stderr.write(`${style(ansi.red, `✖ ${message}`)}\n`),
    print: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  };
}

/** Prints nothing. */
export const silentLog: DevLog = {
  color: false,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  print: () => undefined,
};
