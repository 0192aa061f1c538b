import { JwtTokenSigner } from "../adapters/jwt-token-signer.ts";
import type { OtpConfig } from "../config/config.ts";
import { CodeVerifier } from "../domain/code-verifier.ts";
import { type ApiHandler, validateEndpoint } from "../http/endpoints.ts";
import { commonParts, type RuntimeOverrides } from "./common.ts";

/** The composition root of `validate`: the common parts plus the token signer. */
export async function createValidateHandler(
  config: OtpConfig,
  overrides: RuntimeOverrides = {},
): Promise<ApiHandler> {
  // Codes issued just before a rotation were hashed with the previous key.
  const { policy, store, clock, keys, log, metrics, endpoint } = await commonParts(config, overrides, {
    previousKey: true,
  });
  const tokens = new JwtTokenSigner(keys, config.token, clock);
  return validateEndpoint(new CodeVerifier({ policy, store, tokens, clock, keys, log, metrics }), endpoint);
}
