import { afterEach, describe, expect, it, vi } from "vitest";
import { EmfMetrics } from "../../src/adapters/emf-metrics.ts";
import { SITEVERIFY_URL, TurnstileChallenge } from "../../src/adapters/turnstile-challenge.ts";
import { ServiceUnavailableError } from "../../src/domain/errors.ts";

/** Cloudflare's siteverify, faked: these machines have no network. */
function fakeSiteverify(answer: () => Response | Promise<Response>) {
  const calls: { url: string; form: URLSearchParams; signal: boolean }[] = [];
  const fetch: typeof globalThis.fetch = async (url, init) => {
    calls.push({
      url: String(url),
      form: new URLSearchParams(String(init?.body)),
      signal: init?.signal instanceof AbortSignal,
    });
    return answer();
  };
  return { fetch, calls };
}

describe("TurnstileChallenge", () => {
  it("posts the secret, the token and the caller's IP to siteverify, with a timeout", async () => {
    const fake = fakeSiteverify(() => Response.json({ success: true, "error-codes": [] }));
    const challenge = new TurnstileChallenge({ secretKey: "0x4secret", fetch: fake.fetch });
    await expect(challenge.verify("token-1", "198.51.100.4")).resolves.toBe(true);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.url).toBe(SITEVERIFY_URL);
    expect(Object.fromEntries(fake.calls[0]?.form ?? [])).toEqual({
      secret: "0x4secret",
      response: "token-1",
      remoteip: "198.51.100.4",
    });
    expect(fake.calls[0]?.signal).toBe(true);
  });

  it("says no to tokens Cloudflare refuses, and to anything but success: true", async () => {
    for (const body of [
      { success: false, "error-codes": ["invalid-input-response"] },
      { success: "true" },
      {},
      [],
    ]) {
      const challenge = new TurnstileChallenge({
        secretKey: "s",
        fetch: fakeSiteverify(() => Response.json(body)).fetch,
      });
      await expect(challenge.verify("t", undefined)).resolves.toBe(false);
    }
  });

  it("never sends a token longer than Turnstile's 2048 characters", async () => {
    const fake = fakeSiteverify(() => Response.json({ success: true }));
    await expect(
      new TurnstileChallenge({ secretKey: "s", fetch: fake.fetch }).verify("x".repeat(2049), undefined),
    ).resolves.toBe(false);
    expect(fake.calls).toEqual([]);
  });

  it("turns an unreachable or failing Cloudflare into service_unavailable", async () => {
    for (const answer of [
      () => Promise.reject(new TypeError("fetch failed")),
      () => new Response("oops", { status: 500 }),
      () => new Response("<html>", { status: 200, headers: { "content-type": "text/html" } }),
    ]) {
      const challenge = new TurnstileChallenge({ secretKey: "s", fetch: fakeSiteverify(answer).fetch });
      await expect(challenge.verify("t", undefined)).rejects.toBeInstanceOf(ServiceUnavailableError);
    }
  });
});

describe("EmfMetrics", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  /** The EMF documents Powertools writes, parsed. */
  function captured(run: (metrics: EmfMetrics) => void): Record<string, unknown>[] {
    const lines: string[] = [];
    // Powertools writes to the global console (which the spy reads) only in its dev mode.
    vi.stubEnv("POWERTOOLS_DEV", "true");
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    const metrics = new EmfMetrics();
    run(metrics);
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it("counts a send in total and by country, in the SmsOtp namespace", () => {
    const documents = captured((metrics) => {
      metrics.codeSent("GB");
      metrics.flush();
    });
    const byCountry = documents.find((document) => document.country === "GB");
    const total = documents.find((document) => document.country === undefined);
    expect(byCountry).toMatchObject({ service: "sms-otp", CodesSent: 1 });
    expect(total).toMatchObject({ service: "sms-otp", CodesSent: 1 });
    expect(JSON.stringify(total)).toContain('"Namespace":"SmsOtp"');
  });

  it("counts refusals by reason and blocks by scope, and writes nothing when nothing was counted", () => {
    const documents = captured((metrics) => {
      metrics.sendRefused("suspected_fraud");
      metrics.scopeBlocked("range");
      metrics.flush();
    });
    expect(documents).toEqual([
      expect.objectContaining({ reason: "suspected_fraud", SendsRefused: 1 }),
      expect.objectContaining({ scope: "range", ScopesBlocked: 1 }),
    ]);
  });
});
