import { randomUUID } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { crc32 } from "node:zlib";

/** Same ceiling as dynalite; SQS and SNS bodies are far smaller (1 MiB and 256 KiB). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Thrown by {@link readBody} so the gateway can answer 413 instead of buffering without end. */
export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
}

/** Buffers a request body (the gateway reads it only when it must look inside to route or emulate). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Writes a complete response; `content-length` is always computed here. */
export function send(
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body: string | Buffer,
): void {
  const payload = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  res.writeHead(status, { ...headers, "content-length": payload.length });
  res.end(payload);
}

/** A plain JSON answer for the gateway's own endpoints (health, expired-items sweep, errors). */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, { "content-type": "application/json" }, JSON.stringify(value));
}

/**
 * A DynamoDB JSON 1.0 answer with the headers real clients look at: botocore retries a response
 * whose `x-amz-crc32` does not match, so it must be right when present.
 */
export function sendDynamoJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  send(
    res,
    status,
    {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": randomUUID(),
      "x-amz-crc32": String(crc32(body)),
    },
    body,
  );
}
