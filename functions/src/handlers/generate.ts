import { createHandlersFromEnvironment } from "../runtime.ts";

// Built once per cold start; a bad configuration fails the init phase with the variable named.
const handlers = await createHandlersFromEnvironment(process.env);

/** POST /generate: sends a one-time code by SMS. */
export const handler = handlers.generate;
