/**
 * The HTTP side of the contract (README.md, "API"), kept free of DOM code so it can be unit
 * tested: a response becomes a typed result, and every failure (HTTP error, non-JSON body, no
 * network) becomes a value instead of an exception.
 */

export type ApiResult =
  | { readonly kind: "ok"; readonly status: number; readonly body: Readonly<Record<string, unknown>> }
  | {
      readonly kind: "error";
      readonly status: number;
      /** The stable snake_case code, or `unexpected_response` when the body is not the contract's. */
      readonly code: string;
      readonly message: string;
      /** The whole error object: `attemptsRemaining`, `retryAfter`, `reason`, ... */
      readonly details: Readonly<Record<string, unknown>>;
      /** Seconds from the `Retry-After` header, when present and readable. */
      readonly retryAfterHeader: number | undefined;
    }
  | { readonly kind: "network" };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads a `Retry-After` header: delta-seconds or an HTTP date (RFC 9110 section 10.2.3).
 * Returns whole seconds from `nowMs`, or undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/** Turns a status, a raw body and the `Retry-After` header into an {@link ApiResult}. */
export function parseApiResponse(
  status: number,
  bodyText: string,
  retryAfter: string | null | undefined,
  nowMs: number,
): ApiResult {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  if (status >= 200 && status < 300 && isRecord(body)) return { kind: "ok", status, body };
  const retryAfterHeader = parseRetryAfter(retryAfter, nowMs);
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error && typeof error.code === "string") {
    return {
      kind: "error",
      status,
      code: error.code,
      message: typeof error.message === "string" ? error.message : "",
      details: error,
      retryAfterHeader,
    };
  }
  return { kind: "error", status, code: "unexpected_response", message: "", details: {}, retryAfterHeader };
}

/** What the page reads from `config.json`. */
export interface PageConfig {
  /** The API base; empty: the page's own origin. */
  readonly apiUrl: string;
  /** Cloudflare Turnstile's site key: the page shows the human check only when there is one. */
  readonly turnstileSiteKey: string | undefined;
}

/**
 * Reads `config.json`. A missing or malformed `apiUrl` means "same origin" (empty); a site key
 * that does not look like one is ignored rather than handed to a script.
 */
export function parseConfig(json: unknown): PageConfig {
  const apiUrl = isRecord(json) && typeof json.apiUrl === "string" ? json.apiUrl.trim() : "";
  const key = isRecord(json) && typeof json.turnstileSiteKey === "string" ? json.turnstileSiteKey.trim() : "";
  return { apiUrl, turnstileSiteKey: /^[\w-]{1,100}$/.test(key) ? key : undefined };
}

/**
 * The URL of an API operation. An empty `apiUrl` means the API shares the page's origin (the dev
 * server); otherwise it is the API Gateway stage URL, with or without a trailing slash.
 */
export function endpointUrl(apiUrl: string, operation: "generate" | "validate", pageUrl: string): string {
  if (apiUrl === "") return new URL(`/${operation}`, pageUrl).href;
  const base = apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`;
  return new URL(operation, new URL(base, pageUrl)).href;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Calls the API; `apiUrl` resolves once `config.json` has been read. */
export class ApiClient {
  readonly #apiUrl: Promise<string>;
  readonly #fetch: Fetch;
  readonly #pageUrl: string;

  constructor(apiUrl: Promise<string>, pageUrl: string, fetchImpl: Fetch) {
    this.#apiUrl = apiUrl;
    this.#pageUrl = pageUrl;
    this.#fetch = fetchImpl;
  }

  /** `POST /generate`: asks for a code to be sent to an E.164 number (with the human check's token). */
  generate(phone: string, challenge?: string): Promise<ApiResult> {
    return this.#post("generate", challenge === undefined ? { phone } : { phone, challenge });
  }

  /** `POST /validate`: checks a code and, when right, returns the signed token. */
  validate(phone: string, code: string): Promise<ApiResult> {
    return this.#post("validate", { phone, code });
  }

  async #post(operation: "generate" | "validate", body: Record<string, string>): Promise<ApiResult> {
    const url = endpointUrl(await this.#apiUrl, operation, this.#pageUrl);
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        cache: "no-store",
      });
      text = await response.text();
    } catch {
      return { kind: "network" };
    }
    return parseApiResponse(response.status, text, response.headers.get("retry-after"), Date.now());
  }
}

/**
 * Reads `config.json` next to the page (written at deploy time; the dev server serves an empty
 * `apiUrl`). A missing or broken file falls back to the same origin rather than blocking the page.
 */
export async function loadPageConfig(fetchImpl: Fetch, pageUrl: string): Promise<PageConfig> {
  try {
    const response = await fetchImpl(new URL("config.json", pageUrl).href, { cache: "no-store" });
    return parseConfig(response.ok ? await response.json() : {});
  } catch {
    return parseConfig({});
  }
}
