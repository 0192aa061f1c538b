import type { FastifyInstance } from "fastify";
import { MAX_PAYLOAD_BYTES, routes as routeTable } from "#api-contract";
import type { ThreadMemory } from "#local-aws/emulator-thread";
import { type GatewayOptions, registerApiGateway } from "./api-gateway/gateway.ts";
import { registerDevRoutes, registerPage } from "./dev-routes.ts";
import type { SmsInbox } from "./inbox/sms-inbox.ts";

export interface DevAppOptions extends Omit<GatewayOptions, "routes"> {
  /** The routes to mount; the contract's route table by default. */
  readonly routes?: GatewayOptions["routes"];
  /** The captured SMS; without it the /_dev/sms routes answer 503. */
  readonly inbox?: SmsInbox | undefined;
  /** Directory of the built page; a placeholder page is served when it is missing. */
  readonly webRoot?: string | undefined;
  /** Whether the functions are up (`GET /health`); always, by default. */
  readonly ready?: () => boolean;
  /** Cloudflare Turnstile's site key for the page's `/config.json`, when one is configured. */
  readonly turnstileSiteKey?: string | undefined;
  /** Each function's heap in use (`GET /_dev/stats`), after a collection with `collect`; none by default. */
  readonly functionHeaps?: (collect: boolean) => Promise<Readonly<Record<string, number | undefined>>>;
  /** The embedded emulator's memory (`GET /_dev/stats`), after a collection with `collect`; none by default. */
  readonly emulatorMemory?: (collect: boolean) => Promise<ThreadMemory | undefined>;
}

/**
 * The dev server as a Fastify plugin: the API Gateway stand-in in front of the route table's
 * functions, the dev-only routes (health, SMS inbox as JSON, page and event stream) and the page.
 */
export async function devServerApp(app: FastifyInstance, options: DevAppOptions): Promise<void> {
  registerApiGateway(app, { ...options, routes: options.routes ?? routeTable });
  registerDevRoutes(app, {
    inbox: options.inbox,
    ready: options.ready ?? (() => true),
    turnstileSiteKey: options.turnstileSiteKey,
    functionHeaps: options.functionHeaps ?? (async () => ({})),
    emulatorMemory: options.emulatorMemory ?? (async () => undefined),
  });
  await registerPage(app, options.webRoot);
}

/** Options of the Fastify instance itself (shared by the dev server and the tests). */
export const FASTIFY_OPTIONS = {
  logger: false,
  // API Gateway's payload limit; the handlers enforce their own 4 KiB.
  bodyLimit: MAX_PAYLOAD_BYTES,
  // API Gateway matches /generate/ like /generate.
  routerOptions: { ignoreTrailingSlash: true },
  // Ctrl-C must not wait for a browser's idle keep-alive connection.
  forceCloseConnections: true,
} as const;
