import { ServiceUnavailableError } from "../domain/errors.ts";
import type { BotChallenge } from "../domain/ports.ts";

/** Cloudflare's endpoint that tells whether a Turnstile token is genuine. */
export const SITEVERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";
/** Turnstile tokens are at most this long; anything longer is not one (and is not sent on). */
const MAX_TOKEN_LENGTH = 2048;
/** Well inside the function's 10 s, so a slow Cloudflare costs a 503, not a Lambda timeout. */
const TIMEOUT_MS = 3_000;

export interface TurnstileOptions {
  readonly secretKey: string;
  /** `fetch` itself in the function; tests pass a fake (these machines have no network). */
  readonly fetch?: typeof fetch;
  readonly url?: string;
}

/**
 * Cloudflare Turnstile's server-side check ("siteverify"): the page's widget hands the person a
 * token, `generate` sends it here with the secret key before anything is counted. Each token is
 * good for one check within five minutes.
 */
export class TurnstileChallenge implements BotChallenge {
  readonly #secretKey: string;
  readonly #fetch: typeof fetch;
  readonly #url: string;

  constructor(options: TurnstileOptions) {
    this.#secretKey = options.secretKey;
    this.#fetch = options.fetch ?? fetch;
    this.#url = options.url ?? SITEVERIFY_URL;
  }

  async verify(token: string, sourceIp: string | undefined): Promise<boolean> {
    if (token.length > MAX_TOKEN_LENGTH) return false;
    const form = new URLSearchParams({ secret: this.#secretKey, response: token });
    if (sourceIp) form.set("remoteip", sourceIp);
    let answer: unknown;
    try {
      const response = await this.#fetch(this.#url, {
        method: "POST",
        body: form,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`siteverify answered ${response.status}`);
      answer = await response.json();
    } catch (error) {
      throw new ServiceUnavailableError("The human check could not be verified. Try again shortly.", {
        cause: error,
      });
    }
    return (
      typeof answer === "object" && answer !== null && (answer as { success?: unknown }).success === true
    );
  }
}
