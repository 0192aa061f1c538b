import { createSnsClient } from "../adapters/aws-clients.ts";
import { SnsSmsSender } from "../adapters/sns-sms-sender.ts";
import { TurnstileChallenge } from "../adapters/turnstile-challenge.ts";
import type { OtpConfig } from "../config/config.ts";
import { CodeSender } from "../domain/code-sender.ts";
import { type ApiHandler, generateEndpoint } from "../http/endpoints.ts";
import { commonParts, type RuntimeOverrides } from "./common.ts";

/** The composition root of `generate`: the common parts, the SMS sender and the bot challenge. */
export async function createGenerateHandler(
  config: OtpConfig,
  overrides: RuntimeOverrides = {},
): Promise<ApiHandler> {
  // New codes are hashed with the current key only.
  const { policy, store, clock, keys, log, metrics, endpoint } = await commonParts(config, overrides, {
    previousKey: false,
  });
  const sms =
    overrides.sms ?? new SnsSmsSender(overrides.clients?.sns ?? createSnsClient(config.aws), config.sms);
  const secretKey = config.challenge.turnstileSecretKey;
  const challenge = overrides.challenge ?? (secretKey ? new TurnstileChallenge({ secretKey }) : undefined);
  return generateEndpoint(
    new CodeSender({ policy, store, sms, clock, keys, log, metrics, challenge }),
    endpoint,
  );
}
