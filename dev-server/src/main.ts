import { enableCompileCache } from "node:module";
import { join } from "node:path";

/**
 * `npm start` / `npm run dev`. Node keeps the compiled code of every module it loads (the
 * TypeScript sources after type stripping, Fastify, the emulators, the SDK) in a cache beside
 * node_modules, which halves the second and later starts; it must be switched on before those
 * modules load, hence this file and the dynamic imports. The embedded emulator's thread boots
 * next, while the dev server's own modules load; the dev server starts it once its configuration
 * is read (or discards it when AWS_ENDPOINT_URL points elsewhere).
 */
enableCompileCache(
  join(import.meta.dirname, "..", "..", "node_modules", ".cache", "sms-otp", "node-compile-cache"),
);
const { bootEmbeddedAwsThread } = await import("#local-aws/emulator-thread");
const embeddedAws = bootEmbeddedAwsThread();
const { runCli } = await import("./cli.ts");
await runCli({ embeddedAws });
