import { randomUUID } from "node:crypto";
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  RequestListener,
  Server,
  ServerResponse,
} from "node:http";
import dynalite from "dynalite";
import { buildApp } from "fauxqs";
import inject from "light-my-request";
import { type DynamoInvoke, type DynamoReply, TtlEmulator } from "./dynamo-ttl.ts";
import { BodyTooLargeError, readBody, send, sendDynamoJson, sendJson } from "./http-io.ts";
import {
  jsonErrorToQueryXml,
  jsonResultToQueryXml,
  queryRequestToJson,
  SQS_QUERY_ACTIONS,
} from "./sqs-query.ts";

/**
 * The embedded AWS emulator stack: dynalite (DynamoDB) and fauxqs (SNS, SQS) in this process,
 * behind one HTTP endpoint like LocalStack's, so `AWS_ENDPOINT_URL` is the only switch between
 * them, LocalStack and AWS. Requests are dispatched in-process by the service they target; no
 * other port is opened. See README.md in this folder.
 */

export interface EmbeddedAwsOptions {
  /** 0 picks a free port (tests); the dev server passes LOCAL_AWS_PORT (4566 by default). */
  port?: number;
  /** Interface to bind; loopback unless you mean to share the emulator. */
  host?: string;
  /** Fallback region for SNS/SQS ARNs when a request's signature names none. */
  region?: string;
}

export interface EmbeddedAws {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  readonly port: number;
  /** Closes the socket, every connection, both emulators and their timers. Safe to call twice. */
  stop(): Promise<void>;
}

export const DEFAULT_REGION = "us-east-1";
const DEFAULT_HOST = "127.0.0.1";
const HEALTH_SERVICES = { dynamodb: "running", sns: "running", sqs: "running" } as const;

/** Framing headers: a buffered body is re-sent whole, and each side computes its own. */
const REQUEST_FRAMING = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "expect",
]);
const RESPONSE_FRAMING = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "date"]);

type InjectedReply = inject.Response;
type FauxqsApp = ReturnType<typeof buildApp>;

function endpointHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return DEFAULT_HOST;
  return host.includes(":") ? `[${host}]` : host;
}

/** The AWS service a SigV4 `Authorization` header was scoped to (`.../us-east-1/sqs/aws4_request`). */
function signedService(headers: IncomingHttpHeaders): string | undefined {
  return /Credential=[^/\s]+\/\d{8}\/[^/\s]+\/([^/\s]+)\/aws4_request/.exec(headers.authorization ?? "")?.[1];
}

function signedRegion(headers: IncomingHttpHeaders): string | undefined {
  return /Credential=[^/\s]+\/\d{8}\/([^/\s]+)\//.exec(headers.authorization ?? "")?.[1];
}

/** The request headers worth passing to an emulator; the body is re-sent whole, so framing goes. */
function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!REQUEST_FRAMING.has(name)) kept[name] = value;
  }
  return kept;
}

function header(reply: InjectedReply, name: string): string | undefined {
  const value = reply.headers[name];
  return Array.isArray(value) ? value.join(", ") : value === undefined ? undefined : String(value);
}

function relay(res: ServerResponse, reply: InjectedReply, body: string = reply.body): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.headers)) {
    if (value !== undefined && !RESPONSE_FRAMING.has(name.toLowerCase())) headers[name] = String(value);
  }
  send(res, reply.statusCode, headers, body);
}

/**
 * fauxqs builds queue URLs as `http://sqs.<region>.localhost:<port>/<account>/<name>`, a host name
 * that does not resolve everywhere. Queue URLs handed out here point at the gateway itself, like
 * LocalStack's `SQS_ENDPOINT_STRATEGY=off`; fauxqs finds a queue by the URL's last path segment.
 */
