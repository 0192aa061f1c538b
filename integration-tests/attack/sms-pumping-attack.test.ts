import { afterEach, describe, expect, it } from "vitest";
import { judge } from "#test-support/attack/report";
import { COUNTRY_ATTACK, RANGE_ATTACK, runScenario } from "#test-support/attack/simulation";
import { type NpmStart, startNpmStart } from "#test-support/npm-start";

/**
 * The SMS-pumping attack of `npm run attack`, as a test: `npm start` with the default settings
 * (only the stage throttle raised, so the service's own defence is what is measured), real HTTP
 * from 1,200 loopback addresses, SMS counted from the dev server's capture. Each scenario starts
 * from an empty table. Bounded: 5,200 requests each, and a deadline.
 */

const RUN_ENV = { API_THROTTLE_RATE_LIMIT: "10000", API_THROTTLE_BURST_LIMIT: "5000" };
let server: NpmStart | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("an SMS pumping attack against npm start with default settings", () => {
  it("three ranges: at most 100 SMS reach attack numbers and every person verifies", async () => {
    server = await startNpmStart(RUN_ENV);
    const report = await runScenario(server.url, RANGE_ATTACK, { deadlineMs: 90_000 });
    const verdict = judge(report, { maxSmsToAttackers: 100 });
    expect(report.complete).toBe(true);
    expect(report.attackRequests).toBe(5000);
    expect(report.smsToAttackNumbers).toBeLessThanOrEqual(100);
    expect(report.people.filter((person) => person.outcome !== "verified")).toEqual([]);
    expect(report.people).toHaveLength(200);
    expect(verdict.met).toBe(true);
  }, 150_000);

  it("one whole country: SMS to attack numbers within the country's budget, nobody refused elsewhere", async () => {
    server = await startNpmStart(RUN_ENV);
    const report = await runScenario(server.url, COUNTRY_ATTACK, { deadlineMs: 90_000 });
    expect(report.complete).toBe(true);
    // GB's default hourly budget.
    expect(report.smsToAttackNumbers).toBeLessThanOrEqual(100);
    expect(
      report.people.filter((person) => person.country !== "GB" && person.outcome !== "verified"),
    ).toEqual([]);
    expect(judge(report, { maxSmsToAttackers: 100, excusedCountry: "GB" }).met).toBe(true);
  }, 150_000);
});
