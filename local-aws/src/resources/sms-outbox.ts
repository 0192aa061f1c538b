import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { EMULATOR_CREDENTIALS } from "./provision.ts";

/**
 * Reader of the "sms outbox": the SQS queue subscribed with raw delivery to the SMS capture
 * topic, so each message body is the exact SMS text and its `phone` attribute the recipient. The
 * dev server's inbox and the integration tests both read captured SMS through this class.
 */

/** One SMS the local stack captured instead of sending. */
export interface CapturedSms {
  /** E.164 recipient, from the `phone` message attribute ("" if a message lacks it). */
  phone: string;
  /** The exact SMS text. */
  message: string;
  /** When SQS accepted it (SentTimestamp), ISO 8601. */
  timestamp: string;
}

export interface SmsOutboxOptions {
  queueUrl: string;
  /** The emulator endpoint; ignored when `client` is given. */
  endpoint?: string;
  region?: string;
  /** An SQS client to use (and not destroy); by default the outbox makes and owns one. */
  client?: SQSClient;
}

export interface WaitForOptions {
  timeoutMs: number;
}

interface Waiter {
  predicate: (sms: CapturedSms) => boolean;
  resolve: (sms: CapturedSms) => void;
}

const MAX_BATCH = 10;
/** Short long-polls keep `waitFor` responsive without hammering the emulator. */
const POLL_WAIT_SECONDS = 1;
const IDLE_PAUSE_MS = 50;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The SMS in one SQS message. A subscription without raw delivery wraps it in an SNS envelope
 * (`{"Type":"Notification","Message":...,"MessageAttributes":{"phone":{"Value":...}}}`); that is
 * unwrapped too, so a hand-made subscription still shows up in the inbox.
 */
export function parseOutboxMessage(message: Message): CapturedSms {
  const sentAt = Number(message.Attributes?.SentTimestamp);
  const timestamp = new Date(Number.isFinite(sentAt) && sentAt > 0 ? sentAt : Date.now()).toISOString();
  const body = message.Body ?? "";
  const phone = message.MessageAttributes?.phone?.StringValue;
  if (phone === undefined && body.startsWith("{")) {
    try {
      const envelope: unknown = JSON.parse(body);
      if (isRecord(envelope) && envelope.Type === "Notification" && typeof envelope.Message === "string") {
        const attributes = isRecord(envelope.MessageAttributes) ? envelope.MessageAttributes : {};
        const phoneAttribute = attributes.phone;
        const wrappedPhone = isRecord(phoneAttribute) ? phoneAttribute.Value : undefined;
        return {
          phone: typeof wrappedPhone === "string" ? wrappedPhone : "",
          message: envelope.Message,
          timestamp,
        };
      }
    } catch {
      // Not an envelope: an SMS text that happens to start with a brace.
    }
  }
  return { phone: phone ?? "", message: body, timestamp };
}

function oldestFirst(messages: CapturedSms[]): CapturedSms[] {
  // Array.prototype.sort is stable: equal timestamps keep their receive order.
  return [...messages].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

/**
 * Reads and deletes what the outbox queue holds. Messages read while looking for something else
 * are kept in memory and handed out by the next `waitFor` or `drain`, so nothing read is lost.
 */
export class SmsOutbox {
  readonly queueUrl: string;
  readonly #client: SQSClient;
  readonly #ownsClient: boolean;
  #held: CapturedSms[] = [];
  readonly #waiters = new Set<Waiter>();

  constructor(options: SmsOutboxOptions) {
    this.queueUrl = options.queueUrl;
    if (options.client) {
      this.#client = options.client;
      this.#ownsClient = false;
    } else {
      if (!options.endpoint) throw new Error("SmsOutbox needs an endpoint or an SQS client");
      this.#client = new SQSClient({
        endpoint: options.endpoint,
        region: options.region ?? "us-east-1",
        credentials: EMULATOR_CREDENTIALS,
      });
      this.#ownsClient = true;
    }
  }

  /** Everything captured so far (held messages and all the queue has now), oldest first; empties both. */
  async drain(): Promise<CapturedSms[]> {
    while ((await this.#receive(0)) > 0) {
      // keep reading until a receive comes back empty
    }
    const drained = this.#held;
    this.#held = [];
    return oldestFirst(drained);
  }

  /**
   * The first captured SMS that satisfies `predicate` (held ones first, then newly arriving ones),
   * removed from the outbox. Rejects after `timeoutMs` with a summary of what was seen instead.
   */
  async waitFor(predicate: (sms: CapturedSms) => boolean, options: WaitForOptions): Promise<CapturedSms> {
    const heldIndex = this.#held.findIndex(predicate);
    const held = this.#held[heldIndex];
    if (held) {
      this.#held.splice(heldIndex, 1);
      return held;
    }
    let found: CapturedSms | undefined;
    const waiter: Waiter = {
      predicate,
      resolve: (sms) => {
        found = sms;
      },
    };
    this.#waiters.add(waiter);
    const deadline = Date.now() + options.timeoutMs;
    try {
      while (!found) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        const waitSeconds = remaining >= POLL_WAIT_SECONDS * 1000 ? POLL_WAIT_SECONDS : 0;
        const received = await this.#receive(waitSeconds);
        if (!found && received === 0 && waitSeconds === 0) await delay(Math.min(IDLE_PAUSE_MS, remaining));
      }
    } finally {
      this.#waiters.delete(waiter);
    }
    if (found) return found;
    const seen = this.#held.map((sms) => `${sms.phone}: ${JSON.stringify(sms.message)}`);
    throw new Error(
      `No matching SMS in ${this.queueUrl} within ${options.timeoutMs} ms` +
        (seen.length > 0 ? `; held instead: ${seen.join("; ")}` : "; the outbox is empty"),
    );
  }

  /** Destroys the SQS client if the outbox made it. */
  close(): void {
    if (this.#ownsClient) this.#client.destroy();
  }

  /** One receive: hands each message to the first waiter it satisfies, holds the rest, deletes all. */
  async #receive(waitTimeSeconds: number): Promise<number> {
    const { Messages: messages = [] } = await this.#client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: MAX_BATCH,
        WaitTimeSeconds: waitTimeSeconds,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["SentTimestamp"],
      }),
    );
    for (const message of messages) {
      const sms = parseOutboxMessage(message);
      const waiter = [...this.#waiters].find((candidate) => candidate.predicate(sms));
      if (waiter) {
        this.#waiters.delete(waiter);
        waiter.resolve(sms);
      } else {
        this.#held.push(sms);
      }
    }
    const entries = messages.flatMap((message, index) =>
      message.ReceiptHandle ? [{ Id: String(index), ReceiptHandle: message.ReceiptHandle }] : [],
    );
    if (entries.length > 0) {
      const { Failed: failed = [] } = await this.#client.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      if (failed.length > 0) {
        throw new Error(
          `Could not delete ${failed.length} outbox message(s): ${failed[0]?.Message ?? failed[0]?.Code}`,
        );
      }
    }
    return messages.length;
  }
}
