import { App, type AppProps } from "aws-cdk-lib";
import { addNagPacks } from "./nag.ts";
import { OtpStack } from "./otp-stack.ts";
import { readStageSettings } from "./settings.ts";

/**
 * Builds the CDK app for the stage named in context (`-c stage=prod|local`). Only that stage's
 * stack is in the app, so `cdk deploy` / `cdklocal deploy` need no stack name. The stack is
 * environment-agnostic (account and region come from the deploying credentials) and does no
 * lookups, so synthesis needs neither AWS credentials nor network. With `-c nag=true` the cdk-nag
 * packs check the app during synth.
 */
export function buildApp(props: AppProps = {}): { app: App; stack: OtpStack } {
  // Template metadata that reports library versions to AWS: off, and LocalStack has no use for it.
  const app = new App({ analyticsReporting: false, ...props });
  const settings = readStageSettings(app.node.getAllContext());
  if (settings.nag) addNagPacks(app);
  const stack = new OtpStack(app, settings.stackName, {
    settings,
    description: `SMS one-time passcode service (${settings.stage} stage)`,
  });
  return { app, stack };
}
