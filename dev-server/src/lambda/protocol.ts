/**
 * Messages between the dev server and a function's worker thread (its "sandbox"). Events and
 * results cross as JSON text, exactly as the Lambda service serializes them, so a result that
 * cannot be JSON-encoded fails here as it would in AWS.
 */

/** The Lambda context fields the runtime rebuilds in the worker. */
export interface ContextData {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadlineMs: number;
}

export interface InvokeMessage {
  readonly type: "invoke";
  readonly id: number;
  /** The event as JSON text. */
  readonly event: string;
  readonly context: ContextData;
}

/**
 * Collect garbage before the heap is read (`GET /_dev/stats?gc=1`): only when Node runs with
 * `--expose-gc`, a process-wide flag that `npm run load` sets; otherwise a no-op that still answers.
 */
export interface CollectMessage {
  readonly type: "collect";
}

/**
 * The first message a worker gets: the function to cold-start. The worker boots with an empty
 * environment and no function, so it can boot while the dev server still starts the rest.
 */
export interface InitMessage {
  readonly type: "init";
  /** file: URL of the bundled handler module. */
  readonly moduleUrl: string;
  readonly handlerName: string;
  /** The function's whole `process.env`. */
  readonly environment: Readonly<Record<string, string>>;
}

/** What the dev server sends a worker. */
export type SandboxMessage = InitMessage | InvokeMessage | CollectMessage;

/** An error as the Lambda runtime reports it (`errorType`, `errorMessage`, `stackTrace`). */
export interface ErrorData {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack: string | undefined;
}

export type WorkerMessage =
  | { readonly type: "ready"; readonly initMs: number }
  | { readonly type: "init-error"; readonly error: ErrorData }
  /** The handler's result as JSON text (`null` for undefined), as Lambda returns it. */
  | { readonly type: "response"; readonly id: number; readonly payload: string }
  | { readonly type: "error"; readonly id: number; readonly error: ErrorData }
  | { readonly type: "collected" };
