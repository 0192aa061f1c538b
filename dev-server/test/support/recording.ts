import type { APIGatewayProxyEvent } from "aws-lambda";
import Fastify, { type FastifyInstance } from "fastify";
import type { RouteDefinition } from "#api-contract";
import { type DevAppOptions, devServerApp, FASTIFY_OPTIONS } from "../../src/app.ts";
import type { SmsInbox } from "../../src/inbox/sms-inbox.ts";
import type { DevLog } from "../../src/log.ts";

interface RecordedLine {
  readonly level: "info" | "warn" | "error" | "print";
  readonly text: string;
}

/** A dev-server log that keeps every line in memory. */
function recordingLog(): DevLog & { readonly lines: RecordedLine[] } {
  const lines: RecordedLine[] = [];
  return {
    lines,
    color: false,
    info: (text) => lines.push({ level: "info", text }),
    warn: (text) => lines.push({ level: "warn", text }),
    error: (text) => lines.push({ level: "error", text }),
    print: (text) => lines.push({ level: "print", text }),
  };
}

/** The dev server app, ready but not listening: tests call `inject` on it. */
async function buildDevApp(options: DevAppOptions): Promise<FastifyInstance> {
  const app = Fastify(FASTIFY_OPTIONS);
  await devServerApp(app, options);
  await app.ready();
  return app;
}

export const TEST_API = {
  stage: "v1",
  accountId: "000000000000",
  apiId: "abc123defg",
  binaryMediaTypes: [],
};

export const GENERATE_BODY = '{"phone":"+14155550123"}';

/** What a handler under test answers: a result, or a function that computes one (may throw). */
type Answer = unknown | ((event: APIGatewayProxyEvent) => unknown);

export interface RecordingApp {
  readonly app: FastifyInstance;
  /** Every event the app handed to a function, in order. */
  readonly events: { route: string; event: APIGatewayProxyEvent }[];
  readonly lines: RecordedLine[];
  /** Sets what the functions answer next. */
  answer(answer: Answer): void;
  /** Moves the frozen clock on. */
  advance(ms: number): void;
}

export const OK_RESULT = {
  statusCode: 200,
  headers: { "content-type": "application/json; charset=utf-8" },
  body: JSON.stringify({ ok: true }),
};

/**
 * The dev server app with recording functions in place of the real ones, a frozen clock and a
 * recording log: route-level tests look at exactly what a function receives and what a client gets.
 */
export async function recordingApp(
  overrides: Partial<Omit<DevAppOptions, "invoke" | "log" | "now">> & { inbox?: SmsInbox } = {},
): Promise<RecordingApp> {
  const events: RecordingApp["events"] = [];
  let answer: Answer = OK_RESULT;
  let clock = Date.UTC(2030, 0, 2, 3, 4, 5);
  const log = recordingLog();
  const app = await buildDevApp({
    allowedOrigins: () => ["http://localhost:5173"],
    throttle: { rateLimit: 1000, burstLimit: 1000 },
    api: TEST_API,
    webRoot: undefined,
    ...overrides,
    invoke: async (route: RouteDefinition, event: APIGatewayProxyEvent) => {
      events.push({ route: route.name, event });
      return typeof answer === "function"
        ? await (answer as (e: APIGatewayProxyEvent) => unknown)(event)
        : answer;
    },
    log,
    now: () => clock,
  });
  return {
    app,
    events,
    lines: log.lines,
    answer(next) {
      answer = next;
    },
    advance(ms) {
      clock += ms;
    },
  };
}
