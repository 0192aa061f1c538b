import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPhoneToken } from "#functions/verify-phone-token";
import { bodyOf, generateEvent, validateEvent } from "#test-support/api-gateway-event";
import { createTestStack, type TestStack } from "../support/stack.ts";
import { codeFrom, freshPhone, handlersFor, ManualClock } from "./harness.ts";

/**
 * A rotation of the service secret in the middle of a flow. DynamoDB and SNS are the emulator's;
 * Secrets Manager is not emulated here (the embedded stack has none), so its client is faked with
 * aws-sdk-client-mock, answering the version stages a rotation moves: AWSCURRENT and AWSPREVIOUS.
 */

const ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:sms-otp-token-AbCdEf";
const FIRST = "first-version-of-the-service-secret-0123456789abcdef";
const SECOND = "second-version-after-rotation-0123456789abcdefghijkl";

let stack: TestStack;
let stages: Record<string, string | undefined>;

beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(async () => {
  await stack?.cleanup();
});

/** A Secrets Manager client answering from `stages`, as Secrets Manager does after each rotation step. */
function fakeSecretsManager(): SecretsManagerClient {
  const client = new SecretsManagerClient({ region: "us-east-1" });
  mockClient(client)
    .on(GetSecretValueCommand, { SecretId: ARN })
    .callsFake(({ VersionStage }: { VersionStage?: string }) => {
      const value = stages[VersionStage ?? "AWSCURRENT"];
      if (value === undefined)
        throw new ResourceNotFoundException({ message: "no such version", $metadata: {} });
      return { SecretString: value };
    });
  return client;
}

/** A cold start of both functions with the secret from Secrets Manager. */
function coldStart(clock: ManualClock) {
  return handlersFor(
    stack,
    { OTP_TOKEN_SECRET: "", OTP_TOKEN_SECRET_ARN: ARN, OTP_TOKEN_AUDIENCE: "my-app" },
    { clock, overrides: { clients: { secrets: fakeSecretsManager() } } },
  );
}

async function codeFor(phone: string): Promise<string> {
  return codeFrom(
    (await stack.outbox.waitFor((message) => message.phone === phone, { timeoutMs: 5000 })).message,
  );
}

const verify = (token: string, secrets: string[]) =>
  verifyPhoneToken(token, { secrets, issuer: "sms-otp", audience: "my-app" });

describe("rotating the service secret mid-flow", () => {
  it("generate, rotate, validate: the code issued under the old key still validates", async () => {
    stages = { AWSCURRENT: FIRST };
    const clock = new ManualClock();
    const before = await coldStart(clock);
    const phone = freshPhone();
    expect((await before.generate(generateEvent(phone))).statusCode).toBe(202);

    stages = { AWSCURRENT: SECOND, AWSPREVIOUS: FIRST };
    const after = await coldStart(clock);
    const approved = await after.validate(validateEvent(phone, await codeFor(phone)));
    expect(approved.statusCode).toBe(200);
    // Signed with the new key, and a backend holding both versions accepts it.
    await expect(verify(String(bodyOf(approved).token), [SECOND, FIRST])).resolves.toMatchObject({ phone });
  });

  it("a warm validate meets a code hashed with a key newer than its cold start, and finds it", async () => {
    stages = { AWSCURRENT: FIRST };
    const clock = new ManualClock();
    const warm = await coldStart(clock);
    clock.advance(3600);
    stages = { AWSCURRENT: SECOND, AWSPREVIOUS: FIRST };
    const fresh = await coldStart(clock);
    const phone = freshPhone();
    expect((await fresh.generate(generateEvent(phone))).statusCode).toBe(202);
    const approved = await warm.validate(validateEvent(phone, await codeFor(phone)));
    expect(approved.statusCode).toBe(200);
    await expect(verify(String(bodyOf(approved).token), [SECOND, FIRST])).resolves.toMatchObject({ phone });
  });

  it("sign, rotate, verify: a token from before the rotation verifies with the previous version", async () => {
    stages = { AWSCURRENT: FIRST };
    const clock = new ManualClock();
    const handlers = await coldStart(clock);
    const phone = freshPhone();
    await handlers.generate(generateEvent(phone));
    const approved = await handlers.validate(validateEvent(phone, await codeFor(phone)));
    const token = String(bodyOf(approved).token);
    // The rotation: the backend now holds AWSCURRENT = SECOND, AWSPREVIOUS = FIRST.
    await expect(verify(token, [SECOND, FIRST])).resolves.toMatchObject({ phone });
    await expect(verify(token, [SECOND])).rejects.toThrow(/does not hold/);
  });
});
