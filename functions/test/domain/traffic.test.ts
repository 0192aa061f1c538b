import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { breaksConversionRule } from "../../src/domain/fraud-rules.ts";
import { numberRange, sourceKey } from "../../src/domain/traffic.ts";

describe("sourceKey", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:DB8:0001:0002::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["2001:db8::ffff:1.2.3.4", "2001:db8:0:0::/64"],
    ["not-an-address", "not-an-address"],
  ])("keys %s as %s", (ip, key) => {
    expect(sourceKey(ip)).toBe(key);
  });

  it("gives every address of a /64 the same key, and different /64s different keys", () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    fc.assert(
      fc.property(
        fc.array(group, { minLength: 8, maxLength: 8 }),
        fc.array(group, { minLength: 4, maxLength: 4 }),
        (a, b) => {
          const other = [...a.slice(0, 4), ...b].join(":");
          expect(sourceKey(a.join(":"))).toBe(sourceKey(other));
        },
      ),
    );
    expect(sourceKey("2001:db8:1:2::1")).not.toBe(sourceKey("2001:db8:1:3::1"));
  });
});

describe("numberRange", () => {
  it("keeps the calling code and the first national digits", () => {
    expect(numberRange("+447400123456", "44", 6)).toBe("+44740012");
    expect(numberRange("+14155550123", "1", 6)).toBe("+1415555");
    expect(numberRange("+33612345678", "33", 12)).toBe("+33612345678");
  });
});

describe("breaksConversionRule", () => {
  const rule = { minSends: 20, minConversion: 0.2 };

  it("judges the sends before this one, from minSends on", () => {
    expect(breaksConversionRule({ sends: 20, verified: 0 }, rule)).toBe(false);
    expect(breaksConversionRule({ sends: 21, verified: 0 }, rule)).toBe(true);
    expect(breaksConversionRule({ sends: 21, verified: 4 }, rule)).toBe(false);
    expect(breaksConversionRule({ sends: 21, verified: 3 }, rule)).toBe(true);
    expect(breaksConversionRule({ sends: 1000, verified: 0 }, { minSends: 0, minConversion: 1 })).toBe(false);
  });

  it("never fires where at least minConversion of the sends were verified", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (sends, share) => {
          const before = sends;
          const verified = Math.ceil(before * Math.max(share, rule.minConversion));
          expect(breaksConversionRule({ sends: before + 1, verified }, rule)).toBe(false);
        },
      ),
    );
  });
});
