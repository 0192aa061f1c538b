import { type BootedAwsThread, startEmbeddedAwsThread, type ThreadMemory } from "#local-aws/emulator-thread";
import { type LocalResources, provisionLocalResources, SmsOutbox } from "#local-aws/resources";
import type { DevServerConfig } from "./config.ts";
import { OutboxPoller, SmsInbox } from "./inbox/sms-inbox.ts";
import { formatSmsBox } from "./inbox/terminal-box.ts";
import type { DevLog } from "./log.ts";
import { isAddressInUse, Teardown } from "./teardown.ts";

/** How often the inbox drains the SQS outbox. */
const OUTBOX_POLL_MS = 200;

export interface LocalStack {
  /** The AWS endpoint the functions use (embedded stack or AWS_ENDPOINT_URL). */
  readonly endpoint: string;
  /** Whether the endpoint is the embedded stack (false: AWS_ENDPOINT_URL). */
  readonly embedded: boolean;
  readonly resources: LocalResources;
  readonly accountId: string;
  /** The latest SMS captured since boot. */
  readonly inbox: SmsInbox;
  /** The embedded emulator's memory (its own thread), after a collection with `collect`; none for AWS_ENDPOINT_URL. */
  emulatorMemory(collect: boolean): Promise<ThreadMemory | undefined>;
  stop(): Promise<void>;
}

async function startAws(config: DevServerConfig, port: number, booted: BootedAwsThread | undefined) {
  if (config.externalAwsEndpoint) {
    // Not needed after all: never left running.
    await booted?.discard();
    return {
      endpoint: config.externalAwsEndpoint,
      embedded: false,
      stop: async () => undefined,
      memory: async (): Promise<ThreadMemory | undefined> => undefined,
    };
  }
  try {
    // In a thread of its own: its work runs beside the API's, and its data stays out of our heap.
    const options = { port, region: config.region };
    const aws = await (booted ? booted.start(options) : startEmbeddedAwsThread(options));
    return {
      endpoint: aws.endpoint,
      embedded: true,
      stop: () => aws.stop(),
      memory: (collect: boolean) => aws.memory(collect),
    };
  } catch (error) {
    if (isAddressInUse(error)) {
      throw new Error(
        `LOCAL_AWS_PORT ${port} is in use. Is LocalStack running? Use it with AWS_ENDPOINT_URL=http://localhost:${port}, or pick another port with LOCAL_AWS_PORT (0 = any free port).`,
      );
    }
    throw error;
  }
}

function accountOf(arn: string): string {
  return arn.split(":")[4] || "000000000000";
}

/**
 * The AWS side of the dev server: the embedded emulators (or the AWS_ENDPOINT_URL one), the
 * table, capture topic and SMS outbox provisioned there, and the inbox that drains the outbox
 * (SMS already waiting from before `since` are left out) and prints each SMS as a box.
 */
export async function startLocalStack(
  config: DevServerConfig,
  options: {
    readonly port: number;
    readonly log: DevLog;
    readonly since: number;
    /** The embedded emulator's thread, already booting (see DevServerOptions). */
    readonly embeddedAws?: BootedAwsThread | undefined;
  },
): Promise<LocalStack> {
  const { log } = options;
  const teardown = new Teardown();
  try {
    const aws = await startAws(config, options.port, options.embeddedAws);
    teardown.add(() => aws.stop());
    const resources = await provisionLocalResources({ endpoint: aws.endpoint, region: config.region });
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
      since: options.since,
      onError: (error) =>
        log.warn(
          `cannot read the SMS outbox (${error instanceof Error ? error.message : String(error)}); retrying`,
        ),
    });
    poller.start();
    teardown.add(() => poller.stop());
    return {
      endpoint: aws.endpoint,
      embedded: aws.embedded,
      resources,
      accountId: accountOf(resources.topicArn),
      inbox,
      emulatorMemory: (collect) => aws.memory(collect),
      stop: () => teardown.run(log),
    };
  } catch (error) {
    await teardown.run(log);
    throw error;
  }
}
