/**
 * Rollback after a move: a recorded config names the store it was written in. The fields that
 * name the state store are the ones `moveStateStore` rewrites (src/migrate/rewrite.ts, which the
 * store layer may not import: migrate sits above it), rewritten here by the same rule.
 */
import { isPlainObject } from '../../config/guard.js';
import { parseYamlDocuments } from '../../config/yaml/parse.js';
import { updateYamlText } from '../../config/yaml/update.js';

/** The store a config's `spec.configBase` names (without the trailing `/{cluster}`), if it does. */
function storeBaseOf(value: unknown, cluster: string): string | undefined {
  const base = isPlainObject(value) && isPlainObject(value.spec) ? value.spec.configBase : undefined;
  if (typeof base !== 'string') return undefined;
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith(`/${cluster}`) ? trimmed.slice(0, -cluster.length - 1) : undefined;
}

/**
 * `spec.configBase`, `spec.keyStore`, `spec.secretStore` and each etcd cluster's
 * `backups.backupStore`, moved from `oldBase` to `newBase` when they lie under it (as the move
 * does). Mutates `config` (a copy); returns the JSON pointers changed.
 */
function moveStoreFields(config: unknown, oldBase: string, newBase: string): string[] {
  const changed: string[] = [];
  if (!isPlainObject(config) || !isPlainObject(config.spec)) return changed;
  const swap = (holder: Record<string, unknown>, field: string, pointer: string) => {
    const value = holder[field];
    if (typeof value === 'string' && (value === oldBase || value.startsWith(`${oldBase}/`))) {
      holder[field] = newBase + value.slice(oldBase.length);
      changed.push(pointer);
    }
  };
  const spec = config.spec;
  for (const field of ['configBase', 'keyStore', 'secretStore']) swap(spec, field, `/spec/${field}`);
  if (Array.isArray(spec.etcdClusters)) {
    spec.etcdClusters.forEach((etcd, index) => {
      if (isPlainObject(etcd) && isPlainObject(etcd.backups))
        swap(etcd.backups, 'backupStore', `/spec/etcdClusters/${index}/backups/backupStore`);
    });
  }
  return changed;
}

/**
 * The recorded config text with the current store location: when the recorded `configBase`
 * names another store than the current config's, the store fields are moved to the current
 * store, every other byte kept. Returns the JSON pointers kept from the current location.
 */
export function keepStoreLocation(
  cluster: string,
  recorded: string,
  current: string | undefined,
): { text: string; kept: string[] } {
  if (current === undefined) return { text: recorded, kept: [] };
  const recordedValue = parseYamlDocuments(recorded)[0]?.value;
  const oldBase = storeBaseOf(recordedValue, cluster);
  const newBase = storeBaseOf(parseYamlDocuments(current)[0]?.value, cluster);
  if (oldBase === undefined || newBase === undefined || oldBase === newBase) return { text: recorded, kept: [] };
  const moved = structuredClone(recordedValue);
  const kept = moveStoreFields(moved, oldBase, newBase);
  return kept.length === 0 ? { text: recorded, kept } : { text: updateYamlText(recorded, moved), kept };
}
