/**
 * ETags as services spell them: HTTP quotes them (`"9e107d9d..."`), and a version a caller kept,
 * a version listing, or a server that wants them bare (Ceph RGW's `If-Match`) may not. Every
 * comparison of two ETags goes through {@link sameEtag}, so no place compares one spelling
 * with the other.
 */

/** The ETag without its double quotes (`"abc"` and `abc` are both `abc`). */
export function unquotedEtag(etag: string): string {
  return etag.includes('"') ? etag.replace(/"/g, '') : etag;
}

/** The same ETag, quoted or not; false when either is missing. */
export function sameEtag(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && (a === b || unquotedEtag(a) === unquotedEtag(b));
}
