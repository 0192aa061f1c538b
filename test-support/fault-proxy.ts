import { randomUUID } from "node:crypto";
import { once } from "node:events";
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";

/**
 * A fault-injecting HTTP proxy for AWS calls: the functions' `AWS_ENDPOINT_URL` points at it and
 * it forwards to the real endpoint (the embedded emulator, LocalStack, any emulator), except for
 * the calls an armed rule picks, which it fails the way networks and AWS fail. Calls are told
 * apart by service (the SigV4 credential scope), operation (`X-Amz-Target` of the JSON protocol,
 * `Action` of the query protocol) and, for DynamoDB, the kind of item (the partition key before
 * its first `#`), so a rule can say "the 2nd UpdateItem on IP". Each SDK attempt is a call: a
 * fault that must outlast the SDK's retries fails as many calls in a row as it makes attempts.
 *
 * Real AWS checks the signature against the Host header, which a proxy changes; this is for
 * endpoints that do not (every emulator).
 */

/** What AWS answers when it throttles: DynamoDB's two, and the query protocol's (SNS). */
export type ThrottlingCode = "ProvisionedThroughputExceededException" | "ThrottlingException" | "Throttling";

export type Fault =
  /** An error answer with that status: what AWS sends during an incident. */
  | { readonly kind: "status"; readonly status: 500 | 503 }
  /** A 400 with the throttling error code. */
  | { readonly kind: "throttle"; readonly code: ThrottlingCode }
  /** Never answers, never forwards: only the client's own timeout ends the call. */
  | { readonly kind: "hang" }
  /** A TCP reset as soon as the request arrived; nothing is forwarded. */
  | { readonly kind: "reset" }
  /** Forwards the request and waits for its answer, then resets instead of answering: applied, unheard. */
  | { readonly kind: "lose-answer" };

export interface FaultRule {
  /** The operation: `UpdateItem`, `GetItem`, `PutItem`, `DeleteItem`, `Publish`, … */
  readonly operation: string;
  /** DynamoDB: the kind of item (`PHONE`, `IP`, `RANGE`, `COUNTRY`, `GLOBAL`); any when absent. */
  readonly item?: string;
  /** The first matching call that fails, counted from when the rule is armed (1, the default: the next one). */
  readonly occurrence?: number;
  /** How many matching calls in a row fail from there (1 by default); then the rule is healed. */
  readonly times?: number;
  readonly fault: Fault;
}

/** One call as the proxy identified it. */
export interface AwsCall {
  /** The signing name: `dynamodb`, `sns`, `sqs`; `unknown` for unsigned requests. */
  readonly service: string;
  readonly operation: string;
  /** DynamoDB: the partition key (`PHONE#+14155550123`). */
  readonly key: string | undefined;
  /** DynamoDB: the kind of item, the partition key before its first `#` (`PHONE`). */
  readonly item: string | undefined;
}

export interface ProxiedCall extends AwsCall {
  /** The fault it met, if any. */
  readonly fault: Fault["kind"] | undefined;
}

export interface ArmedFault {
  /** How many calls it has failed so far. */
  readonly fired: number;
  /** Whether it has failed every call it was armed for (the fault has healed). */
  readonly healed: boolean;
  /** Stops it from failing any further call. */
  disarm(): void;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the `AWS_ENDPOINT_URL` to hand the code under test. */
  readonly endpoint: string;
  /** Every call so far, in order of arrival. */
  readonly calls: readonly ProxiedCall[];
  arm(rule: FaultRule): ArmedFault;
  /** Stops listening and ends every connection, hung ones included. */
  close(): Promise<void>;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function partitionKeyOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { Key, Item } = body as { Key?: { pk?: { S?: unknown } }; Item?: { pk?: { S?: unknown } } };
  const pk = Key?.pk?.S ?? Item?.pk?.S;
  return typeof pk === "string" ? pk : undefined;
}

