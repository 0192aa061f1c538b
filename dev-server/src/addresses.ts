/** The URL a person opens for a server bound to `host`: wildcard and loopback binds show as localhost. */
export function serverUrl(host: string, port: number): string {
  const shown = ["localhost", "0.0.0.0", "::", ""].includes(host) ? "localhost" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

/**
 * The origins a browser may use for the server: the host it binds, and both loopback spellings
 * when it binds loopback or every interface (the page works from either).
 */
export function ownOrigins(host: string, port: number): string[] {
  const loopback = ["localhost", "127.0.0.1", "::1", "0.0.0.0", "::", ""];
  const hosts = loopback.includes(host) ? ["localhost", "127.0.0.1"] : [host];
  return hosts.map((name) => new URL(`http://${name.includes(":") ? `[${name}]` : name}:${port}`).origin);
}
