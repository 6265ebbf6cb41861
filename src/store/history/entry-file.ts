/**
 * The stored form of one history entry: one JSON object holding the entry's metadata and the two
 * texts, so that an entry is complete on its own (no index that could go stale) and the texts
 * survive byte for byte (JSON strings keep comments, layout and line ends exactly).
 */
import { StateStoreError } from '../../errors.js';
import { entryId, type EntryRef } from './keys.js';
import type { HistoryEntry, HistoryOperation } from './types.js';

/** Marks our files, so that a foreign file in the folder is told apart from an entry. */
export const ENTRY_FORMAT = 'statestore.history/v1';

/** An entry with the texts it keeps. */
export interface EntryRecord {
  entry: HistoryEntry;
  /** The document the write replaced (undefined for a create). */
  before?: string;
  /** The document the write wrote (undefined for a delete). */
  after?: string;
}

/** What a writer knows once its write succeeded: the input of a new entry. */
export interface WriteRecord {
  operation: HistoryOperation;
  before?: { text: string; version: string };
  after?: { text: string; version: string };
  reason?: string;
  author?: string;
  rolledBackTo?: string;
}

/** The JSON text of a new entry. */
export function renderEntry(ref: EntryRef, time: Date, write: WriteRecord): string {
  return `${JSON.stringify(
    {
      format: ENTRY_FORMAT,
      cluster: ref.cluster,
      kind: ref.kind,
      ...(ref.name === undefined ? {} : { name: ref.name }),
      time: time.toISOString(),
      operation: write.operation,
      replacedVersion: write.before?.version,
      version: write.after?.version,
      rolledBackTo: write.rolledBackTo,
      reason: write.reason,
      author: write.author,
      before: write.before?.text,
      after: write.after?.text,
    },
    null,
    1,
  )}\n`;
}

const OPERATIONS: ReadonlySet<string> = new Set(['create', 'update', 'delete', 'rollback']);

/**
 * Parses an entry read from `ref`'s key. Everything is checked against the key it was read
 * from (a file copied from another cluster or document is refused): IntegrityError otherwise.
 */
export function parseEntry(ref: EntryRef, body: Uint8Array): EntryRecord {
  const fail = (why: string) =>
    new StateStoreError('IntegrityError', `history entry ${entryId(ref)} is not a statestore entry: ${why}`);
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw fail('not JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw fail('not an object');
  const record = data as Record<string, unknown>;
  if (record.format !== ENTRY_FORMAT) throw fail(`format is not ${ENTRY_FORMAT}`);
  if (record.cluster !== ref.cluster || record.kind !== ref.kind || record.name !== ref.name)
    throw fail('it names another document than its location');
  const time = typeof record.time === 'string' ? new Date(record.time) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) throw fail('no valid time');
  if (typeof record.operation !== 'string' || !OPERATIONS.has(record.operation)) throw fail('unknown operation');
  const optional = (field: string): string | undefined => {
    const value = record[field];
    if (value !== undefined && typeof value !== 'string') throw fail(`${field} is not a string`);
    return value;
  };
  const entry: HistoryEntry = dropUndefined({
    id: entryId(ref),
    cluster: ref.cluster,
    kind: ref.kind,
    name: ref.name,
    time,
    operation: record.operation as HistoryOperation,
    replacedVersion: optional('replacedVersion'),
    version: optional('version'),
    rolledBackTo: optional('rolledBackTo'),
    reason: optional('reason'),
    author: optional('author'),
  });
  return { entry, before: optional('before'), after: optional('after') };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
