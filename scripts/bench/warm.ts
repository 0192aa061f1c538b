import { Logger } from "@aws-lambda-powertools/logger";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { loadConfig } from "#functions/config";
import { createAwsClients, createHandlers } from "#functions/runtime";
import type { LocalResources } from "#local-aws/resources";
import { SmsOutbox } from "#local-aws/resources";
import { generateEvent, validateEvent } from "#test-support/api-gateway-event";
import { median, percentile } from "./report.ts";

export interface WarmMeasure {
  /** p50 of one DynamoDB GetItem on the same endpoint: what any request pays at least once. */
  readonly floorMs: number;
  readonly generateMs: readonly number[];
  readonly validateMs: readonly number[];
  readonly generatesPerSecond: number;
  readonly heapAfterWarmupBytes: number;
  readonly heapGrowthBytes: number;
  readonly flows: number;
}

const timed = async <T>(samples: number[], work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await work();
  samples.push(performance.now() - started);
  return result;
};

/**
 * Warm handlers in this process against the emulator: sequential flows (generate, read the SMS,
 * validate) for latency, 16 generates in flight for throughput, and the heap before and after.
 */
export async function measureWarm(endpoint: string, resources: LocalResources): Promise<WarmMeasure> {
  const env = {
    STAGE: "local",
    TABLE_NAME: resources.tableName,
    SMS_CAPTURE_TOPIC_ARN: resources.topicArn,
    AWS_ENDPOINT_URL: endpoint,
    OTP_TOKEN_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    // Every limit and fraud rule is still evaluated, with bounds the run never reaches: 600 codes
    // from one source to one number range, most never used, is what the rules exist to stop.
    OTP_MAX_SENDS_PER_IP_PER_HOUR: "100000",
    OTP_MAX_SENDS_PER_HOUR_TOTAL: "100000",
    OTP_MAX_SENDS_PER_COUNTRY_PER_HOUR: "*=100000",
    OTP_FRAUD_MIN_CONVERSION: "0",
    OTP_FRAUD_COUNTRY_MIN_CONVERSION: "0",
  };
  // As in the dev server: the EMF line per request would bury the report; metrics are still recorded, only not printed.
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  const config = loadConfig(env);
  const clients = createAwsClients(config.aws);
  const handlers = await createHandlers(config, { clients, logger: new Logger({ logLevel: "SILENT" }) });
  const outbox = new SmsOutbox({ endpoint, queueUrl: resources.queueUrl });
  const phones = Array.from({ length: 600 }, (_, i) => `+1415555${String(2000 + i).padStart(4, "0")}`);

  const floor: number[] = [];
  for (let i = 0; i < 200; i++) {
    await timed(floor, () =>
      clients.dynamo.send(
        new GetItemCommand({ TableName: resources.tableName, Key: { pk: { S: "bench" } } }),
      ),
    );
  }

  for (const phone of phones.slice(0, 20)) await handlers.generate(generateEvent(phone));
  await outbox.drain();
  global.gc?.();
  const heapAfterWarmupBytes = process.memoryUsage().heapUsed;

  const generateMs: number[] = [];
  const validateMs: number[] = [];
  for (const phone of phones.slice(20, 220)) {
    const generated = await timed(generateMs, () => handlers.generate(generateEvent(phone)));
    if (generated.statusCode !== 202)
      throw new Error(`generate answered ${generated.statusCode}: ${generated.body}`);
    const sms = await outbox.waitFor((message) => message.phone === phone, { timeoutMs: 5000 });
    const code = sms.message.slice(0, config.otp.length);
    const validated = await timed(validateMs, () => handlers.validate(validateEvent(phone, code)));
    if (validated.statusCode !== 200)
      throw new Error(`validate answered ${validated.statusCode}: ${validated.body}`);
  }

  const concurrent = phones.slice(220);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < concurrent.length) {
        const result = await handlers.generate(generateEvent(concurrent[next++] ?? ""));
        if (result.statusCode !== 202) throw new Error(`generate answered ${result.statusCode}`);
      }
    }),
  );
  const generatesPerSecond = concurrent.length / ((performance.now() - started) / 1000);
  await outbox.drain();
  outbox.close();
  global.gc?.();
  return {
    floorMs: median(floor),
    generateMs,
    validateMs,
    generatesPerSecond,
    heapAfterWarmupBytes,
    heapGrowthBytes: process.memoryUsage().heapUsed - heapAfterWarmupBytes,
    flows: phones.length - 20,
  };
}

export { percentile };
