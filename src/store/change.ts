import { StateStoreError } from '../vfs/errors.js';
import { isPlainObject } from '../merge/guard.js';
import { applyJsonPatch, type JsonPatchOperation } from '../merge/json-patch.js';
import { applyMergePatch } from '../merge/merge-patch.js';
import { setFields, unsetFields } from '../merge/paths/set-fields.js';
import { strategicMerge } from '../merge/strategic.js';
import type { DeepPatch } from '../merge/json.js';
import type { JsonSchema } from '../merge/schema/json-schema.js';

/**
 * A change to a stored document, in one of four forms:
 * - a strategic patch (DESIGN.md's merge rules), given as is or as `{ strategic: patch }`;
 * - `{ set: ["spec.kubernetesVersion=1.30.0"], unset: ["spec.foo"] }`, kops's field paths;
 * - `{ mergePatch: {...} }`, RFC 7386;
 * - `{ jsonPatch: [...] }`, RFC 6902;
 * - or a function from the current value to the new one (for anything else).
 */
export type ConfigChange<T> =
  | DeepPatch<T>
  | { strategic: DeepPatch<T> }
  | { set?: readonly string[]; unset?: readonly string[] }
  | { mergePatch: unknown }
  | { jsonPatch: readonly JsonPatchOperation[] }
  | ((current: T) => T);

/** Applies a change to a value, purely. */
export function applyChange<T>(current: T, change: ConfigChange<T>, schema: JsonSchema): T {
  if (typeof change === 'function') return (change as (current: T) => T)(structuredClone(current));
  if (!isPlainObject(change)) throw new StateStoreError('InvalidArgument', 'a change must be a patch object or a function');
  const keys = Object.keys(change);
  const fieldsOf = change as Record<string, unknown>;
  if (keys.length > 0 && keys.every((key) => key === 'set' || key === 'unset')) {
    const fields = change as { set?: readonly string[]; unset?: readonly string[] };
    const afterUnset = fields.unset ? unsetFields(current, fields.unset, { schema }) : current;
    return fields.set ? setFields(afterUnset, fields.set, { schema }) : afterUnset;
  }
  if (keys.length === 1 && keys[0] === 'mergePatch') return applyMergePatch(current, fieldsOf.mergePatch) as T;
  if (keys.length === 1 && keys[0] === 'jsonPatch') return applyJsonPatch(current, fieldsOf.jsonPatch as JsonPatchOperation[]) as T;
  if (keys.length === 1 && keys[0] === 'strategic') return strategicMerge(current, fieldsOf.strategic as DeepPatch<T>);
  return strategicMerge(current, change as DeepPatch<T>);
}
