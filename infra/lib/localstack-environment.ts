/**
 * The environment `cdklocal` runs with for `npm run deploy:local` / `destroy:local`: every AWS
 * call to one LocalStack endpoint, S3 included and path-style, so nothing needs DNS or network
 * beyond LocalStack itself. cdklocal 3 would otherwise throw when AWS_ENDPOINT_URL is exported
 * without AWS_ENDPOINT_URL_S3, and by default sends asset uploads to
 * `<bucket>.s3.localhost.localstack.cloud`, a name only public DNS resolves.
 */

/** docker-compose.yml publishes LocalStack on IPv4 loopback only, so not `localhost` (may be ::1). */
export const DEFAULT_LOCALSTACK_ENDPOINT = "http://127.0.0.1:4566";

export interface LocalStackEnvironment {
  /** The LocalStack endpoint every call goes to. */
  readonly endpoint: string;
  /** The environment to run cdklocal with. */
  readonly env: Record<string, string>;
  /** Why a setting of the caller's environment was not used, to print. */
  readonly notes: readonly string[];
}

/** Hosts that are this machine without asking DNS. */
function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function endpointUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}: must be a URL such as ${DEFAULT_LOCALSTACK_ENDPOINT} (got "${value}")`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.pathname !== "/" || url.search !== "") {
    throw new Error(
      `${name}: must be an http(s) URL with no path, such as ${DEFAULT_LOCALSTACK_ENDPOINT} (got "${value}")`,
    );
  }
  return url;
}

/**
 * Picks the LocalStack endpoint: LOCALSTACK_ENDPOINT if set (any host: the user says where
 * LocalStack is), else AWS_ENDPOINT_URL when it is on this machine (what the dev server's README
 * has you export), else 127.0.0.1:4566. A non-loopback AWS_ENDPOINT_URL is left alone: it may be
 * a real AWS endpoint, and deploy:local must never reach anything but LocalStack.
 * @throws Error naming the variable when LOCALSTACK_ENDPOINT or the used AWS_ENDPOINT_URL is no URL.
 */
export function localStackEnvironment(
  environment: Readonly<Record<string, string | undefined>>,
): LocalStackEnvironment {
  const notes: string[] = [];
  let endpoint: URL;
  const fromUser = environment.LOCALSTACK_ENDPOINT?.trim();
  const exported = environment.AWS_ENDPOINT_URL?.trim();
  if (fromUser) {
    endpoint = endpointUrl("LOCALSTACK_ENDPOINT", fromUser);
  } else if (exported && URL.canParse(exported) && isLoopback(new URL(exported))) {
    endpoint = endpointUrl("AWS_ENDPOINT_URL", exported);
  } else {
    if (exported) {
      notes.push(
        `AWS_ENDPOINT_URL=${exported} is not on this machine, so deploy:local does not use it; set LOCALSTACK_ENDPOINT to reach a LocalStack elsewhere.`,
      );
    }
    endpoint = new URL(DEFAULT_LOCALSTACK_ENDPOINT);
  }

  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    // A service-specific endpoint left in the shell (e.g. AWS_ENDPOINT_URL_STS) would win over ours.
    if (value !== undefined && !name.startsWith("AWS_ENDPOINT_URL")) env[name] = value;
  }
  const origin = endpoint.origin;
  env.AWS_ENDPOINT_URL = origin;
  env.AWS_ENDPOINT_URL_S3 = origin;
  // The CDK CLI picks path-style S3 by itself only for loopback hosts; this covers the others.
  env.CDK_S3_FORCE_PATH_STYLE = "1";
  return { endpoint: origin, env, notes };
}