function rewriteQueueUrls(result: unknown, origin: string): unknown {
  if (typeof result !== "object" || result === null || Array.isArray(result)) return result;
  const rewrite = (url: unknown) => {
    if (typeof url !== "string") return url;
    try {
      return `${origin}${new URL(url).pathname}`;
    } catch {
      return url;
    }
  };
  const record = { ...(result as Record<string, unknown>) };
  if ("QueueUrl" in record) record.QueueUrl = rewrite(record.QueueUrl);
  for (const list of ["QueueUrls", "queueUrls"]) {
    const urls = record[list];
    if (Array.isArray(urls)) record[list] = urls.map(rewrite);
  }
  return record;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One DynamoDB call on dynalite's request listener without a socket (for the TTL emulation). */
function dynamoInvoker(listener: RequestListener, region: string): DynamoInvoke {
  return async (operation, input): Promise<DynamoReply> => {
    const reply = await inject(listener, {
      method: "POST",
      url: "/",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": `DynamoDB_20120810.${operation}`,
        // dynalite insists on a well-formed SigV4 header and never checks the signature.
        authorization: `AWS4-HMAC-SHA256 Credential=embedded/20240101/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
        "x-amz-date": "20240101T000000Z",
      },
      payload: JSON.stringify(input),
    });
    const body = parseJson(reply.body);
    return {
      status: reply.statusCode,
      body: typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {},
    };
  };
}

/**
 * Routes each request by the service it targets and dispatches it in-process: the body is
 * buffered (the gateway must read SNS/SQS query bodies to route them, and the TTL calls to answer
 * them) and injected into dynalite's request listener or fauxqs's Fastify app with
 * light-my-request, so no second port exists and a client that drops mid-request only fails its
 * own read (dynalite throws on a request stream error, which would take the process down).
 */
class Gateway {
  readonly #dynamo: RequestListener;
  readonly #fauxqs: FauxqsApp;
  readonly #ttl: TtlEmulator;
  readonly #region: string;

  constructor(dynamo: RequestListener, fauxqs: FauxqsApp, region: string) {
    this.#dynamo = dynamo;
    this.#fauxqs = fauxqs;
    this.#region = region;
    this.#ttl = new TtlEmulator(dynamoInvoker(dynamo, region));
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.#route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { error: error.message });
        return;
      }
      sendJson(res, 500, {
        error: `embedded AWS gateway: ${error instanceof Error ? error.message : String(error)}`,
      });
    });
  };

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    const target = String(req.headers["x-amz-target"] ?? "");
    const contentType = String(req.headers["content-type"] ?? "");
    const body = await readBody(req);

    if (
      (req.method === "GET" || req.method === "HEAD") &&
      (path === "/health" || path === "/_localstack/health")
    ) {
      sendJson(
        res,
        200,
        path === "/health" ? { status: "ok" } : { services: HEALTH_SERVICES, edition: "embedded" },
      );
      return;
    }
    if (path === "/_aws/dynamodb/expired" && req.method === "DELETE") {
      // LocalStack's answer: the number of expired items deleted.
      sendJson(res, 200, { ExpiredItems: await this.#ttl.deleteExpired() });
      return;
    }
    if (target.startsWith("DynamoDB")) {
      await this.#dynamoRequest(req, res, target, body);
      return;
    }
    if (target.startsWith("AmazonSQS.")) {
      await this.#sqsJson(req, res, body);
      return;
    }
    if (req.method === "POST" && contentType.includes("application/x-www-form-urlencoded")) {
      const params = new URLSearchParams(body.toString("utf8"));
      const service =
        signedService(req.headers) ?? (SQS_QUERY_ACTIONS.has(params.get("Action") ?? "") ? "sqs" : "sns");
      if (service === "sqs") await this.#sqsQuery(req, res, params);
      else relay(res, await this.#toFauxqs(req, body, forwardable(req.headers)));
      return;
    }
    if (req.method === "GET" && path.startsWith("/_fauxqs/")) {
      relay(res, await this.#fauxqs.inject({ method: "GET", url: req.url ?? path }));
      return;
    }
    sendJson(res, 400, {
      error:
        "The embedded AWS emulator serves DynamoDB, SNS and SQS (and GET /health, DELETE /_aws/dynamodb/expired).",
    });
  }

  async #dynamoRequest(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    body: Buffer,
  ): Promise<void> {
    const operation = target.slice(target.indexOf(".") + 1);
    if (operation !== "UpdateTimeToLive" && operation !== "DescribeTimeToLive") {
      relay(
        res,
        await inject(this.#dynamo, {
          method: req.method ?? "POST",
          url: req.url ?? "/",
          headers: forwardable(req.headers),
          payload: body,
        }),
      );
      return;
    }
    const input = parseJson(body.toString("utf8"));
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      sendDynamoJson(res, 400, { __type: "com.amazon.coral.service#SerializationException" });
      return;
    }
    const record = input as Record<string, unknown>;
    const reply =
      operation === "UpdateTimeToLive" ? await this.#ttl.update(record) : await this.#ttl.describe(record);
    sendDynamoJson(res, reply.status, reply.body);
  }

  #toFauxqs(
    req: IncomingMessage,
    body: Buffer | string,
    headers: IncomingHttpHeaders,
  ): Promise<InjectedReply> {
    // fauxqs serves SQS/SNS on POST / only; other paths are its S3 routes.
    return this.#fauxqs.inject({
      method: "POST",
      url: "/",
      headers: { ...headers, host: req.headers.host ?? DEFAULT_HOST },
      payload: body,
    });
  }

  #origin(req: IncomingMessage): string {
    return `http://${req.headers.host ?? DEFAULT_HOST}`;
  }

  async #sqsJson(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const reply = await this.#toFauxqs(req, body, forwardable(req.headers));
    const result = reply.statusCode === 200 ? parseJson(reply.body) : undefined;
    if (result === undefined) {
      relay(res, reply);
      return;
    }
    relay(res, reply, JSON.stringify(rewriteQueueUrls(result, this.#origin(req))));
  }

  async #sqsQuery(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
    const { action, input } = queryRequestToJson(params);
    const requestId = randomUUID();
    const region = signedRegion(req.headers) ?? this.#region;
    const reply = await this.#toFauxqs(req, JSON.stringify(input), {
      // fauxqs reads the region of new queues from the signature; keep the caller's.
      authorization: `AWS4-HMAC-SHA256 Credential=query/20240101/${region}/sqs/aws4_request, SignedHeaders=host, Signature=0`,
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AmazonSQS.${action}`,
    });
    const json = parseJson(reply.body);
    const xml =
      reply.statusCode === 200
        ? jsonResultToQueryXml(action, rewriteQueueUrls(json, this.#origin(req)), requestId)
        : jsonErrorToQueryXml(json, header(reply, "x-amzn-query-error"), requestId);
    send(res, reply.statusCode, { "content-type": "text/xml", "x-amzn-requestid": requestId }, xml);
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === "EADDRINUSE"
          ? `${host}:${port} is already in use (another \`npm start\`, LocalStack or fauxqs?). ` +
            "Stop it, set LOCAL_AWS_PORT to a free port, or set AWS_ENDPOINT_URL to use that emulator instead"
          : error.message;
      reject(new Error(`Cannot start the embedded AWS emulator: ${reason}`, { cause: error }));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    // dynalite's close() stops the listener, then waits for its store's pending work and closes it.
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * Starts dynalite and fauxqs in this process behind one endpoint (DynamoDB JSON, SQS JSON and
 * query, SNS query), with emulated DynamoDB TTL, LocalStack's `DELETE /_aws/dynamodb/expired` and
 * `GET /health`. All state is in memory and dies with `stop()`.
 */
export async function startEmbeddedAws(options: EmbeddedAwsOptions = {}): Promise<EmbeddedAws> {
  const host = options.host ?? DEFAULT_HOST;
  const region = options.region ?? DEFAULT_REGION;
  // dynalite's own server becomes the gateway's: its close() is the one public way to close
  // dynalite's store, so it stays the listening server and only its request listener is swapped.
  // Tables are ACTIVE at once, as on LocalStack, so provisioning never waits.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [dynamoListener] = server.listeners("request") as RequestListener[];
  if (!dynamoListener) throw new Error("dynalite did not register a request listener");
  server.removeAllListeners("request");

  const fauxqs = buildApp({ logger: false, defaultRegion: region });
  await fauxqs.ready();
  server.on("request", new Gateway(dynamoListener, fauxqs, region).handle);

  let port: number;
  try {
    port = await listen(server, options.port ?? 0, host);
  } catch (error) {
    await fauxqs.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${endpointHost(host)}:${port}`,
    port,
    stop() {
      stopping ??= Promise.all([closeServer(server), fauxqs.close()]).then(() => undefined);
      return stopping;
    },
  };
}
