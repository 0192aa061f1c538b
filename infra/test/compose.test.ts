import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { REPO_ROOT } from "#api-contract";

/**
 * The compose file cannot be run here (no Docker engine), so it is checked as data: valid YAML,
 * only keys of the Compose specification, and the settings LocalStack and the dev server need.
 * When a Compose CLI is installed, `docker compose config` (client side, no engine) checks it too.
 */

const COMPOSE_FILE = join(REPO_ROOT, "docker-compose.yml");

// Service keys of the Compose specification used by projects like this one; a typo such as
// "healthchek" would otherwise be ignored by nobody but Compose itself.
const SERVICE_KEYS = new Set([
  "image",
  "build",
  "command",
  "entrypoint",
  "working_dir",
  "environment",
  "env_file",
  "ports",
  "expose",
  "volumes",
  "depends_on",
  "healthcheck",
  "restart",
  "networks",
  "container_name",
  "user",
  "init",
  "profiles",
  "extra_hosts",
]);
const TOP_LEVEL_KEYS = new Set(["name", "services", "volumes", "networks", "configs", "secrets"]);

interface Service {
  image?: string;
  command?: string[] | string;
  working_dir?: string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[]; interval?: string; timeout?: string; retries?: number };
  [key: string]: unknown;
}

interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

let compose: ComposeFile;

beforeAll(() => {
  const document = parseDocument(readFileSync(COMPOSE_FILE, "utf8"));
  expect(document.errors.map((error) => error.message)).toEqual([]);
  compose = document.toJS() as ComposeFile;
});

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

describe("docker-compose.yml", () => {
  it("uses only Compose specification keys", () => {
    expect(Object.keys(compose).filter((key) => !TOP_LEVEL_KEYS.has(key))).toEqual([]);
    expect(Object.keys(compose.services).sort()).toEqual(["dev-server", "localstack"]);
    for (const [name, definition] of Object.entries(compose.services)) {
      expect(
        Object.keys(definition).filter((key) => !SERVICE_KEYS.has(key)),
        name,
      ).toEqual([]);
      for (const value of Object.values(definition.environment ?? {})) {
        // Compose reads environment maps as strings; a bare number or boolean is a YAML trap.
        expect(typeof value, name).toBe("string");
      }
    }
  });

  it("pins LocalStack 4.14.0 and passes LOCALSTACK_AUTH_TOKEN through when set", () => {
    const localstack = service("localstack");
    expect(localstack.image).toBe("localstack/localstack:4.14.0");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation, not a JS template.
    expect(localstack.environment?.LOCALSTACK_AUTH_TOKEN).toBe("${LOCALSTACK_AUTH_TOKEN:-}");
    expect(localstack.ports).toContain("127.0.0.1:4566:4566");
  });

  it("mounts the Docker socket so LocalStack can run Lambda functions", () => {
    expect(service("localstack").volumes).toContain("/var/run/docker.sock:/var/run/docker.sock");
    expect(service("localstack").environment?.LAMBDA_IGNORE_ARCHITECTURE).toBe("1");
  });

  it("health-checks LocalStack on its health endpoint", () => {
    const healthcheck = service("localstack").healthcheck;
    expect(healthcheck?.test?.[0]).toBe("CMD");
    expect(healthcheck?.test).toContain("http://localhost:4566/_localstack/health");
    expect(healthcheck?.retries).toBeGreaterThan(0);
  });

  it("runs the dev server on the pinned Node against LocalStack, once LocalStack is healthy", () => {
    const devServer = service("dev-server");
    const nodeMajor = readFileSync(join(REPO_ROOT, ".nvmrc"), "utf8").trim();
    expect(devServer.image).toBe(`node:${nodeMajor}`);
    expect(devServer.working_dir).toBe("/app");
    expect(devServer.volumes).toContain(".:/app");
    // node_modules from a named volume, never the host's.
    expect(devServer.volumes).toContain("node_modules:/app/node_modules");
    expect(compose.volumes).toHaveProperty("node_modules");
    expect(String(devServer.command)).toMatch(/npm ci.*&& npm start/);
    expect(devServer.environment).toMatchObject({
      AWS_ENDPOINT_URL: "http://localstack:4566",
      HOST: "0.0.0.0",
      PORT: "3000",
    });
    expect(devServer.ports).toContain("127.0.0.1:3000:3000");
    expect(devServer.depends_on?.localstack?.condition).toBe("service_healthy");
  });
});

function composeCli(): string[] | undefined {
  for (const candidate of [["docker", "compose"], ["docker-compose"]]) {
    const [command = "", ...args] = candidate;
    const probe = spawnSync(command, [...args, "version"], { encoding: "utf8" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const cli = composeCli();
if (!cli)
  console.info(
    "compose.test: no `docker compose` / `docker-compose` CLI here, so `compose config` is not run",
  );

describe.skipIf(!cli)("docker compose config", () => {
  it("accepts the file (client-side validation, no engine needed)", () => {
    const [command = "", ...args] = cli ?? [];
    execFileSync(command, [...args, "-f", COMPOSE_FILE, "config", "--quiet"], {
      cwd: REPO_ROOT,
      stdio: "pipe",
    });
  });
});
