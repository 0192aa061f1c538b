import type { APIGatewayProxyEvent } from "aws-lambda";
import { FUNCTION_SETTINGS, type RouteDefinition } from "#api-contract";
import { ansi, type DevLog } from "../log.ts";
import type { FunctionBundles, RebuildOutcome } from "./bundle.ts";
import { LocalFunction, RuntimeWorker } from "./local-function.ts";

/** Lambda-side variables a developer may set for the functions (log level, Powertools switches). */
const FUNCTION_RUNTIME_PASSTHROUGH = /^(POWERTOOLS_|AWS_LAMBDA_LOG_)/;

export interface FunctionSetOptions {
  readonly routes: readonly RouteDefinition[];
  readonly bundles: FunctionBundles;
  /** The schema variables of the functions (`functionEnvironment`). */
  readonly variables: Readonly<Record<string, string>>;
  /** The developer's environment, for the pass-through runtime switches. */
  readonly userEnv: Readonly<Record<string, string | undefined>>;
  readonly region: string;
  readonly accountId: string;
  readonly log: DevLog;
}

/** The deployed name of a route's function in the local stage. */
function localFunctionName(route: RouteDefinition): string {
  return `sms-otp-local-${route.name}`;
}

/**
 * What the Lambda runtime sets in every execution environment, then the developer's runtime
 * switches, then the function's own variables.
 */
function lambdaEnvironment(
  route: RouteDefinition,
  options: Pick<FunctionSetOptions, "variables" | "userEnv" | "region">,
): Record<string, string> {
  const functionName = localFunctionName(route);
  const passthrough: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.userEnv)) {
    if (value !== undefined && FUNCTION_RUNTIME_PASSTHROUGH.test(name)) passthrough[name] = value;
  }
  return {
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(FUNCTION_SETTINGS.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    // Emulators accept any key; these keep a developer's real credentials out of reach.
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    POWERTOOLS_SERVICE_NAME: `sms-otp-${route.name}`,
    // EMF metric lines would fill the terminal; POWERTOOLS_METRICS_DISABLED=false shows them.
    POWERTOOLS_METRICS_DISABLED: "true",
    ...passthrough,
    ...options.variables,
  };
}

/**
 * The route table's functions, each a {@link LocalFunction} on its bundle. Requests that arrive
 * before the cold starts finish wait for them; a rebuild swaps in fresh execution environments.
 */
export class FunctionSet {
  readonly #functions = new Map<string, LocalFunction>();
  readonly #log: DevLog;
  #started = false;
  #markReady: (ready: boolean) => void = () => undefined;
  readonly #ready = new Promise<boolean>((resolve) => {
    this.#markReady = resolve;
  });

  /** Runtimes booted ahead of the cold starts, by route name, until `start` hands them over. */
  readonly #booted = new Map<string, RuntimeWorker>();

  constructor(log: DevLog) {
    this.#log = log;
  }

  /**
   * Boots a runtime for each route now, while the rest of the dev server starts, so that the cold
   * starts in `start` only load the handler modules.
   */
  bootRuntimes(routes: readonly RouteDefinition[]): void {
    for (const route of routes) {
      if (!this.#booted.has(route.name)) {
        this.#booted.set(route.name, new RuntimeWorker(FUNCTION_SETTINGS.memoryMb));
      }
    }
  }

  /**
   * Cold-starts every function side by side.
   * @throws Error naming the first function whose init phase fails.
   */
  async start(options: FunctionSetOptions): Promise<void> {
    const { log } = options;
    for (const route of options.routes) {
      const prefix = log.color ? ansi.dim(`[${route.name}]`) : `[${route.name}]`;
      this.#functions.set(
        route.name,
        new LocalFunction({
          functionName: localFunctionName(route),
          moduleFile: options.bundles.moduleFile(route.name),
          handlerName: FUNCTION_SETTINGS.handlerExport,
          environment: lambdaEnvironment(route, options),
          timeoutMs: FUNCTION_SETTINGS.timeoutSeconds * 1000,
          memoryMb: FUNCTION_SETTINGS.memoryMb,
          region: options.region,
          accountId: options.accountId,
          output: (line) => log.print(`${prefix} ${line}`),
          booted: this.#booted.get(route.name),
        }),
      );
      this.#booted.delete(route.name);
    }
    const inits = await Promise.all(
      [...this.#functions].map(async ([name, fn]) => ({ name, outcome: await fn.start() })),
    );
    const failed = inits.find((init) => !init.outcome.ok);
    if (failed && !failed.outcome.ok) {
      throw new Error(`The ${failed.name} function fails its init phase: ${failed.outcome.error.message}`);
    }
    this.#started = true;
    this.#markReady(true);
  }

  /** Whether every function has cold-started. */
  get ready(): boolean {
    return this.#started;
  }

  /** Runs a route's function; waits for the cold starts when called during boot. */
  async invoke(route: RouteDefinition, event: APIGatewayProxyEvent): Promise<unknown> {
    const fn = (await this.#ready) ? this.#functions.get(route.name) : undefined;
    if (!fn) throw new Error(`the ${route.name} function is not running`);
    return fn.invoke(event);
  }

  /** After a rebuild: a fresh cold start of every function on the new bundles (`npm run dev`). */
  async reload(outcome: RebuildOutcome): Promise<void> {
    const log = this.#log;
    if (!outcome.ok) {
      log.error(
        `the functions do not build; still running the previous build:\n${outcome.errors.join("\n")}`,
      );
      return;
    }
    const reloaded = await Promise.all(
      [...this.#functions].map(async ([name, fn]) => ({ name, init: await fn.reload() })),
    );
    for (const { name, init } of reloaded) {
      if (init.ok) log.info(`↻ ${name} rebuilt in ${outcome.durationMs} ms, cold start ${init.initMs} ms`);
      else log.error(`${name} fails its init phase (requests get 502): ${init.error.message}`);
    }
  }

  /** Each function's heap in use, in bytes (undefined for one that is not running); `collect`: live heap. */
  async heapUsedBytes(collect = false): Promise<Record<string, number | undefined>> {
    const entries = await Promise.all(
      [...this.#functions].map(async ([name, fn]) => [name, await fn.heapUsedBytes(collect)] as const),
    );
    return Object.fromEntries(entries);
  }

  /** Requests still waiting for the cold starts get a 502 instead of waiting forever. */
  abandonWaiting(): void {
    this.#markReady(false);
  }

  async stop(): Promise<void> {
    this.abandonWaiting();
    const unused = [...this.#booted.values()];
    this.#booted.clear();
    await Promise.all([
      ...[...this.#functions.values()].map((fn) => fn.stop()),
      ...unused.map((runtime) => runtime.stop()),
    ]);
  }
}
