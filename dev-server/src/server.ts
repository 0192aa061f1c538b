import { randomBytes } from "node:crypto";
import { existsSync, type FSWatcher, watch } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { API_STAGE_NAME, type RouteDefinition, routes } from "../../functions/src/http/routes.ts";
import { devServerApp, FASTIFY_OPTIONS } from "./app.ts";
import { type DevServerConfig, functionEnvironment, loadDevServerConfig, ownOrigins } from "./config.ts";
import { OutboxPoller, SmsInbox } from "./inbox/sms-inbox.ts";
import { formatSmsBox } from "./inbox/terminal-box.ts";
import { FunctionBundles, type RebuildOutcome } from "./lambda/bundle.ts";
import { LocalFunction } from "./lambda/local-function.ts";
import { startEmbeddedAws } from "./local-aws/embedded-aws.ts";
import { provisionLocalResources } from "./local-aws/provision.ts";
import { SmsOutbox } from "./local-aws/sms-outbox.ts";
import { ansi, consoleLog, type DevLog, silentLog } from "./log.ts";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

// The deployed function settings (infra/lib/otp-function.ts).
const FUNCTION_MEMORY_MB = 256;
const FUNCTION_TIMEOUT_MS = 10_000;
/** How often the inbox drains the SQS outbox. */
const OUTBOX_POLL_MS = 200;
/** Lambda-side variables a developer may set for the functions (log level, Powertools switches). */
const FUNCTION_RUNTIME_PASSTHROUGH = /^(POWERTOOLS_|AWS_LAMBDA_LOG_)/;

export interface DevServerOptions {
  /** Overrides PORT; 0 picks free ports for the server and the embedded AWS endpoint (tests). */
  readonly port?: number;
  /** Overrides HOST (default localhost). */
  readonly host?: string;
  /** The environment to read instead of `process.env` (tests pass only what they mean). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Print nothing (tests). */
  readonly quiet?: boolean;
  /** Rebuild and reload the functions (and the page) when their sources change (`npm run dev`). */
  readonly watch?: boolean;
  /** Where output goes; overrides `quiet`. */
  readonly log?: DevLog;
}

export interface DevServer {
  /** The page, e.g. http://localhost:3000 */
  readonly url: string;
  /** The API base: the same origin (POST {apiUrl}/generate). */
  readonly apiUrl: string;
  readonly inboxUrl: string;
  /** The AWS endpoint the functions use (embedded stack or AWS_ENDPOINT_URL). */
  readonly awsEndpoint: string;
  /** Whether the endpoint is the embedded stack (false: AWS_ENDPOINT_URL). */
  readonly embeddedAws: boolean;
  readonly tableName: string;
  readonly region: string;
  /** Milliseconds from the call to ready. */
  readonly bootMs: number;
  stop(): Promise<void>;
}

