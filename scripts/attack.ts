/**
 * `npm run attack`: an SMS-pumping attack with real people in the middle of it, against `npm start`
 * over real HTTP, with the service's default settings, and a report of what it cost.
 *
 * - three ranges: 5,000 generates from 1,000 loopback addresses to 2,000 numbers in three ranges
 *   (GB, ES, US), nobody verifying; 200 people in five countries each generate and verify.
 *   Goal: at most 100 SMS reach attack numbers, no person refused.
 * - one whole country: the same attack on numbers all over GB. Goal: SMS to attack numbers within
 *   GB's hourly budget (100 by default), no person refused outside GB.
 *
 * The stage throttle is raised for the run (API_THROTTLE_RATE_LIMIT=10000): at its default (50
 * requests a second) API Gateway would refuse most of the attack before the service saw it, and
 * this measures the service's own defence. Each scenario runs on a fresh `npm start`.
 */

import { type AttackGoals, formatReports, judge } from "#test-support/attack/report";
import { COUNTRY_ATTACK, RANGE_ATTACK, runScenario, type Scenario } from "#test-support/attack/simulation";
import { startNpmStart } from "#test-support/npm-start";

const RUN_ENV = { API_THROTTLE_RATE_LIMIT: "10000", API_THROTTLE_BURST_LIMIT: "5000" };

const runs: Array<{ scenario: Scenario; goals: AttackGoals }> = [
  { scenario: RANGE_ATTACK, goals: { maxSmsToAttackers: 100 } },
  { scenario: COUNTRY_ATTACK, goals: { maxSmsToAttackers: 100, excusedCountry: "GB" } },
];

const results = [];
for (const { scenario, goals } of runs) {
  const server = await startNpmStart(RUN_ENV);
  try {
    console.error(`running "${scenario.name}" against npm start at ${server.url}…`);
    results.push({ report: await runScenario(server.url, scenario), goals });
  } finally {
    await server.stop();
  }
}
console.log(`\nSMS pumping simulation — default settings, Node ${process.version}\n`);
console.log(formatReports(results));
const missed = results.filter(({ report, goals }) => !judge(report, goals).met).length;
console.log(missed === 0 ? "\nall goals met" : `\n${missed} scenario(s) missed their goals`);
process.exitCode = missed === 0 ? 0 : 1;
