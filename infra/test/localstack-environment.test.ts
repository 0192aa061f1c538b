import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { App, Stack } from "aws-cdk-lib";
import { Asset } from "aws-cdk-lib/aws-s3-assets";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "#api-contract";
import { DEFAULT_LOCALSTACK_ENDPOINT, localStackEnvironment } from "../lib/localstack-environment.ts";
import { startFakeAwsEndpoint } from "./fake-aws-endpoint.ts";

describe("the environment deploy:local runs cdklocal with", () => {
  it("points every AWS call, S3 included, at 127.0.0.1:4566 by default, path-style", () => {
    const { endpoint, env, notes } = localStackEnvironment({ PATH: "/usr/bin" });
    expect(endpoint).toBe(DEFAULT_LOCALSTACK_ENDPOINT);
    expect(env).toEqual({
      PATH: "/usr/bin",
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      AWS_ENDPOINT_URL_S3: "http://127.0.0.1:4566",
      CDK_S3_FORCE_PATH_STYLE: "1",
    });
    expect(notes).toEqual([]);
  });

  it("uses an exported AWS_ENDPOINT_URL on this machine, and sets the S3 endpoint cdklocal insists on", () => {
    for (const exported of ["http://localhost:4566", "http://127.0.0.1:4599/", "http://[::1]:4566"]) {
      const { endpoint, env } = localStackEnvironment({ AWS_ENDPOINT_URL: exported });
      expect(endpoint).toBe(new URL(exported).origin);
      expect(env.AWS_ENDPOINT_URL_S3).toBe(endpoint);
    }
  });

  it("never follows an AWS_ENDPOINT_URL off this machine, and says so", () => {
    const { endpoint, env, notes } = localStackEnvironment({
      AWS_ENDPOINT_URL: "https://sts.us-east-1.amazonaws.com",
    });
    expect(endpoint).toBe(DEFAULT_LOCALSTACK_ENDPOINT);
    expect(env.AWS_ENDPOINT_URL).toBe(DEFAULT_LOCALSTACK_ENDPOINT);
    expect(notes.join("\n")).toMatch(
      /AWS_ENDPOINT_URL=https:\/\/sts\.us-east-1\.amazonaws\.com is not on this machine/,
    );
  });

  it("lets LOCALSTACK_ENDPOINT name a LocalStack anywhere, over AWS_ENDPOINT_URL", () => {
    const { endpoint, env } = localStackEnvironment({
      LOCALSTACK_ENDPOINT: "http://localstack:4566",
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
    });
    expect(endpoint).toBe("http://localstack:4566");
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: "http://localstack:4566",
      AWS_ENDPOINT_URL_S3: "http://localstack:4566",
      // The CLI picks path-style by itself only for loopback hosts.
      CDK_S3_FORCE_PATH_STYLE: "1",
    });
  });

  it("drops service-specific endpoints left in the shell, which would win over the LocalStack one", () => {
    const { env } = localStackEnvironment({
      AWS_ENDPOINT_URL_STS: "https://sts.amazonaws.com",
      AWS_ENDPOINT_URL_CLOUDFORMATION: "https://cloudformation.us-east-1.amazonaws.com",
      AWS_PROFILE: "work",
    });
    expect(
      Object.keys(env)
        .filter((name) => name.startsWith("AWS_ENDPOINT_URL"))
        .sort(),
    ).toEqual(["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"]);
    // cdklocal itself replaces the profile and keys with LocalStack's test credentials.
    expect(env.AWS_PROFILE).toBe("work");
  });

  it("names LOCALSTACK_ENDPOINT when it is not an endpoint URL", () => {
    expect(() => localStackEnvironment({ LOCALSTACK_ENDPOINT: "localhost 4566" })).toThrow(
      /LOCALSTACK_ENDPOINT: must be a URL such as http:\/\/127\.0\.0\.1:4566/,
    );
    expect(() => localStackEnvironment({ LOCALSTACK_ENDPOINT: "http://127.0.0.1:4566/_aws" })).toThrow(
      /LOCALSTACK_ENDPOINT: must be an http\(s\) URL with no path/,
    );
  });
});

describe("cdklocal with that environment", () => {
  it("sends every request of a deploy to the loopback endpoint, assets to path-style S3", async () => {
    const workDir = mkdtempSync(join(tmpdir(), "sms-otp-cdklocal-"));
    const fake = await startFakeAwsEndpoint();
    try {
      // A one-asset app without resources: the CLI publishes the asset and template, then skips
      // the stack. What is checked is where cdklocal and the CLI send requests, not the stack.
      writeFileSync(join(workDir, "payload.txt"), "asset\n");
      const app = new App({ outdir: join(workDir, "cdk.out"), analyticsReporting: false });
      new Asset(new Stack(app, "Probe"), "Payload", { path: join(workDir, "payload.txt") });
      app.synth();

      await promisify(execFile)(
        process.execPath,
        [
          join(REPO_ROOT, "infra", "bin", "cdklocal.ts"),
          "deploy",
          "--app",
          join(workDir, "cdk.out"),
          "--require-approval",
          "never",
          "--no-notices",
        ],
        {
          cwd: workDir,
          env: {
            PATH: process.env.PATH,
            HOME: workDir,
            // The CLI keeps its cache (accounts by access key, among others) under the user's
            // home from the password database, not HOME; this keeps it out of the real one.
            CDK_HOME: join(workDir, ".cdk"),
            CDK_DISABLE_CLI_TELEMETRY: "true",
            LOCALSTACK_ENDPOINT: fake.url,
          },
          timeout: 60_000,
        },
      );

      const requests = fake.requests;
      expect(requests.filter((request) => request.host !== new URL(fake.url).host)).toEqual([]);
      expect(new Set(requests.map((request) => request.service))).toEqual(
        new Set(["sts", "ssm", "cloudformation", "s3"]),
      );
      const uploads = requests.filter((request) => request.service === "s3" && request.method === "PUT");
      expect(uploads.length).toBeGreaterThan(0);
      for (const request of requests.filter((r) => r.service === "s3")) {
        expect(request.url).toMatch(/^\/cdk-hnb659fds-assets-000000000000-us-east-1(\/|\?)/);
      }
    } finally {
      await fake.close();
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
