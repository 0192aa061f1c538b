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
  const { policy, store, clock, hasher, secret, log, metrics, endpoint } = await commonParts(
    config,
    overrides,
  );
  const tokens = new JwtTokenSigner({ ...config.token, secret }, clock);
  return validateEndpoint(new CodeVerifier({ policy, store, tokens, clock, hasher, log, metrics }), endpoint);
}
