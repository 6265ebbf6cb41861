import type { ListOutput } from '../objects.js';

/**
 * The little of S3's XML the direct requests read: a ListObjectsV2 page, a CopyObject result and
 * an error. S3's answers are flat, machine-written documents: each field is one element whose
 * text is escaped with the five XML entities and numeric references, so a scan of the tags reads
 * them without a DOM (the SDK's XML parser was most of a listing's cost: bench/README.md).
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The text of an element, its entities and character references resolved. */
export function unescapeXml(text: string): string {
  if (!text.includes('&')) return text;
  // An ETag (`&quot;...&quot;`), in every listing entry and copy result: no pattern to run.
  const quoted = text.replaceAll('&quot;', '"');
  if (!quoted.includes('&')) return quoted;
  return quoted.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/** The text of the first `<name>` element in `xml` (after `from`), or undefined. */
export function element(xml: string, name: string, from = 0): string | undefined {
  const open = `<${name}>`;
  const start = xml.indexOf(open, from);
  if (start < 0) return undefined;
  const end = xml.indexOf(`</${name}>`, start + open.length);
  if (end < 0) return undefined;
  return unescapeXml(xml.slice(start + open.length, end));
}

/** Every `<name>...</name>` block of `xml`, as the text between the tags (not unescaped). */
function blocks(xml: string, name: string): string[] {
  const open = `<${name}>`;
  const close = `</${name}>`;
  const out: string[] = [];
  for (let start = xml.indexOf(open); start >= 0; start = xml.indexOf(open, start)) {
    const end = xml.indexOf(close, start + open.length);
    if (end < 0) break;
    out.push(xml.slice(start + open.length, end));
    start = end + close.length;
  }
  return out;
}

/** A ListObjectsV2 page, in the SDK's output shape (keys as sent: URL-encoded under EncodingType=url). */
export function parseListPage(xml: string): ListOutput {
  const contents = blocks(xml, 'Contents').map((entry) => {
    const modified = element(entry, 'LastModified');
    const size = element(entry, 'Size');
    return {
      Key: element(entry, 'Key') ?? '',
      Size: size === undefined ? 0 : Number(size),
      ETag: element(entry, 'ETag') ?? '',
      ...(modified === undefined ? {} : { LastModified: new Date(modified) }),
    };
  });
  const prefixes = blocks(xml, 'CommonPrefixes').map((entry) => ({ Prefix: element(entry, 'Prefix') ?? '' }));
  // The page's own fields appear once, outside the entries (whose text cannot hold a `<`).
  const field = (name: string) => element(xml, name);
  const token = field('NextContinuationToken');
  const encoding = field('EncodingType');
  return {
    Contents: contents,
    CommonPrefixes: prefixes,
    IsTruncated: field('IsTruncated') === 'true',
    ...(token === undefined ? {} : { NextContinuationToken: token }),
    ...(encoding === undefined ? {} : { EncodingType: encoding }),
  };
}

/** A CopyObject answer's result: its ETag and time. */
export function parseCopyResult(xml: string): { ETag?: string; LastModified?: Date } {
  const etag = element(xml, 'ETag');
  const modified = element(xml, 'LastModified');
  return {
    ...(etag === undefined ? {} : { ETag: etag }),
    ...(modified === undefined ? {} : { LastModified: new Date(modified) }),
  };
}

/**
 * The fields of an S3 error document (`Code`, `Message`, `RequestId`, and what the service adds,
 * such as `AWSAccessKeyId` or `BucketName`), as the SDK copies them onto its error; empty when
 * the body is none.
 */
export function errorFields(xml: string): Record<string, string> {
  const start = xml.indexOf('<Error>');
  const end = xml.lastIndexOf('</Error>');
  const fields: Record<string, string> = {};
  if (start < 0 || end < start) return fields;
  const body = xml.slice(start + '<Error>'.length, end);
  for (const match of body.matchAll(/<([A-Za-z][A-Za-z0-9]*)>([^<]*)<\/\1>/g))
    fields[match[1]!] ??= unescapeXml(match[2]!);
  return fields;
}
