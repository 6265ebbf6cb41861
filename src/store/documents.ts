import { isStateStoreError, StateStoreError } from '../errors.js';
import type { Vfs, WriteOptions } from '../vfs/types.js';
import { parseYamlDocuments, type ParsedYaml } from '../config/yaml/parse.js';
import { stringifyYaml, updateYamlText } from '../config/yaml/update.js';
import { readCapped } from './capped-read.js';
import { documentShapeProblem, type DocumentKind } from './document-shape.js';

/** A YAML document as stored: its value, the exact text, and the version to write back against. */
export interface StoredDocument<T> {
  /** The document parsed as kops's YAML reader reads it (typed, but not checked against the schema on read). */
  value: T;
  /** Opaque version: pass it as `ifMatch` to write only if nobody changed it since. */
  version: string;
  /** The stored text, byte for byte (comments and layout included). */
  text: string;
}

/**
 * Reads and parses one YAML document; NotFound names what was missing. The read is capped at the
 * 4 MiB a document may have (capped-read.ts). With `kind`, the document is what kops would read as
 * that kind (a map, its kind and apiVersion kops's: document-shape.ts) or a ValidationError: no
 * scalar, list or `null` is ever handed out typed as a ClusterConfig.
 */
export async function readDocument<T>(
  vfs: Vfs,
  key: string,
  what: string,
  signal?: AbortSignal,
  kind?: DocumentKind,
): Promise<StoredDocument<T>> {
  return (await readParsedDocument<T>(vfs, key, what, signal, kind)).stored;
}

/**
 * {@link readDocument}, also giving the parse itself, for a caller that updates the text next
 * (`updateParsedYamlText`): under contention every attempt reads, so one parse fewer per attempt counts.
 */
export async function readParsedDocument<T>(
  vfs: Vfs,
  key: string,
  what: string,
  signal?: AbortSignal,
  kind?: DocumentKind,
): Promise<{ stored: StoredDocument<T>; parsed: ParsedYaml }> {
  let read;
  try {
    read = await readCapped(vfs, key, { what, signal });
  } catch (err) {
    if (isStateStoreError(err, 'NotFound'))
      throw new StateStoreError('NotFound', `${what} not found`, { key, backend: vfs.backend, cause: err });
    throw err;
  }
  const text = Buffer.from(read.body).toString('utf8');
  let parsed: ParsedYaml;
  try {
    parsed = singleDocument(text, key);
  } catch (err) {
    if (isStateStoreError(err))
      throw new StateStoreError(err.code, `${what}: ${err.message}`, { key, backend: vfs.backend, cause: err });
    throw err;
  }
  const problem = kind === undefined ? undefined : documentShapeProblem(parsed.value, kind);
  if (problem !== undefined) {
    throw new StateStoreError('ValidationError', `${what}: ${problem.message}`, {
      key,
      backend: vfs.backend,
      issues: [problem],
    });
  }
  return { stored: { value: parsed.value as T, version: read.info.version, text }, parsed };
}

/**
 * The text {@link writeDocument} writes: kops's bytes for a new document, the stored text edited
 * for an existing one. Throws InvalidArgument, before any I/O, for a text over the read limit.
 */
export function renderDocument(value: unknown, previous: StoredDocument<unknown> | undefined): string {
  return previous === undefined ? stringifyYaml(value) : updateYamlText(previous.text, value);
}

/**
 * Writes a document. With `previous`, the change is applied onto the stored text (comments, order
 * and quoting survive) and the write is a compare-and-swap against `previous.version` unless
 * `options` says otherwise. `text`, when given, is the {@link renderDocument} of the same value
 * (a caller that checks several documents before writing any passes it).
 */
export async function writeDocument(
  vfs: Vfs,
  key: string,
  value: unknown,
  previous: StoredDocument<unknown> | undefined,
  options: WriteOptions,
  text = renderDocument(value, previous),
): Promise<{ version: string; text: string }> {
  const info = await vfs.write(key, text, { contentType: 'application/yaml', ...options });
  return { version: info.version, text };
}

function singleDocument(text: string, key: string): ParsedYaml {
  const documents = parseYamlDocuments(text);
  if (documents.length !== 1)
    throw new StateStoreError('InvalidArgument', `expected one YAML document, found ${documents.length}`, { key });
  return documents[0]!;
}
