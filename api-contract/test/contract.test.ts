import ajvDraft04 from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import {
  API_THROTTLE,
  CORS_PREFLIGHT,
  defaultGatewayAnswers,
  gatewayResponses,
  requestSchemas,
  routes,
} from "../index.ts";

describe("the route table", () => {
  it("names each route once, with one request schema each", () => {
    const names = routes.map((route) => route.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(requestSchemas).sort()).toEqual([...names].sort());
  });

  it("lets the functions' IAM actions be read off it (no wildcards)", () => {
    for (const route of routes) {
      for (const action of route.tableActions) expect(action).toMatch(/^dynamodb:[A-Z][A-Za-z]+$/);
    }
  });
});

describe("the request schemas (draft-04, strict)", () => {
  const ajv = new ajvDraft04.default({ strict: true });

  it.each([
    ["generate", { phone: "+14155550123" }, true],
    ["generate", { phone: "+14155550123", message: "Your bank code" }, false],
    ["generate", { phone: 14155550123 }, false],
    ["generate", {}, false],
    ["generate", [], false],
    ["validate", { phone: "+14155550123", code: "123456" }, true],
    ["validate", { phone: "+14155550123", code: 123456 }, false],
    ["validate", { phone: "+14155550123", code: "123456", digits: 1 }, false],
    ["validate", { phone: "+14155550123" }, false],
  ] as const)("%s: %j is %s", (name, body, valid) => {
    expect(ajv.validate(requestSchemas[name], body)).toBe(valid);
  });
});

describe("gateway answers", () => {
  it("use API Gateway's status for each response type", () => {
    const all = { ...gatewayResponses, ...defaultGatewayAnswers };
    const byType = Object.fromEntries(Object.values(all).map((answer) => [answer.type, answer.statusCode]));
    expect(byType).toEqual({
      THROTTLED: 429,
      MISSING_AUTHENTICATION_TOKEN: 403,
      BAD_REQUEST_BODY: 400,
      REQUEST_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      DEFAULT_5XX: 502,
      INTEGRATION_TIMEOUT: 504,
    });
  });

  it("tell a throttled client when to come back", () => {
    expect(gatewayResponses.throttled.headers["retry-after"]).toBe("1");
  });
});

describe("REST API settings", () => {
  it("keep throttle defaults within API Gateway's account quota", () => {
    expect(API_THROTTLE.rateLimit.default).toBeLessThanOrEqual(API_THROTTLE.rateLimit.max);
    expect(API_THROTTLE.burstLimit.default).toBeLessThanOrEqual(API_THROTTLE.burstLimit.max);
    // A bucket smaller than one second of traffic would throttle a steady client at its own rate.
    expect(API_THROTTLE.burstLimit.default).toBeGreaterThanOrEqual(API_THROTTLE.rateLimit.default);
  });

  it("let only the one header the page sends through the preflight", () => {
    expect(CORS_PREFLIGHT.allowHeaders).toEqual(["Content-Type"]);
  });
});
