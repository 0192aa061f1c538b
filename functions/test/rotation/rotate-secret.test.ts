import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import type { SecretsManagerRotationEvent, SecretsManagerRotationEventStep } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RotationError, rotateSecret } from "../../src/rotation/rotate-secret.ts";
import { isServiceSecretValue, SERVICE_SECRET_FORM } from "../../src/rotation/secret-form.ts";

/*
 * The embedded emulator (local-aws) has no Secrets Manager, and LocalStack's rotation schedule is
 * a stub, so the steps run against a small in-memory model of one secret's versions and staging
 * labels, answered through aws-sdk-client-mock: labels move the way Secrets Manager moves them.
 */

const SECRET_ID = "arn:aws:secretsmanager:us-east-1:000000000000:secret:TokenSecret-AbCdEf";
const OLD_VERSION = "00000000-0000-4000-8000-000000000001";
const NEW_VERSION = "00000000-0000-4000-8000-000000000002";
const OLD_VALUE = "A".repeat(32) + "0".repeat(32);

interface Version {
  value: string | undefined;
  stages: Set<string>;
}

class SecretModel {
  rotationEnabled = true;
  readonly versions = new Map<string, Version>([
    [OLD_VERSION, { value: OLD_VALUE, stages: new Set(["AWSCURRENT"]) }],
  ]);
  randomValues = 0;

  /** What Secrets Manager does when a rotation starts: a new version, staged AWSPENDING, no value yet. */
  startRotation(token: string): void {
    this.versions.set(token, { value: undefined, stages: new Set(["AWSPENDING"]) });
  }

  holderOf(stage: string): string | undefined {
    return [...this.versions].find(([, version]) => version.stages.has(stage))?.[0];
  }

  stagesOf(versionId: string): string[] {
    return [...(this.versions.get(versionId)?.stages ?? [])].sort();
  }

  moveStage(stage: string, to: string): void {
    for (const version of this.versions.values()) version.stages.delete(stage);
    this.versions.get(to)?.stages.add(stage);
  }
}

const secretsMock = mockClient(SecretsManagerClient);
let model: SecretModel;
let logged: string[];

function notFound(): ResourceNotFoundException {
  return new ResourceNotFoundException({
    message: "Secrets Manager can't find the specified secret value",
    $metadata: {},
  });
}

beforeEach(() => {
  model = new SecretModel();
  logged = [];
  secretsMock.on(DescribeSecretCommand).callsFake(() => ({
    ARN: SECRET_ID,
    RotationEnabled: model.rotationEnabled,
    VersionIdsToStages: Object.fromEntries(
      [...model.versions].map(([id, version]) => [id, [...version.stages]]),
    ),
  }));
  secretsMock.on(GetSecretValueCommand).callsFake((input: { VersionId?: string; VersionStage?: string }) => {
    const versionId =
      input.VersionId ?? (input.VersionStage ? model.holderOf(input.VersionStage) : undefined);
    const version = versionId ? model.versions.get(versionId) : undefined;
    if (!version || version.value === undefined) throw notFound();
    if (input.VersionStage && !version.stages.has(input.VersionStage)) throw notFound();
    return { ARN: SECRET_ID, VersionId: versionId, SecretString: version.value };
  });
  secretsMock.on(GetRandomPasswordCommand).callsFake(() => {
    model.randomValues += 1;
    const value = `${"x".repeat(SERVICE_SECRET_FORM.length - 2)}${String(model.randomValues).padStart(2, "0")}`;
    return { RandomPassword: value };
  });
  secretsMock
    .on(PutSecretValueCommand)
    .callsFake((input: { ClientRequestToken: string; SecretString: string; VersionStages: string[] }) => {
      const version = model.versions.get(input.ClientRequestToken) ?? { value: undefined, stages: new Set() };
      if (version.value !== undefined && version.value !== input.SecretString) {
        throw new Error("ResourceExistsException: a version with this token and another value exists");
      }
      version.value = input.SecretString;
      model.versions.set(input.ClientRequestToken, version);
      for (const stage of input.VersionStages) model.moveStage(stage, input.ClientRequestToken);
      return { ARN: SECRET_ID, VersionId: input.ClientRequestToken };
    });
  secretsMock
    .on(UpdateSecretVersionStageCommand)
    .callsFake((input: { VersionStage: string; MoveToVersionId: string; RemoveFromVersionId?: string }) => {
      const holder = model.holderOf(input.VersionStage);
      if (holder !== undefined && holder !== input.MoveToVersionId && holder !== input.RemoveFromVersionId) {
        throw new Error("InvalidParameterException: the label is attached to another version");
      }
      model.moveStage(input.VersionStage, input.MoveToVersionId);
      if (input.VersionStage === "AWSCURRENT" && holder !== undefined && holder !== input.MoveToVersionId) {
        model.moveStage("AWSPREVIOUS", holder);
      }
      return { ARN: SECRET_ID };
    });
});

