import { Logger } from "@aws-lambda-powertools/logger";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { loadConfig } from "#functions/config";
import type { Clock } from "#functions/runtime";
import { type AwsClients, createAwsClients, createHandlers, type RuntimeOverrides } from "#functions/runtime";
import type { TestStack } from "../support/stack.ts";

/** A clock the test moves by hand: expiry and windows without waiting. */
export class ManualClock implements Clock {
  time: number;

  constructor(time: number = Date.now()) {
    this.time = time;
  }
  now(): number {
    return this.time;
  }
  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
}

/**
 * Counts AWS calls per client with SDK middleware (the `initialize` step runs once per `send`):
 * `dynamodb:UpdateItem RANGE`, the operation and the kind of item (the key before its first `#`).
 */
export class CallCounter {
  readonly calls: string[] = [];

  attach(clients: AwsClients): AwsClients {
    const count =
      (service: string) =>
      (next: (args: never) => Promise<unknown>, context: { commandName?: string }) =>
      (args: { input?: { Key?: { pk?: unknown } } }) => {
        const operation = (context.commandName ?? "unknown").replace(/Command$/, "");
        const pk = args.input?.Key?.pk;
        const item = typeof pk === "string" ? ` ${pk.split("#")[0]}` : "";
        this.calls.push(`${service}:${operation}${item}`);
        return next(args as never);
      };
    // The document client shares its middleware stack with the DynamoDB client it wraps.
    clients.dynamo.middlewareStack.add(count("dynamodb") as never, {
      step: "initialize",
      name: "callCounter",
    });
    clients.sns.middlewareStack.add(count("sns") as never, { step: "initialize", name: "callCounter" });
    return clients;
  }

  reset(): void {
    this.calls.length = 0;
  }
}

const quietLogger = new Logger({ serviceName: "integration", logLevel: "SILENT" });

/** The domain's metrics, counted by name and label (`sent:US`, `refused:suspected_fraud`). */
class CountingMetrics {
  readonly counts = new Map<string, number>();

  #add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  codeSent(country: string): void {
    this.#add(`sent:${country}`);
  }

  codeVerified(country: string): void {
    this.#add(`verified:${country}`);
  }

  sendRefused(reason: string): void {
    this.#add(`refused:${reason}`);
  }

  scopeBlocked(kind: string): void {
    this.#add(`blocked:${kind}`);
  }

  flush(): void {}
}

/**
 * The real handlers (real adapters, real SDK clients) against the test stack's backend, with an
 * optional injected clock and call counter.
 */
export async function handlersFor(
  stack: TestStack,
  env: Record<string, string> = {},
  options: {
    clock?: Clock;
    counter?: CallCounter;
    metrics?: CountingMetrics;
    overrides?: RuntimeOverrides;
  } = {},
) {
  const config = loadConfig(stack.env(env));
  const clients = createAwsClients(config.aws);
  if (options.counter) options.counter.attach(clients);
  return createHandlers(config, {
    clients,
    logger: quietLogger,
    // CloudWatch metrics go to stdout as EMF lines; here they are only counted (unit tests check EMF).
    metrics: options.metrics ?? new CountingMetrics(),
    ...(options.clock ? { clock: options.clock } : {}),
    ...options.overrides,
  });
}

/** Every item of the stack's table, unmarshalled. */
export async function scanTable(stack: TestStack): Promise<Record<string, unknown>[]> {
  const result = await stack.dynamo.send(
    new ScanCommand({ TableName: stack.resources.tableName, ConsistentRead: true }),
  );
  return (result.Items ?? []).map((item) => unmarshall(item));
}

/** The code inside a captured SMS (the first run of digits of the configured length). */
export function codeFrom(message: string, length = 6): string {
  const match = message.match(new RegExp(`\\b(\\d{${length}})\\b`));
  if (!match?.[1]) throw new Error(`no ${length}-digit code in SMS: ${message}`);
  return match[1];
}

let phoneSequence = Math.floor(Math.random() * 9000);

/**
 * A fresh valid US mobile number per call, each in a range of its own (area code and exchange),
 * so tests never share per-phone limits or a range's conversion.
 */
export function freshPhone(): string {
  phoneSequence = (phoneSequence + 1) % 10_000;
  const exchange = 200 + (phoneSequence % 800);
  const area = AREA_CODES[Math.floor(phoneSequence / 800) % AREA_CODES.length];
  return `+1${area}${exchange}${String(phoneSequence).padStart(4, "0")}`;
}

const AREA_CODES = [
  "415",
  "212",
  "312",
  "617",
  "206",
  "303",
  "512",
  "702",
  "404",
  "305",
  "213",
  "646",
  "718",
];
