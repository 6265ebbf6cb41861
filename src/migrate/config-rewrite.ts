import { md5Hex } from '../backends/common/bytes.js';
import { isPlainObject } from '../config/guard.js';
import { parseYamlDocuments } from '../config/yaml/parse.js';
import { documentScalars } from '../config/yaml/scalars.js';
import { scanStoreFields, type StoreFields } from './config-scan.js';
import { replaceScalars, rewriteStoreUrls } from './rewrite.js';

/** A source config as read: its text, the store fields the move rewrites, the store it names. */
export interface SourceConfigText {
  readonly text: string;
  readonly fields: StoreFields;
  /** The store URL the config names (its configBase's store), else the source's URL. */
  readonly oldBase: string;
  /** Size and MD5 of the bytes read. */
  readonly size: number;
  readonly md5: string;
}

/** A config rewritten for the destination: its bytes, and the fields changed as JSON pointers. */
export interface RewrittenConfigText {
  readonly bytes: Buffer;
  readonly rewritten: string[];
}

/**
 * Reads a cluster's config bytes: the fields that name the store come from scanStoreFields when
 * the text is in the subset it reads (what kops writes), else from parseYamlDocuments, which
 * refuses bad YAML and unsafe keys with its messages, as it always did (`full` forces it).
 *
 * @throws StateStoreError InvalidArgument for a config parseYamlDocuments refuses.
 */
export function readSourceConfig(body: Uint8Array, cluster: string, sourceUrl: string, full = false): SourceConfigText {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const fields = (full ? undefined : scanStoreFields(text)) ?? parsedFields(text);
  const oldBase = storeBaseOf(fields.value, cluster) ?? sourceUrl;
  return { text, fields, oldBase, size: body.byteLength, md5: md5Hex(body) };
}

/** The config with the store URLs it names (configBase, keyStore, ...) moved from `oldBase` to `newBase`. */
export function rewriteConfig(config: SourceConfigText, newBase: string): RewrittenConfigText {
  const { text, fields, oldBase } = config;
  const values = rewriteStoreUrls(fields.value, oldBase, newBase);
  const newText = values.size === 0 ? text : replaceScalars(text, values, (pointer) => fields.scalar(pointer));
  return { bytes: Buffer.from(newText, 'utf8'), rewritten: [...values.keys()] };
}

/** The first document's value and scalars, from the full parse. */
function parsedFields(text: string): StoreFields {
  const parsed = parseYamlDocuments(text)[0];
  return { value: parsed?.value, scalar: documentScalars(parsed?.document) };
}

/** The store URL the config names: its configBase without the trailing `/<cluster>`. */
function storeBaseOf(value: unknown, cluster: string): string | undefined {
  const base = isPlainObject(value) && isPlainObject(value.spec) ? value.spec.configBase : undefined;
  if (typeof base !== 'string') return undefined;
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith(`/${cluster}`) ? trimmed.slice(0, -cluster.length - 1) : undefined;
}
