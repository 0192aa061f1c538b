import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { API_STAGE_NAME, REPO_ROOT, routes } from "#api-contract";
import type { BootedAwsThread } from "#local-aws/emulator-thread";
import { ownOrigins, serverUrl } from "./addresses.ts";
import { devServerApp, FASTIFY_OPTIONS } from "./app.ts";
import { functionEnvironment, loadDevServerConfig } from "./config.ts";
import { FunctionBundles } from "./lambda/bundle.ts";
import { FunctionSet } from "./lambda/function-set.ts";
import { type LocalStack, startLocalStack } from "./local-stack.ts";
import { consoleLog, type DevLog, silentLog } from "./log.ts";
import { buildPage, watchPage } from "./page-build.ts";
import { allStarted, isAddressInUse, Teardown } from "./teardown.ts";

/** Where `npm start` keeps function bundles between runs (rebuilt when an input changes). */
const BUNDLE_CACHE_DIR = join(REPO_ROOT, "node_modules", ".cache", "sms-otp", "functions");

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
  /**
   * The embedded emulator's thread, already booting (`npm start` boots it before the dev server's
   * modules load: main.ts). The dev server takes it over: starts it, or discards it when
   * AWS_ENDPOINT_URL points elsewhere, and stops it with the rest. Without it, the dev server
   * boots one itself.
   */
  readonly embeddedAws?: BootedAwsThread;
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

/**
 * Starts the local stack: the AWS side (local-stack.ts), the functions (bundled as CDK bundles
 * them, each in a worker thread with its own environment) and the Fastify server in front of them.
 * Independent steps run side by side.
 * @throws ConfigError for a bad variable, Error when a port is taken or a function cannot start;
 *   whatever had started is stopped again.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const bootStarted = performance.now();
  const bootWallClock = Date.now();
  const env = options.env ?? process.env;
  const log = options.log ?? (options.quiet ? silentLog : consoleLog());
  const teardown = new Teardown();
  // Handed over, so ended whatever happens below (once started, the local stack stops it first).
  const booted = options.embeddedAws;
  if (booted) teardown.add(() => booted.discard());

  try {
    const config = loadDevServerConfig(env);
    const port = options.port ?? config.port;
    const host = options.host ?? config.host;
    const workDir = await mkdtemp(join(tmpdir(), "sms-otp-dev-"));
    teardown.add(() => rm(workDir, { recursive: true, force: true }));
    const functions = new FunctionSet(log);
    // Stopped after the server (registered early, run late).
    teardown.add(() => functions.stop());
    // The functions' runtimes boot while the emulator starts; their cold starts come last.
    functions.bootRuntimes(routes);

    const [aws, bundles, webRoot] = await allStarted<[LocalStack, FunctionBundles, string | undefined]>(
      teardown,
      [
        {
          start: startLocalStack(config, {
            port: options.port === 0 ? 0 : config.localAwsPort,
            log,
            since: bootWallClock,
            embeddedAws: booted,
          }),
          stop: (stack) => stack.stop(),
        },
        {
          start: FunctionBundles.build({
            repoRoot: REPO_ROOT,
            entries: routes,
            outDir: join(workDir, "functions"),
            ...(options.watch
              ? { onRebuild: (outcome) => void functions.reload(outcome) }
              : { cacheDir: BUNDLE_CACHE_DIR }),
          }),
          stop: (built) => built.dispose(),
        },
        { start: buildPage(join(workDir, "web"), log) },
      ],
    );

    let allowedOrigins: readonly string[] = [];
    const app = Fastify(FASTIFY_OPTIONS);
    await devServerApp(app, {
      routes,
      invoke: (route, event) => functions.invoke(route, event),
      allowedOrigins: () => allowedOrigins,
      throttle: config.throttle,
      api: {
        stage: API_STAGE_NAME,
        accountId: aws.accountId,
        apiId: randomBytes(5).toString("hex"),
        // The deployed API declares no binary media types: every body reaches the function as text.
        binaryMediaTypes: [],
      },
      inbox: aws.inbox,
      webRoot,
      ready: () => functions.ready,
      turnstileSiteKey: config.page.turnstileSiteKey,
      functionHeaps: (collect) => functions.heapUsedBytes(collect),
      emulatorMemory: (collect) => aws.emulatorMemory(collect),
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
    // Runs before the close above: a request waiting for a cold start that never comes ends now.
    teardown.add(() => functions.abandonWaiting());
    const address = app.server.address();
    const boundPort = typeof address === "object" && address !== null ? address.port : port;
    const url = serverUrl(host, boundPort);

    // The CORS allow list defaults to the server's own origins, known only now.
    const variables = functionEnvironment(config, {
      tableName: aws.resources.tableName,
      smsCaptureTopicArn: aws.resources.topicArn,
      awsEndpoint: aws.endpoint,
      ownOrigins: ownOrigins(host, boundPort),
    });
    allowedOrigins = (variables.ALLOWED_ORIGINS ?? "").split(",").filter((origin) => origin !== "");
    await functions.start({
      routes,
      bundles,
      variables,
      userEnv: env,
      region: config.region,
      accountId: aws.accountId,
      log,
    });

    const webWatcher = options.watch && webRoot?.startsWith(workDir) ? watchPage(webRoot, log) : undefined;
    if (webWatcher) teardown.add(() => webWatcher.close());

    let stopping: Promise<void> | undefined;
    return {
      url,
      apiUrl: url,
      inboxUrl: `${url}/_dev/inbox`,
      awsEndpoint: aws.endpoint,
      embeddedAws: aws.embedded,
      tableName: aws.resources.tableName,
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
