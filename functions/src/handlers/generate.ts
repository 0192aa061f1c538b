import { loadConfig } from "../config/config.ts";
import { createGenerateHandler } from "../runtime/generate.ts";

// Built once per cold start; a bad configuration fails the init phase with the variable named.
/** POST /generate: sends a one-time code by SMS. */
export const handler = await createGenerateHandler(loadConfig(process.env));
