import { loadConfig } from "../config/config.ts";
import { createValidateHandler } from "../runtime/validate.ts";

// Built once per cold start; a bad configuration fails the init phase with the variable named.
/** POST /validate: checks a code and returns a signed verification token. */
export const handler = await createValidateHandler(loadConfig(process.env));
