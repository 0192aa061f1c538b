/**
 * Whether a Content-Type (or the first type of an Accept header) is one of an API's
 * binaryMediaTypes, which may name `type/subtype`, `type/*` or `*\/*`.
 */
export function matchesMediaType(header: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (header === undefined || binaryMediaTypes.length === 0) return false;
  const mediaType = header.split(",")[0]?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (mediaType === "") return false;
  const [type] = mediaType.split("/");
  return binaryMediaTypes.some((candidate) => {
    const wanted = candidate.trim().toLowerCase();
    return wanted === "*/*" || wanted === mediaType || wanted === `${type}/*`;
  });
}
