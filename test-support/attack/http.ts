import { Agent, request } from "node:http";

export interface Answer {
  readonly status: number;
  readonly body: { readonly error?: { readonly code?: string; readonly reason?: string } } & Record<
    string,
    unknown
  >;
}

/**
 * One keep-alive agent per source address: each simulated client keeps its own connections, and
 * every socket it opens is bound to its loopback address (Linux routes all of 127.0.0.0/8 to the
 * loopback interface), which the server reports as the caller's IP.
 */
export class LoopbackClients {
  readonly #agents = new Map<string, Agent>();
  readonly #base: URL;

  constructor(baseUrl: string) {
    this.#base = new URL(baseUrl);
  }

  /** POSTs JSON from `sourceAddress`; resolves with the status and the parsed body. */
  post(path: string, body: unknown, sourceAddress: string, timeoutMs: number): Promise<Answer> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: this.#base.hostname,
          port: this.#base.port,
          path,
          method: "POST",
          agent: this.#agent(sourceAddress),
          localAddress: sourceAddress,
          headers: { "content-type": "application/json", "content-length": payload.length },
          timeout: timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: Answer["body"] = {};
            try {
              parsed = JSON.parse(text) as Answer["body"];
            } catch {
              parsed = { raw: text };
            }
            resolve({ status: response.statusCode ?? 0, body: parsed });
          });
        },
      );
      outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      outgoing.on("error", reject);
      outgoing.end(payload);
    });
  }

  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }

  #agent(sourceAddress: string): Agent {
    let agent = this.#agents.get(sourceAddress);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: 4, localAddress: sourceAddress });
      this.#agents.set(sourceAddress, agent);
    }
    return agent;
  }
}

/** The n-th simulated source address: 127.(1..).x.y, never 127.0.0.1 itself. */
export function loopbackAddress(group: number, n: number): string {
  return `127.${group}.${Math.floor(n / 250) + 1}.${(n % 250) + 1}`;
}

/**
 * Every SMS the dev server captures, as it arrives: its server-sent event stream
 * (`/_dev/sms/stream`), so no one polls the inbox.
 */
export class SmsFeed {
  readonly #byPhone = new Map<string, string[]>();
  readonly #waiters = new Map<string, Array<(message: string) => void>>();
  readonly #abort = new AbortController();
  #count = 0;

  private constructor() {}

  static async open(baseUrl: string): Promise<SmsFeed> {
    const feed = new SmsFeed();
    const response = await fetch(new URL("/_dev/sms/stream", baseUrl), { signal: feed.#abort.signal });
    if (!response.ok || !response.body) throw new Error(`the SMS stream answered ${response.status}`);
    void feed.#read(response.body);
    return feed;
  }

  /** How many SMS were captured so far. */
  get count(): number {
    return this.#count;
  }

  /** The SMS sent to each number. */
  get byPhone(): ReadonlyMap<string, readonly string[]> {
    return this.#byPhone;
  }

  /** The next SMS for `phone` (or the one already there), within `timeoutMs`. */
  next(phone: string, timeoutMs: number): Promise<string> {
    const existing = this.#byPhone.get(phone)?.at(-1);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no SMS for ${phone} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const waiters = this.#waiters.get(phone) ?? [];
      waiters.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.#waiters.set(phone, waiters);
    });
  }

  close(): void {
    this.#abort.abort();
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = "";
    try {
      for await (const chunk of body) {
        buffered += decoder.decode(chunk, { stream: true });
        let end = buffered.indexOf("\n\n");
        while (end >= 0) {
          this.#event(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          end = buffered.indexOf("\n\n");
        }
      }
    } catch {
      // Closed on purpose (close()) or with the server: the counts so far stand.
    }
  }

  #event(block: string): void {
    const data = block
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => line.slice(6))
      .join("\n");
    if (!block.includes("event: sms") || data === "") return;
    const sms = JSON.parse(data) as { phone: string; message: string };
    this.#count++;
    const list = this.#byPhone.get(sms.phone) ?? [];
    list.push(sms.message);
    this.#byPhone.set(sms.phone, list);
    for (const waiter of this.#waiters.get(sms.phone) ?? []) waiter(sms.message);
    this.#waiters.delete(sms.phone);
  }
}
