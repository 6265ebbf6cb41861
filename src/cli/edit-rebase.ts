/**
 * After a lost race, `edit` re-applies the user's own change onto the version someone else wrote,
 * as `kubectl edit` re-applies its patch (kubectl: pkg/cmd/util/editor/editoptions.go, the patch
 * computed from original to edited, applied to the object read again). Their write is never lost
 * and `metadata.generation` only moves forward (the save bumps the new version's generation). A
 * field both changed is a conflict: the user's value is put in, and the editor reopens on the
 * result so the user decides, seeing both values.
 */
import { applyJsonPatch, diffConfig } from '../index.js';

/** The user's change re-applied on the new version, and the paths both sides changed. */
export interface Rebased {
  value: unknown;
  /** JSON pointers both changed (or that could not be re-applied): the user must look at these. */
  conflicts: Array<{ path: string; theirs: unknown; yours: unknown }>;
}

/**
 * The part of a path two changes are compared at: up to the first array index, since a diff of two
 * arrays is index by index (an element added or removed shifts every later index), so two changes
 * inside one array are taken as touching the same thing.
 */
function footprint(path: string): string[] {
  const segments = path.split('/').slice(1);
  const index = segments.findIndex((segment) => /^\d+$/.test(segment));
  return index === -1 ? segments : segments.slice(0, index);
}

/** Whether one path is the other or inside it. */
function overlaps(a: string[], b: string[]): boolean {
  const common = Math.min(a.length, b.length);
  return a.slice(0, common).every((segment, i) => segment === b[i]);
}

/** The value at a JSON pointer, or undefined. */
function valueAt(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const raw of path.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[segment];
  }
  return at;
}

/**
 * Re-applies the change from `original` to `edited` onto `current`, operation by operation. An
 * operation on a field the other writer also changed is still applied when it can be (the user's
 * value wins in the reopened editor) and is listed as a conflict; one that no longer applies (the
 * field is gone) is skipped and listed too.
 */
export function rebaseEdit(original: unknown, edited: unknown, current: unknown): Rebased {
  const theirs = diffConfig(original, current).operations.map((op) => footprint(op.path));
  let value = current;
  const conflicts: Rebased['conflicts'] = [];
  for (const operation of diffConfig(original, edited).operations) {
    const clash = theirs.some((path) => overlaps(path, footprint(operation.path)));
    const conflict = {
      path: operation.path,
      theirs: valueAt(current, operation.path),
      yours: valueAt(edited, operation.path),
    };
    try {
      // applyJsonPatch ignores the `oldValue` diffConfig adds.
      value = applyJsonPatch(value, [operation]);
    } catch {
      conflicts.push(conflict);
      continue;
    }
    if (clash) conflicts.push(conflict);
  }
  return { value, conflicts };
}

/** The header lines of an editor reopened on a conflict: what the other writer and the user both changed. */
export function conflictNotes(what: string, conflicts: Rebased['conflicts']): string[] {
  const shown = (value: unknown): string => (value === undefined ? '(absent)' : JSON.stringify(value));
  return [
    `${what} was changed by someone else while you edited it. Your change is re-applied below on the ` +
      'new version (their other changes are kept); you both changed these fields, yours are below:',
    ...conflicts.map((c) => `  ${c.path}: theirs ${shown(c.theirs)}, yours ${shown(c.yours)}`),
    'Save to write it, or empty the file to cancel.',
  ];
}
