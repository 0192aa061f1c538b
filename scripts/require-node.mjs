// Guard run before npm scripts: the project pins Node 24 as a dev dependency (the `node`
// package), and npm puts node_modules/.bin first on PATH, so `node` here is the pinned one.
// If it is not, the install step was skipped or install scripts were blocked.
//
// `node scripts/require-node.mjs <module> [arguments]` then runs the module in this same process,
// as if Node had been started on it: one Node start instead of two (`npm start` is ready sooner).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(
    `Node ${process.versions.node} is running, but this project needs Node >= 22 (it pins 24).\n` +
      "Run `npm install` first: it installs the pinned Node into node_modules/.bin, which npm scripts use.",
  );
  process.exit(1);
}

const entry = process.argv[2];
if (entry !== undefined) {
  process.argv.splice(1, 1);
  await import(pathToFileURL(resolve(entry)).href);
}
