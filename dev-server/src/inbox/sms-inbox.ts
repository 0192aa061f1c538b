import type { CapturedSms } from "#local-aws/resources";

/** A captured SMS with its place in the inbox (the server-sent event id). */
export interface InboxMessage extends CapturedSms {
  readonly id: number;
}

type Listener = (message: InboxMessage) => void;

/**
 * The SMS a long-running `npm start` keeps: plenty for a person testing by hand, and a bound on the
 * one memory of the dev server that grew with use (about 2 KB per SMS, `npm run load` showed).
 */
const INBOX_CAPACITY = 1_000;

/**
 * The latest SMS the local stack captured since boot (up to `INBOX_CAPACITY`), oldest first, in
 * memory; listeners (the terminal box, the live inbox page) hear each new one. Ids keep counting
 * past the capacity, so an event stream's cursor stays valid.
 */
export class SmsInbox {
  readonly #messages: InboxMessage[] = [];
  readonly #listeners = new Set<Listener>();
  readonly #capacity: number;
  #lastId = 0;

  constructor(capacity = INBOX_CAPACITY) {
    this.#capacity = capacity;
  }

  add(sms: CapturedSms): InboxMessage {
    const message: InboxMessage = { id: ++this.#lastId, ...sms };
    this.#messages.push(message);
    if (this.#messages.length > this.#capacity) this.#messages.shift();
    for (const listener of this.#listeners) listener(message);
    return message;
  }

  /** Messages, oldest first, optionally for one phone and only those after an id. */
  list(
    filter: { readonly phone?: string | undefined; readonly afterId?: number | undefined } = {},
  ): InboxMessage[] {
    return this.#messages.filter(
      (message) =>
        (filter.phone === undefined || message.phone === filter.phone) &&
        (filter.afterId === undefined || message.id > filter.afterId),
    );
  }

  /** Calls `listener` for each new message; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}

/** What the poller reads: the SQS outbox (SmsOutbox) or anything shaped like it. */
export interface SmsSource {
  drain(): Promise<CapturedSms[]>;
}

export interface OutboxPollerOptions {
  readonly intervalMs: number;
  /** Messages sent before this (epoch ms) are left out: an external stack may hold old ones. */
  readonly since: number;
  readonly onError: (error: unknown) => void;
}

/**
 * Moves captured SMS from the outbox queue into the inbox in the background. One drain at a time;
 * `stop()` waits for the drain under way, so the emulator can be stopped right after.
 */
export class OutboxPoller {
  readonly #source: SmsSource;
  readonly #inbox: SmsInbox;
  readonly #options: OutboxPollerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #failing = false;

  constructor(source: SmsSource, inbox: SmsInbox, options: OutboxPollerOptions) {
    this.#source = source;
    this.#inbox = inbox;
    this.#options = options;
  }

  start(): void {
    this.#schedule(0);
  }

  /** Drains the outbox now (and is what each tick does). */
  poll(): Promise<void> {
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.poll().then(() => this.#schedule(this.#options.intervalMs));
    }, delayMs);
  }

  async #drain(): Promise<void> {
    try {
      const captured = await this.#source.drain();
      this.#failing = false;
      for (const sms of captured) {
        if (Date.parse(sms.timestamp) >= this.#options.since) this.#inbox.add(sms);
      }
    } catch (error) {
      // One report per outage, not one per tick.
      if (!this.#failing && !this.#stopped) this.#options.onError(error);
      this.#failing = true;
    }
  }
}
