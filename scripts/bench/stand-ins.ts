import type { Plugin } from "esbuild";

/**
 * Inert stand-ins for the libraries a function's cold start carries beyond the floor's two SDK
 * clients. The bench builds each function with one of them, then all of them, swapped in, to show
 * what each part costs at init and what the function's own code costs once they are gone. These
 * bundles are never deployed and never answer a request: the stand-ins only satisfy the imports
 * and constructors that run at init.
 */
export interface StandIn {
  /** What the bench calls the part in its table. */
  readonly part: string;
  /** Module specifier (exact) or file name ending, and the module that replaces it. */
  readonly modules: readonly {
    readonly specifier: string;
    readonly contents: string;
    readonly loader: "js" | "json";
  }[];
}

export const STAND_INS: readonly StandIn[] = [
  {
    part: "Powertools logger",
    modules: [
      {
        specifier: "@aws-lambda-powertools/logger",
        contents: "export class Logger { info() {} warn() {} error() {} debug() {} addContext() {} }",
        loader: "js",
      },
    ],
  },
  {
    part: "Powertools metrics",
    modules: [
      {
        specifier: "@aws-lambda-powertools/metrics",
        contents: `export const MetricUnit = { Count: "Count" };
          export class Metrics { addMetric() {} addDimension() {} singleMetric() { return this; }
            hasStoredMetrics() { return false; } publishStoredMetrics() {} }`,
        loader: "js",
      },
    ],
  },
  {
    part: "Secrets Manager client",
    modules: [
      {
        specifier: "@aws-sdk/client-secrets-manager",
        contents: `export class SecretsManagerClient { send() {} }
          export class GetSecretValueCommand {}
          export class ResourceNotFoundException extends Error {}`,
        loader: "js",
      },
    ],
  },
  {
    part: "libphonenumber and its metadata",
    modules: [
      {
        specifier: "libphonenumber-js/core",
        contents: `export function isSupportedCountry() { return true; }
          export function parsePhoneNumberFromString() { return undefined; }`,
        loader: "js",
      },
      { specifier: "/phone-metadata.json", contents: "{}", loader: "json" },
    ],
  },
];

const NAMESPACE = "bench-stand-in";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** An esbuild plugin that resolves the stand-ins' modules to their inert replacements. */
export function standInPlugin(standIns: readonly StandIn[]): Plugin {
  const modules = standIns.flatMap((standIn) => standIn.modules);
  return {
    name: NAMESPACE,
    setup(build) {
      for (const module of modules) {
        // A package name matches exactly; a path (leading `/`) matches the end of an import.
        const filter = module.specifier.startsWith("/")
          ? new RegExp(`${escapeRegExp(module.specifier)}$`)
          : new RegExp(`^${escapeRegExp(module.specifier)}$`);
        build.onResolve({ filter }, () => ({ path: module.specifier, namespace: NAMESPACE }));
      }
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const module = modules.find((candidate) => candidate.specifier === args.path);
        if (!module) throw new Error(`no stand-in for ${args.path}`);
        return { contents: module.contents, loader: module.loader };
      });
    },
  };
}
