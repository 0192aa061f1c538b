/**
 * Cloudflare Turnstile in the page, when `config.json` names a site key: the widget runs in its
 * own frame, hands the page a token, and `generate` checks that token with Cloudflare before
 * counting anything. Without a site key none of this loads.
 */

export const TURNSTILE_SCRIPT = "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit";

/** The part of Cloudflare's `window.turnstile` the page uses. */
interface TurnstileApi {
  render(container: HTMLElement, options: Record<string, unknown>): string | undefined;
  reset(widgetId?: string): void;
}

export interface HumanCheck {
  /** The current token; undefined until the person passed the check (or after it expired). */
  token(): string | undefined;
  /** Tokens are single use: a fresh check for the next send. */
  reset(): void;
}

/** Loads Cloudflare's script once and renders the widget into `container`. */
export function loadTurnstile(siteKey: string, container: HTMLElement): Promise<HumanCheck> {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = TURNSTILE_SCRIPT;
    script.async = true;
    script.onerror = () => reject(new Error("the human check could not load"));
    script.onload = () => {
      const turnstile = (window as unknown as { turnstile?: TurnstileApi }).turnstile;
      if (!turnstile) return reject(new Error("the human check did not start"));
      let token: string | undefined;
      const widgetId = turnstile.render(container, {
        sitekey: siteKey,
        callback: (value: string) => {
          token = value;
        },
        "expired-callback": () => {
          token = undefined;
        },
        "error-callback": () => {
          token = undefined;
        },
      });
      resolve({
        token: () => token,
        reset: () => {
          token = undefined;
          turnstile.reset(widgetId);
        },
      });
    };
    document.head.append(script);
  });
}
