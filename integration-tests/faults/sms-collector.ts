import type { SmsOutbox } from "#local-aws/resources";

const POLL_MS = 25;

/**
 * One reader of a file's SMS outbox for many concurrent cells: it drains the queue in the
 * background and keeps every SMS by phone, so each cell can wait for its own (the latest to its
 * number) and, at the end, count how many its number received in all.
 */
export class SmsCollector {
  readonly #byPhone = new Map<string, string[]>();
  readonly #outbox: SmsOutbox;
  #running = true;
  readonly #loop: Promise<void>;

  constructor(outbox: SmsOutbox) {
    this.#outbox = outbox;
    this.#loop = this.#poll();
  }

  /** The last SMS to `phone` once it has received `count` of them, within `timeoutMs`. */
  async latest(phone: string, count: number, timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = this.#byPhone.get(phone) ?? [];
      const last = messages.at(-1);
      if (messages.length >= count && last !== undefined) return last;
      if (Date.now() > deadline)
        throw new Error(`SMS #${count} to ${phone} did not arrive in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** How many SMS `phone` received so far. */
  count(phone: string): number {
    return this.#byPhone.get(phone)?.length ?? 0;
  }

  /** Reads what is still in the queue, then stops. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    this.#add(await this.#outbox.drain());
  }

  #add(messages: ReadonlyArray<{ phone: string; message: string }>): void {
    for (const { phone, message } of messages) {
      const list = this.#byPhone.get(phone) ?? [];
      list.push(message);
      this.#byPhone.set(phone, list);
    }
  }

  async #poll(): Promise<void> {
    while (this.#running) {
      this.#add(await this.#outbox.drain());
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
