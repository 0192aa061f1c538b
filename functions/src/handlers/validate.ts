import { createHandlersFromEnvironment } from "../runtime.ts";

// Built once per cold start; a bad configuration fails the init phase with the variable named.
const handlers = await createHandlersFromEnvironment(process.env);

/** POST /validate: checks a code and returns a signed verification token. */
export const handler = handlers.validate;
