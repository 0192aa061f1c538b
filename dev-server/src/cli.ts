import { ConfigError } from "#functions/config";
import { ansi, consoleLog } from "./log.ts";
import { type DevServer, type DevServerOptions, startDevServer } from "./server.ts";

/**
 * The dev server's command line (`npm start`; `npm run dev` adds `--watch`): the local stack in
 * one process, stopped cleanly on Ctrl-C or SIGTERM (exit code 0), forcibly on a second signal.
 */

const log = consoleLog();
const watchMode = process.argv.includes("--watch");
const bold = (text: string) => (log.color ? ansi.bold(text) : text);
const dim = (text: string) => (log.color ? ansi.dim(text) : text);

let server: DevServer | undefined;
let stopping = false;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    log.warn(`${signal} again: exiting without cleaning up`);
    process.exit(130);
  }
  stopping = true;
  log.info(`\n${signal}: stopping the dev server…`);
  // Still booting: the boot sees `stopping` and stops what it started.
  if (!server) return;
  try {
    await server?.stop();
    process.exit(0);
  } catch (error) {
    log.error(`could not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

/** Boots the dev server, prints where everything is, and leaves it running until a signal. */
export async function runCli(options: Pick<DevServerOptions, "embeddedAws"> = {}): Promise<void> {
  process.on("SIGINT", (signal) => void shutdown(signal));
  process.on("SIGTERM", (signal) => void shutdown(signal));

  try {
    server = await startDevServer({ log, watch: watchMode, embeddedAws: options.embeddedAws });
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error(`the dev server cannot start: ${error.message}`);
    } else {
      log.error(
        `the dev server cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    process.exit(1);
  }

  if (stopping) {
    // A signal arrived while booting: shutdown() had nothing to stop yet.
    await server.stop();
    process.exit(0);
  }

  const seconds = process.uptime().toFixed(1);
  const awsKind = server.embeddedAws ? "embedded DynamoDB + SNS/SQS" : "AWS_ENDPOINT_URL";
  log.info(
    [
      "",
      `${bold("SMS OTP dev server")} ready in ${seconds} s${watchMode ? " (watching functions/src and web/src)" : ""}`,
      "",
      `  Page          ${bold(server.url)}`,
      `  API           ${server.apiUrl}  (POST /generate, POST /validate)`,
      `  SMS inbox     ${server.inboxUrl}`,
      `  AWS endpoint  ${server.awsEndpoint}  (${awsKind}, region ${server.region})`,
      "",
      dim(
        `  Look inside:  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws --endpoint-url ${server.awsEndpoint} --region ${server.region} dynamodb scan --table-name ${server.tableName}`,
      ),
      dim("  Stop:         Ctrl-C"),
      "",
    ].join("\n"),
  );
}
