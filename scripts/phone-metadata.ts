/**
 * `npm run phone-metadata`: writes the phone metadata the functions parse numbers with,
 * `functions/src/domain/phone-metadata.json`, from the installed libphonenumber-js.
 *
 * It is the library's `mobile` metadata (every country, and each number type's pattern so mobiles
 * can be told apart) without the formatting rules: the functions never format a number (E.164 in,
 * E.164 out), and those rules are half of the data every cold start parses. libphonenumber-js
 * documents this use: `libphonenumber-js/core` with metadata of your own.
 *
 * A test regenerates the file in memory and compares, so upgrading libphonenumber-js without
 * running this script fails `npm test` with this command in the message.
 */
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { MetadataJson } from "libphonenumber-js/core";
import { REPO_ROOT } from "#api-contract";

export const PHONE_METADATA_FILE = join(REPO_ROOT, "functions", "src", "domain", "phone-metadata.json");

/** In metadata version 4, a numbering plan's formatting rules are its fifth entry. */
const FORMATS = 4;

type NumberingPlans = Record<string, unknown[]>;

function withoutFormats(plans: NumberingPlans): NumberingPlans {
  return Object.fromEntries(
    Object.entries(plans).map(([key, plan]) => [key, plan.map((entry, i) => (i === FORMATS ? 0 : entry))]),
  );
}

/** The functions' metadata derived from libphonenumber-js's `mobile` metadata. */
export function derivePhoneMetadata(mobile: MetadataJson): MetadataJson {
  const source = mobile as unknown as {
    version: number;
    countries: NumberingPlans;
    nonGeographic?: NumberingPlans;
  };
  if (source.version !== 4) {
    throw new Error(
      `libphonenumber-js metadata version ${source.version}: this script knows version 4 only; check where formats are stored`,
    );
  }
  return {
    ...mobile,
    countries: withoutFormats(source.countries),
    ...(source.nonGeographic ? { nonGeographic: withoutFormats(source.nonGeographic) } : {}),
  } as MetadataJson;
}

/** The installed libphonenumber-js's `mobile` metadata, read as data. */
export async function installedMobileMetadata(): Promise<MetadataJson> {
  const file = createRequire(import.meta.url).resolve("libphonenumber-js/metadata.mobile.json");
  return JSON.parse(await readFile(file, "utf8")) as MetadataJson;
}

/** The file's text: one line (nobody reads it; the test compares it). */
export function serialize(metadata: MetadataJson): string {
  return `${JSON.stringify(metadata)}\n`;
}

if (import.meta.main) {
  await writeFile(PHONE_METADATA_FILE, serialize(derivePhoneMetadata(await installedMobileMetadata())));
  console.log(`wrote ${PHONE_METADATA_FILE}`);
}
