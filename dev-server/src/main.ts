import { enableCompileCache } from "node:module";
import { join } from "node:path";

/**
 * `npm start` / `npm run dev`. Node keeps the compiled code of every module it loads (the
 * TypeScript sources after type stripping, Fastify, the emulators, the SDK) in a cache beside
 * node_modules, which halves the second and later starts; it must be switched on before those
 * modules load, hence this file and the dynamic import.
 */
enableCompileCache(
  join(import.meta.dirname, "..", "..", "node_modules", ".cache", "sms-otp", "node-compile-cache"),
);
await import("./cli.ts");
