import { assertSafeValue, cloneJson, isPlainObject, jsonEqual } from '../guard.js';

/** A deep copy, typed as the JSON it is (configs come from YAML or JSON, so they are JSON). */
const json = (value: unknown): JsonValue => cloneJson(value) as JsonValue;
import type { JsonPatchOperation } from '../patch/json-patch.js';
import type { JsonValue } from '../patch/json.js';
import { escapePointerToken as escapeSegment } from '../patch/json-pointer.js';
import { formatYaml } from '../yaml/stringify.js';
import { unifiedDiff } from './unified.js';

/** What changed between two configs. */
export interface ConfigDiff {
  /** RFC 6902 operations turning `a` into `b`; `replace` and `remove` carry `oldValue`. */
  operations: JsonPatchOperation[];
  /** A unified diff of the two YAML renderings ('' when equal). */
  unified: string;
}

/**
 * The difference between two configurations, as JSON Patch operations (applying them to `a`
 * gives `b`) and as a unified YAML diff for people.
 *
 * @example
 * ```ts
 * import { diffConfig } from 'kops-statestore';
 *
 * const { operations, unified } = diffConfig(
 *   { spec: { kubernetesVersion: '1.29.0' } },
 *   { spec: { kubernetesVersion: '1.30.0' } },
 * );
 * // operations: [{ op: 'replace', path: '/spec/kubernetesVersion', value: '1.30.0', oldValue: '1.29.0' }]
 * // unified: '--- before\n+++ after\n@@ -1,2 +1,2 @@\n spec:\n-  kubernetesVersion: 1.29.0\n+  kubernetesVersion: 1.30.0\n'
 * ```
 */
export function diffConfig(a: unknown, b: unknown): ConfigDiff {
  const operations = diffOperations(a, b);
  return { operations, unified: operations.length === 0 ? '' : unifiedDiff(formatYaml(a), formatYaml(b)) };
}

/** Only the JSON Patch operations of {@link diffConfig} (no YAML rendering: cheap). */
export function diffOperations(a: unknown, b: unknown): JsonPatchOperation[] {
  // Bounds first (INPUT_LIMITS): the walk below recurses.
  assertSafeValue(a);
  assertSafeValue(b);
  const operations: JsonPatchOperation[] = [];
  diffValue(a, b, '', operations);
  return operations;
}

function diffValue(a: unknown, b: unknown, path: string, out: JsonPatchOperation[]): void {
  if (jsonEqual(a, b)) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const key of Object.keys(a)) {
      if (!Object.hasOwn(b, key))
        out.push({ op: 'remove', path: `${path}/${escapeSegment(key)}`, oldValue: json(a[key]) });
    }
    for (const key of Object.keys(b)) {
      const child = `${path}/${escapeSegment(key)}`;
      if (!Object.hasOwn(a, key)) out.push({ op: 'add', path: child, value: json(b[key]) });
      else diffValue(a[key], b[key], child, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) diffValue(a[i], b[i], `${path}/${i}`, out);
    for (let i = a.length - 1; i >= common; i--) out.push({ op: 'remove', path: `${path}/${i}`, oldValue: json(a[i]) });
    for (let i = common; i < b.length; i++) out.push({ op: 'add', path: `${path}/${i}`, value: json(b[i]) });
    return;
  }
  out.push({ op: 'replace', path, value: json(b), oldValue: json(a) });
}
