import type { CapturedSms } from "#local-aws/resources";
import { ansi } from "../log.ts";

const WIDTH = 64;

/** Wraps text to lines of at most `width` characters, breaking at spaces where possible. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      let rest = word;
      while (rest.length > width) {
        if (line !== "") lines.push(line);
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
        line = "";
      }
      if (line === "") line = rest;
      else if (line.length + 1 + rest.length <= width) line = `${line} ${rest}`;
      else {
        lines.push(line);
        line = rest;
      }
    }
    lines.push(line);
  }
  return lines;
}

// Control characters (ANSI escapes included) in an SMS must not drive the terminal.
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "�");
}

/**
 * A captured SMS as a box that stands out in a scrolling terminal: recipient and time on the
 * top edge, the text wrapped inside, and the first run of 4-10 digits (the code) called out.
 */
export function formatSmsBox(sms: CapturedSms, color: boolean): string {
  const paint = (painter: (text: string) => string, text: string) => (color ? painter(text) : text);
  const edge = (text: string) => paint(ansi.cyan, text);
  const inner = WIDTH - 4;
  const title = ` SMS to ${printable(sms.phone) || "(no phone)"} at ${sms.timestamp.slice(11, 19)} UTC `;
  const top = edge(`╭─${title}${"─".repeat(Math.max(0, WIDTH - 3 - title.length))}╮`);
  const row = (text: string, shown: string = text) =>
    `${edge("│")} ${shown}${" ".repeat(Math.max(0, inner - text.length))} ${edge("│")}`;
  const rows = wrap(printable(sms.message), inner).map((line) => row(line));
  const code = /\b\d{4,10}\b/.exec(sms.message)?.[0];
  if (code) rows.push(row(""), row(`code: ${code}`, `code: ${paint(ansi.bold, code)}`));
  const bottom = edge(`╰${"─".repeat(WIDTH - 2)}╯`);
  return `\n${[top, ...rows, bottom].join("\n")}\n`;
}