/** Which call a request is: service, operation and, for DynamoDB item calls, the kind of item. */
export function identifyCall(headers: IncomingHttpHeaders, body: Buffer): AwsCall {
  const service =
    /Credential=[^/\s]+\/\d{8}\/[^/\s]+\/([^/\s]+)\/aws4_request/.exec(
      header(headers, "authorization") ?? "",
    )?.[1] ?? "unknown";
  const target = header(headers, "x-amz-target");
  if (target !== undefined) {
    let key: string | undefined;
    try {
      key = partitionKeyOf(JSON.parse(body.toString("utf8")));
    } catch {
      // Not JSON: a call the proxy still forwards, with no item.
    }
    return { service, operation: target.slice(target.lastIndexOf(".") + 1), key, item: key?.split("#")[0] };
  }
  const action = new URLSearchParams(body.toString("utf8")).get("Action");
  return { service, operation: action ?? "unknown", key: undefined, item: undefined };
}

function matches(rule: FaultRule, call: AwsCall): boolean {
  return rule.operation === call.operation && (rule.item === undefined || rule.item === call.item);
}

const FAULT_CODES = { 500: "InternalServerError", 503: "ServiceUnavailable" } as const;

/** The error answer AWS gives in the request's own protocol (JSON for X-Amz-Target, XML for query). */
function errorAnswer(response: ServerResponse, json: boolean, status: number, code: string): void {
  const requestId = randomUUID();
  const message = `injected by the fault proxy: ${code}`;
  if (json) {
    const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message });
    response.writeHead(status, {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": requestId,
      "x-amzn-errortype": code,
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
    return;
  }
  const type = status >= 500 ? "Receiver" : "Sender";
  const body = `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  response.writeHead(status, {
    "content-type": "text/xml",
    "x-amzn-requestid": requestId,
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

interface Upstream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Headers that describe one hop's connection, not the message. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"]);

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

/** Starts the proxy on a free loopback port, forwarding to `target` (an http or https URL). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const secure = upstream.protocol === "https:";
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new Agent({ keepAlive: true });
  const calls: ProxiedCall[] = [];
  const rules: Array<{ rule: FaultRule; seen: number; fired: number; disarmed: boolean }> = [];
  const sockets = new Set<Socket>();

  const forward = (incoming: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const outgoing = (secure ? httpsRequest : httpRequest)(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          agent,
          headers: {
            ...withoutHopByHop(incoming.headers),
            host: upstream.host,
            "content-length": body.length,
          },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => chunks.push(chunk));
          answer.on("end", () =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: Buffer.concat(chunks),
            }),
          );
          answer.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });

  /** The fault for this call, if a rule is due; every matching rule counts the call. */
  const faultFor = (call: AwsCall): Fault | undefined => {
    let due: Fault | undefined;
    for (const armed of rules) {
      if (armed.disarmed || !matches(armed.rule, call)) continue;
      armed.seen++;
      const first = armed.rule.occurrence ?? 1;
      const last = first + (armed.rule.times ?? 1) - 1;
      if (due === undefined && armed.seen >= first && armed.seen <= last) {
        armed.fired++;
        due = armed.rule.fault;
      }
    }
    return due;
  };

  const handle = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const call = identifyCall(incoming.headers, body);
    const fault = faultFor(call);
    calls.push({ ...call, fault: fault?.kind });
    const json = header(incoming.headers, "x-amz-target") !== undefined;
    switch (fault?.kind) {
      case "status":
        return errorAnswer(response, json, fault.status, FAULT_CODES[fault.status]);
      case "throttle":
        return errorAnswer(response, json, 400, fault.code);
      case "hang":
        return;
      case "reset":
        incoming.socket.resetAndDestroy();
        return;
      default:
        break;
    }
    const answer = await forward(incoming, body);
    if (fault?.kind === "lose-answer") {
      incoming.socket.resetAndDestroy();
      return;
    }
    response.writeHead(answer.status, {
      ...withoutHopByHop(answer.headers),
      "content-length": answer.body.length,
    });
    response.end(answer.body);
  };

  const server = createServer((incoming, response) => {
    // A client that went away, or an endpoint behind that is gone: the client must see a failed
    // connection, never an invented answer.
    handle(incoming, response).catch(() => incoming.socket.destroy());
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    arm(rule) {
      const armed = { rule, seen: 0, fired: 0, disarmed: false };
      rules.push(armed);
      return {
        get fired() {
          return armed.fired;
        },
        get healed() {
          return armed.fired >= (rule.times ?? 1);
        },
        disarm() {
          armed.disarmed = true;
        },
      };
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closed;
    },
  };
}
