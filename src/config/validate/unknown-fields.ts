import { isStateStoreError, StateStoreError, type ValidationIssue } from '../../errors.js';
import { isPlainObject } from '../guard.js';
import type { JsonSchema } from '../schema/json-schema.js';
import { didYouMean } from './did-you-mean.js';

/** A field the schema does not know, where it sits and how to recognise it in another version. */
export interface UnknownField {
  /** JSON pointer in the value. */
  path: string;
  /**
   * The path with list elements named by their `name` where they have one (`/spec/subnets[name=a]/x`),
   * so the same field is recognised after a change that moved its element within the list.
   */
  identity: string;
  /** The field's name. */
  field: string;
  /** The closest known field at that place, when one is close. */
  didYouMean?: string;
}

const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every field of `value` that `schema` does not know: keys of objects that the schema closes
 * (`additionalProperties: false`, as kops's CRDs are) and does not list. Compared with
 * `Object.hasOwn`, so `toString` or `constructor` are unknown like any other name.
 * The value must already have passed `assertSafeValue` (depth is bounded).
 */
export function unknownFields(schema: JsonSchema, value: unknown): UnknownField[] {
  const found: UnknownField[] = [];
  walk(schema, value, '', '', found);
  return found;
}

function walk(
  schema: JsonSchema | undefined,
  value: unknown,
  path: string,
  identity: string,
  out: UnknownField[],
): void {
  if (schema === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const label = isPlainObject(item) && typeof item.name === 'string' ? `[name=${item.name}]` : `/${index}`;
      walk(schema.items, item, `${path}/${index}`, identity + label, out);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  const properties = schema.properties ?? {};
  for (const key of Object.keys(value)) {
    const childPath = `${path}/${escape(key)}`;
    const childIdentity = `${identity}/${escape(key)}`;
    if (Object.hasOwn(properties, key)) walk(properties[key], value[key], childPath, childIdentity, out);
    else if (typeof schema.additionalProperties === 'object')
      walk(schema.additionalProperties, value[key], childPath, childIdentity, out);
    else if (schema.additionalProperties === false) {
      const suggestion = didYouMean(key, Object.keys(properties));
      out.push({
        path: childPath,
        identity: childIdentity,
        field: key,
        ...(suggestion ? { didYouMean: suggestion } : {}),
      });
    }
  }
}

/** What {@link checkChangeFields} found: the unknown fields kept from the stored version. */
export interface ChangeFieldCheck {
  /** Unknown fields already stored, kept by the change: accepted, reported as warnings. */
  warnings: ValidationIssue[];
}

/**
 * Validates the result of a change against the stored version it came from. Unknown fields the
 * change introduces are errors (kops would silently drop them: `k8sVersion` for
 * `kubernetesVersion`), with a did-you-mean where one is close. Unknown fields already stored stay
 * (kops ignores them; they may come from another kops version) and are returned as warnings, even
 * where `validate` would call them errors, so a stored typo does not lock the document. Any other
 * error of `validate` is thrown as it was.
 */
export function checkChangeFields(
  schema: JsonSchema,
  kind: string,
  before: unknown,
  after: unknown,
  validate: () => void,
): ChangeFieldCheck {
  const stored = new Set(unknownFields(schema, before).map((field) => field.identity));
  const fields = unknownFields(schema, after);
  const kept = fields.filter((field) => stored.has(field.identity));
  const keptPaths = new Set(kept.map((field) => field.path));
  const errors: ValidationIssue[] = [];
  try {
    validate();
  } catch (err) {
    if (!isStateStoreError(err, 'ValidationError') || err.issues === undefined) throw err;
    const remaining = err.issues.filter((issue) => issue.severity !== 'warning' && !keptPaths.has(issue.path));
    if (
      remaining.length === err.issues.filter((issue) => issue.severity !== 'warning').length &&
      fields.length === kept.length
    )
      throw err;
    for (const issue of remaining) errors.push(issue);
  }
  const reported = new Set(errors.map((issue) => issue.path));
  for (const field of fields) {
    if (stored.has(field.identity) || reported.has(field.path)) continue;
    const hint = field.didYouMean
      ? `; did you mean "${field.didYouMean}"?`
      : ' (kops would ignore it: the change would be lost)';
    errors.push({
      path: field.path,
      message: `unknown field "${field.field}" at ${field.path} in ${kind}${hint}`,
      ...(field.didYouMean ? { didYouMean: field.didYouMean } : {}),
    });
  }
  if (errors.length > 0) {
    const shown = errors
      .slice(0, 5)
      .map((issue) => issue.message)
      .join('; ');
    const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
    throw new StateStoreError('ValidationError', `invalid ${kind}: ${shown}${more}`, { issues: errors });
  }
  return {
    warnings: kept.map((field) => ({
      path: field.path,
      message: `unknown field "${field.field}" at ${field.path} in ${kind}, already stored (kops ignores it)`,
      severity: 'warning' as const,
      ...(field.didYouMean ? { didYouMean: field.didYouMean } : {}),
    })),
  };
}