afterEach(() => {
  secretsMock.reset();
});

const dependencies = () => ({
  secrets: new SecretsManagerClient({ region: "us-east-1" }),
  log: {
    info: (message: string, fields: Readonly<Record<string, string>>) =>
      logged.push(message, JSON.stringify(fields)),
  },
});

function step(name: SecretsManagerRotationEventStep, token = NEW_VERSION): Promise<void> {
  const event: SecretsManagerRotationEvent = { Step: name, SecretId: SECRET_ID, ClientRequestToken: token };
  return rotateSecret(event, dependencies());
}

const STEPS: readonly SecretsManagerRotationEventStep[] = [
  "createSecret",
  "setSecret",
  "testSecret",
  "finishSecret",
];

describe("rotating the service secret", () => {
  it("makes a new 64-character alphanumeric value current and keeps the old one as AWSPREVIOUS", async () => {
    model.startRotation(NEW_VERSION);
    for (const name of STEPS) await step(name);

    expect(model.stagesOf(NEW_VERSION)).toEqual(["AWSCURRENT", "AWSPENDING"]);
    expect(model.stagesOf(OLD_VERSION)).toEqual(["AWSPREVIOUS"]);
    const newValue = model.versions.get(NEW_VERSION)?.value ?? "";
    expect(isServiceSecretValue(newValue)).toBe(true);
    expect(newValue).not.toBe(OLD_VALUE);
    expect(secretsMock.commandCalls(GetRandomPasswordCommand)[0]?.args[0].input).toEqual({
      PasswordLength: 64,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
  });

  it("gives the same result when Secrets Manager retries every step", async () => {
    model.startRotation(NEW_VERSION);
    for (const name of STEPS) {
      await step(name);
      await step(name);
    }
    expect(model.stagesOf(NEW_VERSION)).toContain("AWSCURRENT");
    expect(model.stagesOf(OLD_VERSION)).toEqual(["AWSPREVIOUS"]);
    expect(model.randomValues).toBe(1);
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
  });

  it("does nothing for a version that is already current", async () => {
    for (const name of STEPS) await step(name, OLD_VERSION);
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    expect(model.stagesOf(OLD_VERSION)).toEqual(["AWSCURRENT"]);
  });

  it("sets nothing outside Secrets Manager: setSecret only checks the version", async () => {
    model.startRotation(NEW_VERSION);
    await step("createSecret");
    const callsBefore = secretsMock.calls().length;
    await step("setSecret");
    expect(
      secretsMock
        .calls()
        .slice(callsBefore)
        .map((call) => call.args[0].constructor.name),
    ).toEqual(["DescribeSecretCommand"]);
  });

  it("fails the test step for a pending value of another form, so the rotation never finishes", async () => {
    model.startRotation(NEW_VERSION);
    const pending = model.versions.get(NEW_VERSION);
    if (pending) pending.value = "too-short";
    await expect(step("testSecret")).rejects.toThrow(/is not 64 letters and digits/);
    expect(model.stagesOf(OLD_VERSION)).toEqual(["AWSCURRENT"]);
  });

  it.each([
    ["rotation is off", () => (model.rotationEnabled = false), /Rotation is not enabled/],
    ["the token is no version of the secret", () => undefined, /is not a version of/],
    [
      "the token is not the pending version",
      () => model.versions.set(NEW_VERSION, { value: "y".repeat(64), stages: new Set() }),
      /is not the pending version/,
    ],
  ])("refuses every step when %s, writing nothing", async (_case, arrange, message) => {
    arrange();
    for (const name of STEPS) await expect(step(name)).rejects.toThrow(message);
    await expect(step("createSecret")).rejects.toBeInstanceOf(RotationError);
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  it("refuses an unknown step", async () => {
    model.startRotation(NEW_VERSION);
    await expect(step("rollbackSecret" as SecretsManagerRotationEventStep)).rejects.toThrow(
      /Unknown rotation step/,
    );
  });

  it("logs ids and steps, never a secret value", async () => {
    model.startRotation(NEW_VERSION);
    for (const name of STEPS) await step(name);
    const text = logged.join("\n");
    expect(text).toContain(NEW_VERSION);
    expect(text).not.toContain(model.versions.get(NEW_VERSION)?.value ?? "unreachable");
    expect(text).not.toContain(OLD_VALUE);
  });
});
