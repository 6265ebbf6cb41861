import { StateStoreError } from '../../errors.js';
import { assertPathBounds, assertSafeKey, preview } from '../guard.js';

/** One step of a kops field path. */
export type PathSegment =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'select'; key: string; value: string };

/**
 * Parses a kops field path: `spec.kubernetesVersion`, `spec.etcdClusters[0].version`,
 * `spec.etcdClusters[*].image`, and our name selectors `spec.subnets[name=us-east-1a].type`.
 * A leading `cluster.` (as kops accepts) is dropped. Prototype keys are refused.
 */
export function parseFieldPath(raw: string): PathSegment[] {
  if (typeof raw !== 'string')
    throw new StateStoreError('InvalidArgument', `a field path must be a string, not ${typeof raw}`);
  assertPathBounds(raw, 'field path', /[.[]/g);
  const text = raw.startsWith('cluster.') ? raw.slice('cluster.'.length) : raw;
  const segments: PathSegment[] = [];
  const pattern = /([^.[\]]+)|\[([^\]]*)\]|(\.)/gy;
  let expectName = true;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(text)) !== null) {
    consumed = pattern.lastIndex;
    if (match[1] !== undefined) {
      if (!expectName) throw invalid(raw, 'a "." is missing before a field name');
      // The message is built only on failure: building it per segment made long paths quadratic.
      assertSafeKey(match[1], () => ` in path ${preview(raw)}`);
      segments.push({ kind: 'field', name: match[1] });
      expectName = false;
    } else if (match[2] !== undefined) {
      segments.push(bracket(match[2], raw));
      expectName = false;
    } else {
      if (expectName) throw invalid(raw, 'empty field name');
      expectName = true;
    }
  }
  if (consumed !== text.length || text === '' || expectName) throw invalid(raw, 'malformed path');
  return segments;
}

function bracket(inner: string, raw: string): PathSegment {
  if (inner === '*') return { kind: 'all' };
  if (/^\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const eq = inner.indexOf('=');
  if (eq > 0) {
    const key = inner.slice(0, eq);
    const value = inner.slice(eq + 1);
    assertSafeKey(key, () => ` in path ${preview(raw)}`);
    assertSafeKey(value, () => ` in path ${preview(raw)}`);
    return { kind: 'select', key, value };
  }
  throw invalid(raw, `${preview(`[${inner}]`)} is neither an index, "*", nor key=value`);
}

function invalid(raw: string, why: string): StateStoreError {
  return new StateStoreError('InvalidArgument', `invalid field path ${preview(raw)}: ${why}`);
}

/** The path as text again (for messages). */
export function formatFieldPath(segments: readonly PathSegment[]): string {
  return segments
    .map((segment, i) => {
      switch (segment.kind) {
        case 'field':
          return i === 0 ? segment.name : `.${segment.name}`;
        case 'index':
          return `[${segment.index}]`;
        case 'all':
          return '[*]';
        default:
          return `[${segment.key}=${segment.value}]`;
      }
    })
    .join('');
}
