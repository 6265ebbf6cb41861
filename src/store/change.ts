import { StateStoreError } from '../errors.js';
import { assertSafeValue, isPlainObject } from '../config/guard.js';
import { applyJsonPatch, type JsonPatchOperation } from '../config/patch/json-patch.js';
import { applyMergePatch } from '../config/patch/merge-patch.js';
import { setFields, unsetFields } from '../config/paths/set-fields.js';
import { strategicMerge } from '../config/patch/strategic.js';
import type { DeepPatch } from '../config/patch/json.js';
import type { JsonSchema } from '../config/schema/json-schema.js';

/**
 * A change to a stored document, in one of four forms:
 * - a strategic patch (the merge rules of `strategicMerge`, src/config/patch/strategic.ts), given as is or as `{ strategic: patch }`;
 * - `{ set: ["spec.kubernetesVersion=1.30.0"], unset: ["spec.foo"] }`, kops's field paths;
 * - `{ mergePatch: {...} }`, RFC 7386;
 * - `{ jsonPatch: [...] }`, RFC 6902;
 * - or a function from the current value to the new one (for anything else).
 */
export type ConfigChange<T> =
  | DeepPatch<T>
  | {
      /** A strategic patch, spelt out (the same as passing the patch itself). */
      strategic: DeepPatch<T>;
    }
  | {
      /** kops `--set` assignments (`path=value`, `path+=value`), applied after `unset`. */
      set?: readonly string[];
      /** kops `--unset` field paths to remove. */
      unset?: readonly string[];
    }
  | {
      /** An RFC 7386 JSON merge patch. */
      mergePatch: unknown;
    }
  | {
      /** RFC 6902 JSON patch operations, applied in order. */
      jsonPatch: readonly JsonPatchOperation[];
    }
  | ((current: T) => T);

/** The keys that name a change's form. No kops document has a top-level field of these names. */
const FORM_KEYS = ['set', 'unset', 'mergePatch', 'jsonPatch', 'strategic'];

/**
 * The form's keys of a change, refusing a change that mixes a form with anything else
 * (`{ set, spec }` would otherwise be read as a strategic patch with an unknown field "set").
 */
function formOf(change: Record<string, unknown>): string | undefined {
  const keys = Object.keys(change);
  const forms = keys.filter((key) => FORM_KEYS.includes(key));
  if (forms.length === 0) return undefined;
  const fieldForm = forms.every((key) => key === 'set' || key === 'unset');
  const others = keys.filter((key) => !(fieldForm ? key === 'set' || key === 'unset' : key === forms[0]));
  if (others.length > 0) {
    const named = others.map((key) => `"${key}"`).join(', ');
    throw new StateStoreError(
      'InvalidArgument',
      `a change takes one form: ${fieldForm ? '{ set, unset }' : `{ ${forms[0]} }`} cannot be mixed with ${named} (the forms are a strategic patch, { strategic }, { set, unset }, { mergePatch }, { jsonPatch } or a function)`,
    );
  }
  return fieldForm ? 'fields' : forms[0];
}

/**
 * Applies a change to a value, purely. The change is bounds-checked first and the result after
 * (INPUT_LIMITS: depth, size, path length), so hostile input is InvalidArgument before any work.
 */
export function applyChange<T>(current: T, change: ConfigChange<T>, schema: JsonSchema): T {
  const next = applyForm(current, change, schema);
  // The result too (a function may return anything): whatever comes next may recurse over it.
  assertSafeValue(next);
  return next;
}

function applyForm<T>(current: T, change: ConfigChange<T>, schema: JsonSchema): T {
  if (typeof change === 'function') return (change as (current: T) => T)(structuredClone(current));
  if (!isPlainObject(change))
    throw new StateStoreError('InvalidArgument', 'a change must be a patch object or a function');
  assertSafeValue(change);
  const fieldsOf = change as Record<string, unknown>;
  switch (formOf(fieldsOf)) {
    case 'fields': {
      const fields = change as { set?: readonly string[]; unset?: readonly string[] };
      const afterUnset = fields.unset ? unsetFields(current, fields.unset, { schema }) : current;
      return fields.set ? setFields(afterUnset, fields.set, { schema }) : afterUnset;
    }
    case 'mergePatch':
      return applyMergePatch(current, fieldsOf.mergePatch) as T;
    case 'jsonPatch':
      return applyJsonPatch(current, fieldsOf.jsonPatch as JsonPatchOperation[]) as T;
    case 'strategic':
      return strategicMerge(current, fieldsOf.strategic as DeepPatch<T>);
    default:
      return strategicMerge(current, change as DeepPatch<T>);
  }
}
