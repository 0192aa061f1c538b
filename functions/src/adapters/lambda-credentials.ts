import { fromEnv } from "@aws-sdk/credential-provider-env";

/**
 * Replaces `@aws-sdk/credential-provider-node` in the function bundles (an esbuild alias in the
 * contract's FUNCTION_BUILD_OPTIONS): the SDK clients import that default chain statically, and
 * it weighs about 117 KiB (SSO, profiles, process, web identity, IMDS and the STS/SSO clients)
 * that a Lambda function never runs. Lambda hands the execution role's credentials to the function
 * in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, the chain's first link,
 * which is all that is kept. The dev server and LocalStack set the same variables. Outside Lambda
 * (a profile, SSO, an EC2 or ECS role) the bundle would not find credentials; the sources, run
 * unbundled, still use the full chain.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
