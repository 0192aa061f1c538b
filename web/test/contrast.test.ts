import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * WCAG 2.2 contrast of the colour pairs the page uses, read from the custom properties in
 * styles.css for both the light and the dark scheme: 4.5:1 for text (1.4.3), 3:1 for focus
 * indicators and input borders (1.4.11).
 */

const css = readFileSync(join(import.meta.dirname, "..", "src", "styles.css"), "utf8");

function palette(block: string): Record<string, string> {
  const colours: Record<string, string> = {};
  for (const match of block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) colours[name] = value;
  }
  return colours;
}

function luminance(hex: string): number {
  const channels = [1, 3, 5].map((start) => Number.parseInt(hex.slice(start, start + 2), 16) / 255);
  const [r = 0, g = 0, b = 0] = channels.map((c) =>
    c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  );
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const light = palette(/:root\s*\{([^}]*)\}/.exec(css)?.[1] ?? "");
const dark = palette(/prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{([^}]*)\}/.exec(css)?.[1] ?? "");

const TEXT_PAIRS: [string, string][] = [
  ["text", "card"],
  ["text", "bg"],
  ["muted", "card"],
  ["muted", "bg"],
  ["accent", "card"],
  ["accent-text", "accent"],
  ["accent-text", "accent-hover"],
  ["error", "card"],
  ["text", "error-bg"],
  ["success", "card"],
  ["text", "success-bg"],
];
const NON_TEXT_PAIRS: [string, string][] = [
  ["focus", "card"],
  ["focus", "bg"],
  ["border", "card"],
  ["error", "card"],
];

describe.each([
  ["light", light],
  ["dark", dark],
])("%s scheme", (_scheme, colours) => {
  it("defines every colour the checks need", () => {
    for (const [a, b] of [...TEXT_PAIRS, ...NON_TEXT_PAIRS]) {
      expect(colours[a], a).toMatch(/^#/);
      expect(colours[b], b).toMatch(/^#/);
    }
  });

  it.each(TEXT_PAIRS)("%s on %s has at least 4.5:1 contrast", (fg, bg) => {
    expect(contrast(colours[fg] ?? "#000000", colours[bg] ?? "#000000")).toBeGreaterThanOrEqual(4.5);
  });

  it.each(NON_TEXT_PAIRS)("%s against %s has at least 3:1 contrast", (fg, bg) => {
    expect(contrast(colours[fg] ?? "#000000", colours[bg] ?? "#000000")).toBeGreaterThanOrEqual(3);
  });
});
