import { describe, expect, it } from "vitest";
import { chromiumCandidates, findChromium, isCi } from "../e2e/support/chromium.ts";

describe("finding Chromium for the browser tests", () => {
  it("prefers CHROMIUM_PATH, then the Debian package", () => {
    expect(chromiumCandidates({ CHROMIUM_PATH: "/opt/chrome/chrome" }).slice(0, 2)).toEqual([
      "/opt/chrome/chrome",
      "/usr/bin/chromium",
    ]);
    expect(chromiumCandidates({ CHROMIUM_PATH: "" })[0]).toBe("/usr/bin/chromium");
  });

  it("returns the first candidate that exists", () => {
    // Any existing file stands in for a browser here: findChromium only checks existence.
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
  });

  it.each([
    [undefined, false],
    ["", false],
    ["false", false],
    ["0", false],
    ["true", true],
    ["1", true],
    ["TRUE", true],
  ])("CI=%j means CI is %s", (value, expected) => {
    expect(isCi({ CI: value })).toBe(expected);
  });
});
