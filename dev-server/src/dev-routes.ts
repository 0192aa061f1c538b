import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ThreadMemory } from "#local-aws/emulator-thread";
import {
  cursorId,
  INBOX_CSP,
  INBOX_SCRIPT,
  INBOX_STYLES,
  renderInboxPage,
  streamCursor,
} from "./inbox/page.ts";
import type { InboxMessage, SmsInbox } from "./inbox/sms-inbox.ts";

const SSE_HEARTBEAT_MS = 15_000;

function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  if (Array.isArray(value)) return typeof value[0] === "string" ? value[0] : undefined;
  return typeof value === "string" && value !== "" ? value : undefined;
}

const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Page not built</title></head>
<body><h1>The page is not built yet</h1>
<p>The dev server found neither <code>web/build.ts</code> nor <code>web/dist</code>. The API works meanwhile:
<code>POST /generate</code>, <code>POST /validate</code>, and the SMS inbox at <a href="/_dev/inbox">/_dev/inbox</a>.</p>
</body></html>
`;

/**
 * The dev-only routes, never deployed: health, memory, the SMS inbox as JSON, as a page and as a
 * server-sent event stream, and the page's same-origin config.
 */
export function registerDevRoutes(
  app: FastifyInstance,
  options: {
    readonly inbox: SmsInbox | undefined;
    readonly ready: () => boolean;
    readonly turnstileSiteKey: string | undefined;
    readonly functionHeaps: (collect: boolean) => Promise<Readonly<Record<string, number | undefined>>>;
    readonly emulatorMemory: (collect: boolean) => Promise<ThreadMemory | undefined>;
  },
): void {
  const { inbox } = options;
  const epoch = randomBytes(4).toString("hex");
  const streams = new Set<NodeJS.WritableStream & { end(): void }>();

  // Healthy once the functions have cold-started: an API call then gets its answer at once.
  app.get("/health", async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return options.ready() ? { status: "ok" } : reply.code(503).send({ status: "starting" });
  });

  // Memory of the whole server, of each function's worker and of the emulator's thread
  // (`npm run load` reports it).
  // With `?gc=1`, and Node started with --expose-gc (a process-wide flag), every isolate collects
  // garbage first: the heap figures are then what is live, not where a collection happens to fall.
  app.get("/_dev/stats", async (request, reply) => {
    reply.header("cache-control", "no-store");
    const gc = (globalThis as { gc?: () => void }).gc;
    const collected = queryValue(request, "gc") === "1" && gc !== undefined;
    if (collected) gc();
    const [heaps, emulator] = await Promise.all([
      options.functionHeaps(collected),
      options.emulatorMemory(collected),
    ]);
    const { rss, heapUsed, external } = process.memoryUsage();
    return {
      collected,
      rssBytes: rss,
      heapUsedBytes: heapUsed,
      // Buffers outside the heap: among them the embedded DynamoDB's stored items.
      externalBytes: external,
      functions: Object.fromEntries(
        Object.entries(heaps).map(([name, bytes]) => [name, { heapUsedBytes: bytes ?? null }]),
      ),
      // The embedded emulator's thread, where the stored items live (null with AWS_ENDPOINT_URL).
      emulator: emulator ?? null,
    };
  });

  app.get("/_dev/sms", async (request, reply) => {
    reply.header("cache-control", "no-store");
    if (!inbox) return reply.code(503).send({ message: "The SMS inbox is not running." });
    const phone = queryValue(request, "phone");
    const messages = inbox
      .list({ phone })
      .map(({ phone, message, timestamp }) => ({ phone, message, timestamp }));
    return { messages };
  });

  app.get("/_dev/inbox", async (request, reply) => {
    const phone = queryValue(request, "phone");
    return reply
      .headers({
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": INBOX_CSP,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      })
      .send(renderInboxPage(inbox?.list({ phone }) ?? [], phone, epoch));
  });

  app.get("/_dev/inbox.js", async (_request, reply) =>
    reply
      .headers({ "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" })
      .send(INBOX_SCRIPT),
  );
  app.get("/_dev/inbox.css", async (_request, reply) =>
    reply
      .headers({ "content-type": "text/css; charset=utf-8", "cache-control": "no-store" })
      .send(INBOX_STYLES),
  );

  // Server-sent events: each captured SMS as `event: sms` with its stream cursor as the id, so a
  // reconnecting EventSource (Last-Event-ID) or a page rendered up to `?after=` misses none and
  // repeats none, even across a restart of the server.
  app.get("/_dev/sms/stream", (request, reply) => {
    const phone = queryValue(request, "phone");
    const lastEventId = request.headers["last-event-id"];
    const after = Math.max(
      cursorId(epoch, queryValue(request, "after")),
      cursorId(epoch, typeof lastEventId === "string" ? lastEventId : undefined),
    );
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    const write = (message: InboxMessage) => {
      if (phone === undefined || message.phone === phone) {
        const data = { phone: message.phone, message: message.message, timestamp: message.timestamp };
        res.write(`id: ${streamCursor(epoch, message.id)}\nevent: sms\ndata: ${JSON.stringify(data)}\n\n`);
      }
    };
    res.write("retry: 2000\n\n");
    for (const message of inbox?.list({ afterId: after }) ?? []) write(message);
    const unsubscribe = inbox?.subscribe(write);
    const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), SSE_HEARTBEAT_MS);
    streams.add(res);
    res.on("close", () => {
      unsubscribe?.();
      clearInterval(heartbeat);
      streams.delete(res);
    });
  });

  // Open streams would hold close() forever; end them first.
  app.addHook("preClose", async () => {
    for (const stream of streams) stream.end();
  });

  app.get("/config.json", async (_request, reply) => {
    reply.header("cache-control", "no-store");
    // Empty: the API is on the page's own origin.
    return {
      apiUrl: "",
      ...(options.turnstileSiteKey ? { turnstileSiteKey: options.turnstileSiteKey } : {}),
    };
  });
}

/** The built page and its assets, or a placeholder when there is none. */
export async function registerPage(app: FastifyInstance, webRoot: string | undefined): Promise<void> {
  if (webRoot && existsSync(webRoot)) {
    await app.register(fastifyStatic, {
      root: webRoot,
      index: ["index.html"],
      wildcard: true,
      cacheControl: false,
      // Rebuilt pages must never come from the browser cache.
      setHeaders: (reply) => {
        reply.header("cache-control", "no-cache");
        reply.header("x-content-type-options", "nosniff");
      },
    });
    return;
  }
  app.get("/", async (_request, reply) =>
    reply
      .headers({ "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
      .send(PLACEHOLDER_PAGE),
  );
}
