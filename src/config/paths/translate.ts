import type { JsonSchema } from '../schema/json-schema.js';
import { parseFieldPath, type PathSegment } from './parse.js';
import { FIELD_RENAMES } from './renames.js';

/** A path in stored (v1alpha2) names; `inverted` when it was reached through an inverted boolean rename. */
export interface StoredPath {
  segments: PathSegment[];
  inverted: boolean;
}

const PATTERNS = FIELD_RENAMES.map((rename) => ({
  stored: parseFieldPath(rename.stored),
  internal: parseFieldPath(rename.internal),
  inverted: rename.inverted,
})).sort((a, b) => b.internal.length - a.internal.length);

/**
 * Rewrites a path written with kops's internal field names (`spec.api.publicName`,
 * `spec.networking.cilium.masquerade`) into the stored v1alpha2 names (`spec.masterPublicName`,
 * `spec.networking.cilium.disableMasquerade`, inverted), when the path does not exist as written
 * but its translation does. Paths that exist as written are left alone.
 */
export function toStoredPath(segments: PathSegment[], exists: (segments: PathSegment[]) => boolean): StoredPath {
  if (exists(segments) || segments[0]?.kind !== 'field' || segments[0].name !== 'spec')
    return { segments, inverted: false };
  const rest = segments.slice(1);
  for (const pattern of PATTERNS) {
    const indexes = matchPrefix(pattern.internal, rest);
    if (indexes === undefined) continue;
    const slots = pattern.stored.filter((s) => s.kind !== 'field').length;
    if (slots !== indexes.length) continue;
    let slot = 0;
    const stored = pattern.stored.map((s) => (s.kind === 'field' ? s : indexes[slot++]!));
    const rewritten: PathSegment[] = [segments[0], ...stored, ...rest.slice(pattern.internal.length)];
    // An inverted rename applies to the boolean leaf only, not to paths below it.
    const inverted = pattern.inverted && rest.length === pattern.internal.length;
    if (exists(rewritten)) return { segments: rewritten, inverted };
  }
  return { segments, inverted: false };
}

/** The path's own index segments where it matches the pattern (`[*]` matching any index), else undefined. */
function matchPrefix(pattern: PathSegment[], path: PathSegment[]): PathSegment[] | undefined {
  if (path.length < pattern.length) return undefined;
  const indexes: PathSegment[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const have = path[i]!;
    if (want.kind === 'field') {
      if (have.kind !== 'field' || have.name !== want.name) return undefined;
    } else {
      if (have.kind === 'field') return undefined;
      indexes.push(have);
    }
  }
  return indexes;
}

/** True when the schema knows every field of the path. */
export function pathInSchema(schema: JsonSchema, segments: readonly PathSegment[]): boolean {
  return schemaFor(schema, segments) !== undefined;
}

/** The schema of the value a path addresses, or undefined where the schema has no such field. */
export function schemaFor(schema: JsonSchema, segments: readonly PathSegment[]): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema;
  for (const segment of segments) {
    if (current === undefined) return undefined;
    if (segment.kind === 'field') {
      if (current.properties && Object.hasOwn(current.properties, segment.name))
        current = current.properties[segment.name];
      else if (typeof current.additionalProperties === 'object') current = current.additionalProperties;
      else if (
        current['x-kubernetes-preserve-unknown-fields'] === true ||
        (current.type === 'object' && current.properties === undefined && current.additionalProperties !== false)
      )
        current = {};
      else return undefined;
    } else {
      if (current.items === undefined) return undefined;
      current = current.items;
    }
  }
  return current;
}
