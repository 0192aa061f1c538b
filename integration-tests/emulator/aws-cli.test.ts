import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "#local-aws/resources";
import { createTestStack, type TestStack } from "../support/stack.ts";

/**
 * A real client other than the SDK: the AWS CLI (CI installs Debian's `awscli`, whose SQS calls
 * still use the query protocol) pointed at the backend with --endpoint-url sees what the SDK wrote.
 */

const run = promisify(execFile);

/** Dummy credentials only, and nothing from the developer's ~/.aws that could redirect the CLI. */
function cliEnv(region: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_PAGER: "",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  for (const name of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE"])
    delete env[name];
  return env;
}

/** The CLI's version line, or why there is no working CLI (a pyenv shim without aws behind it fails here). */
async function probeAwsCli(): Promise<{ version: string } | { reason: string }> {
  try {
    const { stdout, stderr } = await run("aws", ["--version"], { env: cliEnv("us-east-1"), timeout: 30_000 });
    return { version: (stdout || stderr).trim() };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { reason: `no working \`aws\` on PATH (${detail}); CI installs Debian's awscli` };
  }
}

const cli = await probeAwsCli();
if ("reason" in cli) console.log(`[integration] skipping the AWS CLI tests: ${cli.reason}`);

describe.skipIf("reason" in cli)("the AWS CLI against the backend", () => {
  let stack: TestStack;
  let sns: SNSClient;

  beforeAll(async () => {
    stack = await createTestStack();
    sns = new SNSClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: EMULATOR_CREDENTIALS,
    });
    if ("version" in cli)
      console.log(`[integration] ${cli.version} against ${stack.backend} at ${stack.endpoint}`);
  });

  afterAll(async () => {
    sns?.destroy();
    await stack?.cleanup();
  });

  async function aws(...args: string[]): Promise<unknown> {
    const { stdout } = await run("aws", ["--endpoint-url", stack.endpoint, "--output", "json", ...args], {
      env: cliEnv(stack.region),
      timeout: 30_000,
    });
    return stdout.trim() === "" ? {} : JSON.parse(stdout);
  }

  it("dynamodb scan lists an item the SDK wrote", async () => {
    await stack.dynamo.send(
      new PutItemCommand({
        TableName: stack.resources.tableName,
        Item: { pk: { S: "CLI#written-by-sdk" }, note: { S: "hello from the SDK" } },
      }),
    );
    const result = (await aws("dynamodb", "scan", "--table-name", stack.resources.tableName)) as {
      Items?: Record<string, unknown>[];
    };
    expect(result.Items).toContainEqual({
      pk: { S: "CLI#written-by-sdk" },
      note: { S: "hello from the SDK" },
    });
  });

  it("sqs receive-message reads an SMS the SDK published to the capture topic", async () => {
    await sns.send(
      new PublishCommand({
        TopicArn: stack.resources.topicArn,
        Message: "424242 is your Demo verification code.",
        MessageAttributes: { phone: { DataType: "String", StringValue: "+14155550199" } },
      }),
    );
    const result = (await aws(
      "sqs",
      "receive-message",
      "--queue-url",
      stack.resources.queueUrl,
      "--message-attribute-names",
      "All",
      "--attribute-names",
      "All",
      "--max-number-of-messages",
      "10",
      "--wait-time-seconds",
      "5",
    )) as { Messages?: { Body?: string; MessageAttributes?: Record<string, { StringValue?: string }> }[] };
    expect(result.Messages).toHaveLength(1);
    expect(result.Messages?.[0]?.Body).toBe("424242 is your Demo verification code.");
    expect(result.Messages?.[0]?.MessageAttributes?.phone?.StringValue).toBe("+14155550199");
  });
});
