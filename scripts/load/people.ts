import { type Answer, LoopbackClients, loopbackAddress, type SmsFeed } from "#test-support/attack/http";

/** What one request was and how it went. */
export interface Sample {
  readonly route: "generate" | "validate";
  /** 0: no answer (a timeout or a broken connection). */
  readonly status: number;
  readonly ms: number;
  /** Whether the answer was the one the person's flow expects (202, 403 for the wrong code, 200). */
  readonly expected: boolean;
}

export interface Person {
  readonly phone: string;
  /** Their own source address: each person comes from a client of their own. */
  readonly source: string;
  /** One person in ten types a wrong code first. */
  readonly typesWrongCodeFirst: boolean;
}

const REQUEST_TIMEOUT_MS = 30_000;
const SMS_TIMEOUT_MS = 15_000;

/** Addresses people come from: 127.3.x.y, each used by few enough people to stay far below the per-source cap. */
export function sourceOf(index: number, sources: number): string {
  return loopbackAddress(3, index % sources);
}

/**
 * One person verifying their number as the page does: POST /generate, the code from the SMS,
 * sometimes a wrong code first, then POST /validate with the right one. A fresh client (its own
 * keep-alive connection, from its own address) that is closed when the person is done. Resolves
 * with whether they ended verified.
 */
export async function verifyOnePerson(
  baseUrl: string,
  feed: SmsFeed,
  person: Person,
  record: (sample: Sample) => void,
): Promise<boolean> {
  const client = new LoopbackClients(baseUrl);
  const send = async (route: Sample["route"], body: unknown, expectedStatus: number): Promise<Answer> => {
    const started = performance.now();
    const answer = await client
      .post(`/${route}`, body, person.source, REQUEST_TIMEOUT_MS)
      .catch((): Answer => ({ status: 0, body: {} }));
    record({
      route,
      status: answer.status,
      ms: performance.now() - started,
      expected: answer.status === expectedStatus,
    });
    return answer;
  };
  try {
    const generated = await send("generate", { phone: person.phone }, 202);
    if (generated.status !== 202) return false;
    const sms = await feed.next(person.phone, SMS_TIMEOUT_MS).catch(() => undefined);
    if (sms === undefined) return false;
    const code = /\b(\d{4,10})\b/.exec(sms)?.[1] ?? "";
    if (person.typesWrongCodeFirst) {
      await send("validate", { phone: person.phone, code: code === "000000" ? "111111" : "000000" }, 403);
    }
    return (await send("validate", { phone: person.phone, code }, 200)).status === 200;
  } finally {
    client.close();
  }
}