/** Undo steps, run last-first; each runs even when an earlier one fails. */
class Teardown {
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

function isAddressInUse(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === "EADDRINUSE";
}

/** Runs startup steps side by side; when one fails, whatever the others started is still torn down. */
async function allStarted<T extends readonly unknown[]>(
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

async function startAws(config: DevServerConfig, port: number) {
  if (config.externalAwsEndpoint) {
    return { endpoint: config.externalAwsEndpoint, embedded: false, stop: async () => undefined };
  }
  try {
    const aws = await startEmbeddedAws({ port, region: config.region });
    return { endpoint: aws.endpoint, embedded: true, stop: () => aws.stop() };
  } catch (error) {
    if (isAddressInUse(error)) {
      throw new Error(
        `LOCAL_AWS_PORT ${port} is in use. Is LocalStack running? Use it with AWS_ENDPOINT_URL=http://localhost:${port}, or pick another port with LOCAL_AWS_PORT (0 = any free port).`,
      );
    }
    throw error;
  }
}

/** The page: web/build.ts into the server's own directory (no race with other builds), else web/dist. */
async function buildPage(outDir: string, log: DevLog): Promise<string | undefined> {
  try {
    const { buildWeb } = await import("../../web/build.ts");
    await buildWeb({ outDir });
    return outDir;
  } catch (error) {
    const dist = join(REPO_ROOT, "web", "dist");
    const fallback = existsSync(join(dist, "index.html")) ? dist : undefined;
    log.warn(
      `the page did not build (${error instanceof Error ? error.message : String(error)}); ${
        fallback ? "serving web/dist" : "serving a placeholder page"
      }`,
    );
    return fallback;
  }
}

function watchPage(outDir: string, log: DevLog): FSWatcher | undefined {
  const sources = join(REPO_ROOT, "web", "src");
  if (!existsSync(sources)) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(sources, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const started = performance.now();
      try {
        const { buildWeb } = await import("../../web/build.ts");
        await buildWeb({ outDir });
        log.info(`↻ page rebuilt in ${Math.round(performance.now() - started)} ms (reload the browser)`);
      } catch (error) {
        log.error(`the page does not build: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, 100);
  });
  return watcher;
}

function serverUrl(host: string, port: number): string {
  const shown = ["localhost", "0.0.0.0", "::", ""].includes(host) ? "localhost" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

function accountOf(arn: string): string {
  return arn.split(":")[4] || "000000000000";
}

function lambdaEnvironment(
  functionVariables: Record<string, string>,
  route: RouteDefinition,
  functionName: string,
  region: string,
  userEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const passthrough: Record<string, string> = {};
  for (const [name, value] of Object.entries(userEnv)) {
    if (value !== undefined && FUNCTION_RUNTIME_PASSTHROUGH.test(name)) passthrough[name] = value;
  }
  return {
    // What the Lambda runtime sets in every execution environment.
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(FUNCTION_MEMORY_MB),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // Emulators accept any key; these keep a developer's real credentials out of reach.
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    POWERTOOLS_SERVICE_NAME: `sms-otp-${route.name}`,
    ...passthrough,
    ...functionVariables,
  };
}

/**
 * Starts the local stack: the embedded AWS emulators (or the AWS_ENDPOINT_URL one), the table,
 * capture topic and SMS outbox, the functions (bundled as CDK bundles them, each in a worker
 * thread with its own environment) and the Fastify server in front of them.
 * @throws ConfigError for a bad variable, Error when a port is taken or a function cannot start;
 *   whatever had started is stopped again.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const bootStarted = performance.now();
  const bootWallClock = Date.now();
  const env = options.env ?? process.env;
  const log = options.log ?? (options.quiet ? silentLog : consoleLog());
  const config = loadDevServerConfig(env);
  const port = options.port ?? config.port;
  const host = options.host ?? config.host;
  const awsPort = options.port === 0 ? 0 : config.localAwsPort;
  const teardown = new Teardown();

  try {
    const workDir = await mkdtemp(join(tmpdir(), "sms-otp-dev-"));
    teardown.add(() => rm(workDir, { recursive: true, force: true }));

    const functionsByName = new Map<string, LocalFunction>();
    // Stopped after the server and the poller (registered early, run late).
    teardown.add(() => Promise.all([...functionsByName.values()].map((fn) => fn.stop())));
    const onRebuild = async (outcome: RebuildOutcome) => {
      if (!outcome.ok) {
        log.error(
          `the functions do not build; still running the previous build:\n${outcome.errors.join("\n")}`,
        );
        return;
      }
      const reloaded = await Promise.all(
        [...functionsByName].map(async ([name, fn]) => ({ name, outcome: await fn.reload() })),
      );
      for (const { name, outcome: init } of reloaded) {
        if (init.ok) log.info(`↻ ${name} rebuilt in ${outcome.durationMs} ms, cold start ${init.initMs} ms`);
        else log.error(`${name} fails its init phase (requests get 502): ${init.error.message}`);
      }
    };

    const [aws, bundles, webRoot] = await allStarted<
      [Awaited<ReturnType<typeof startAws>>, FunctionBundles, string | undefined]
    >(teardown, [
      { start: startAws(config, awsPort), stop: (started) => started.stop() },
      {
        start: FunctionBundles.build({
          repoRoot: REPO_ROOT,
          entries: routes.map((route) => ({ name: route.name, entry: route.entry })),
          outDir: join(workDir, "functions"),
          ...(options.watch ? { onRebuild: (outcome) => void onRebuild(outcome) } : {}),
        }),
        stop: (built) => built.dispose(),
      },
      { start: buildPage(join(workDir, "web"), log) },
    ]);

    const resources = await provisionLocalResources({ endpoint: aws.endpoint, region: config.region });
    const accountId = accountOf(resources.topicArn);

    const inbox = new SmsInbox();
    inbox.subscribe((sms) => log.print(formatSmsBox(sms, log.color)));
    const outbox = new SmsOutbox({
      queueUrl: resources.queueUrl,
      endpoint: aws.endpoint,
      region: config.region,
    });
    teardown.add(() => outbox.close());
    const poller = new OutboxPoller(outbox, inbox, {
      intervalMs: OUTBOX_POLL_MS,
      since: bootWallClock,
      onError: (error) =>
        log.warn(
          `cannot read the SMS outbox (${error instanceof Error ? error.message : String(error)}); retrying`,
        ),
    });
    poller.start();
    teardown.add(() => poller.stop());

    // Requests that arrive between listen and the functions' cold start wait for it.
    let functionsReady: (ready: boolean) => void = () => undefined;
    const ready = new Promise<boolean>((resolvePromise) => {
      functionsReady = resolvePromise;
    });
    let allowedOrigins: readonly string[] = [];
    const app = Fastify(FASTIFY_OPTIONS);
    await devServerApp(app, {
      routes,
      invoke: async (route, event) => {
        const fn = (await ready) ? functionsByName.get(route.name) : undefined;
        if (!fn) throw new Error(`the ${route.name} function is not running`);
        return fn.invoke(event);
      },
      allowedOrigins: () => allowedOrigins,
      throttle: config.throttle,
      api: {
        stage: API_STAGE_NAME,
        accountId,
        apiId: randomBytes(5).toString("hex"),
        // The deployed API declares no binary media types: every body reaches the function as text.
        binaryMediaTypes: [],
      },
      inbox,
      webRoot,
      log,
    });
    try {
      await app.listen({ port, host });
    } catch (error) {
      if (isAddressInUse(error)) {
        throw new Error(
          `PORT ${port} is in use. Stop whatever uses it, or pick another port with PORT (0 = any free port).`,
        );
      }
      throw error;
    }
    teardown.add(() => app.close());
    teardown.add(() => functionsReady(false));
    const address = app.server.address();
    const boundPort = typeof address === "object" && address !== null ? address.port : port;
    const url = serverUrl(host, boundPort);

    const functionVariables = functionEnvironment(config, {
      tableName: resources.tableName,
      smsCaptureTopicArn: resources.topicArn,
      awsEndpoint: aws.endpoint,
      ownOrigins: ownOrigins(host, boundPort),
    });
    allowedOrigins = (functionVariables.ALLOWED_ORIGINS ?? "").split(",").filter((origin) => origin !== "");

    for (const route of routes) {
      const functionName = `sms-otp-local-${route.name}`;
      const prefix = log.color ? ansi.dim(`[${route.name}]`) : `[${route.name}]`;
      functionsByName.set(
        route.name,
        new LocalFunction({
          functionName,
          moduleFile: bundles.moduleFile(route.name),
          handlerName: "handler",
          environment: lambdaEnvironment(functionVariables, route, functionName, config.region, env),
          timeoutMs: FUNCTION_TIMEOUT_MS,
          memoryMb: FUNCTION_MEMORY_MB,
          region: config.region,
          accountId,
          output: (line) => log.print(`${prefix} ${line}`),
        }),
      );
    }
    const inits = await Promise.all(
      [...functionsByName].map(async ([name, fn]) => ({ name, outcome: await fn.start() })),
    );
    const failed = inits.find((init) => !init.outcome.ok);
    if (failed && !failed.outcome.ok) {
      throw new Error(`The ${failed.name} function fails its init phase: ${failed.outcome.error.message}`);
    }
    functionsReady(true);
    const webWatcher = options.watch && webRoot?.startsWith(workDir) ? watchPage(webRoot, log) : undefined;
    if (webWatcher) teardown.add(() => webWatcher.close());

    let stopping: Promise<void> | undefined;
    return {
      url,
      apiUrl: url,
      inboxUrl: `${url}/_dev/inbox`,
      awsEndpoint: aws.endpoint,
      embeddedAws: aws.embedded,
      tableName: resources.tableName,
      region: config.region,
      bootMs: Math.round(performance.now() - bootStarted),
      stop() {
        stopping ??= teardown.run(log);
        return stopping;
      },
    };
  } catch (error) {
    await teardown.run(log);
    throw error;
  }
}
