/** The dev server as a library: what `npm start`, the browser tests and the scripts start. */
export { FunctionBundles } from "./lambda/bundle.ts";
export { type DevServer, type DevServerOptions, startDevServer } from "./server.ts";
