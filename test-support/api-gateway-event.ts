import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";

export interface EventOptions {
  readonly method?: string;
  readonly path?: string;
  /** A value to send as JSON, or a raw string body. */
  readonly body?: unknown;
  readonly rawBody?: string | null;
  readonly headers?: Record<string, string>;
  readonly sourceIp?: string;
  readonly isBase64Encoded?: boolean;
}

/**
 * A REST API (v1) proxy event as API Gateway builds it, with JSON content type by default.
 * Tests use this factory instead of copies of event JSON.
 */
export function apiGatewayEvent(options: EventOptions = {}): APIGatewayProxyEvent {
  const method = options.method ?? "POST";
  const path = options.path ?? "/generate";
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "vitest",
    ...options.headers,
  };
  const body =
    options.rawBody !== undefined
      ? options.rawBody
      : options.body === undefined
        ? null
        : JSON.stringify(options.body);
  const now = Date.now();
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      authorizer: undefined,
      protocol: "HTTP/1.1",
      httpMethod: method,
      path: `/test${path}`,
      stage: "test",
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: "resource",
      resourcePath: path,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: options.sourceIp ?? "203.0.113.10",
        user: null,
        userAgent: headers["user-agent"] ?? null,
        userArn: null,
      },
    },
  };
}

/** A POST /generate event. */
export function generateEvent(
  phone: unknown,
  options: Omit<EventOptions, "body" | "path"> = {},
): APIGatewayProxyEvent {
  return apiGatewayEvent({ ...options, path: "/generate", body: { phone } });
}

/** A POST /validate event. */
export function validateEvent(
  phone: unknown,
  code: unknown,
  options: Omit<EventOptions, "body" | "path"> = {},
): APIGatewayProxyEvent {
  return apiGatewayEvent({ ...options, path: "/validate", body: { phone, code } });
}

/** The parsed JSON body of a handler result. */
export function bodyOf(result: {
  body: string;
}): Record<string, unknown> & { error?: Record<string, unknown> } {
  return JSON.parse(result.body) as Record<string, unknown> & { error?: Record<string, unknown> };
}
