import type { DevLog } from "./log.ts";

/** Undo steps, run last-first; each runs even when an earlier one fails. */
export class Teardown {
  readonly #steps: (() => Promise<unknown> | unknown)[] = [];

  add(step: () => Promise<unknown> | unknown): void {
    this.#steps.push(step);
  }

  async run(log: DevLog): Promise<void> {
    while (this.#steps.length > 0) {
      const step = this.#steps.pop();
      try {
        await step?.();
      } catch (error) {
        log.warn(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** Runs startup steps side by side; when one fails, whatever the others started is still torn down. */
export async function allStarted<T extends readonly unknown[]>(
  teardown: Teardown,
  steps: { [K in keyof T]: { start: Promise<T[K]>; stop?: (value: T[K]) => Promise<unknown> | unknown } },
): Promise<T> {
  const settled = await Promise.allSettled(steps.map((step) => step.start));
  settled.forEach((outcome, index) => {
    const stop = steps[index]?.stop;
    if (outcome.status === "fulfilled" && stop) teardown.add(() => stop(outcome.value));
  });
  const failed = settled.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export function isAddressInUse(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === "EADDRINUSE";
}
