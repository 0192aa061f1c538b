// Guard run before npm scripts: the project pins Node 24 as a dev dependency (the `node`
// package), and npm puts node_modules/.bin first on PATH, so `node` here is the pinned one.
// If it is not, the install step was skipped or install scripts were blocked.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(
    `Node ${process.versions.node} is running, but this project needs Node >= 22 (it pins 24).\n` +
      "Run `npm install` first: it installs the pinned Node into node_modules/.bin, which npm scripts use.",
  );
  process.exit(1);
}
