import type { Scalar } from 'yaml';
import { isPlainObject } from '../config/guard.js';
import { escapePointerToken } from '../config/patch/json-pointer.js';
import type { ScalarAt } from './config-scan.js';

/**
 * The fields of a Cluster that name its state store, which a move must point at the new store:
 * `spec.configBase`, `spec.keyStore`, `spec.secretStore`, and each etcd cluster's
 * `backups.backupStore`. Each is rewritten only when it starts with the old store's URL. Returns
 * the new value of each rewritten field by its JSON pointer, in the fields' order; `config` is
 * only read (no copy of it is made: a move only needs the new values, for replaceScalars).
 */
export function rewriteStoreUrls(config: unknown, oldBase: string, newBase: string): Map<string, string> {
  const values = new Map<string, string>();
  if (!isPlainObject(config) || !isPlainObject(config.spec)) return values;
  const spec = config.spec;
  const swap = (holder: Record<string, unknown>, field: string, pointer: string) => {
    const value = holder[field];
    if (typeof value === 'string' && startsWithBase(value, oldBase))
      values.set(pointer, newBase + value.slice(oldBase.length));
  };
  for (const field of ['configBase', 'keyStore', 'secretStore']) swap(spec, field, `/spec/${field}`);
  if (Array.isArray(spec.etcdClusters)) {
    spec.etcdClusters.forEach((etcd, index) => {
      if (isPlainObject(etcd) && isPlainObject(etcd.backups))
        swap(etcd.backups, 'backupStore', `/spec/etcdClusters/${index}/backups/${escapePointerToken('backupStore')}`);
    });
  }
  return values;
}

/** True when `value` is the base itself or lies below it (`base/...`). */
export function startsWithBase(value: string, base: string): boolean {
  return value === base || value.startsWith(`${base}/`);
}

/** Replaces every occurrence of the old store base (followed by `/`, a quote, space or end) in a text. */
export function rewriteText(text: string, oldBase: string, newBase: string): { text: string; count: number } {
  let count = 0;
  const pattern = new RegExp(`${escapeRegExp(oldBase)}(?=[/"'\\s]|$)`, 'g');
  const out = text.replace(pattern, () => {
    count += 1;
    return newBase;
  });
  return { text: out, count };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces string scalars in YAML text in place, by their source ranges, so that every other byte
 * (indentation style, comments, quoting) stays exactly as it was. The new values keep each
 * scalar's quoting style. `scalarAt` finds the scalar at a JSON pointer (config/yaml/scalars.ts, or a
 * scan's StoreFields); a pointer without one is left as it is.
 */
export function replaceScalars(
  text: string,
  values: ReadonlyMap<string, string>,
  scalarAt: (pointer: string) => ScalarAt | undefined,
): string {
  const edits: Array<{ start: number; end: number; replacement: string }> = [];
  for (const [pointer, value] of values) {
    const node = scalarAt(pointer);
    if (node !== undefined) edits.push({ start: node.start, end: node.end, replacement: render(value, node.type) });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const edit of edits) out = out.slice(0, edit.start) + edit.replacement + out.slice(edit.end);
  return out;
}

function render(value: string, type: Scalar['type']): string {
  // Scalar.QUOTE_DOUBLE and QUOTE_SINGLE, spelled out: the move's code imports nothing of `yaml` at
  // run time (scripts/lazy-config.ts loads it when a config needs the parser).
  if (type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return /^[A-Za-z0-9][\w.:/@~+-]*$/.test(value) ? value : JSON.stringify(value);
}
