import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ValidationIssue } from '../../errors.js';
import { schemaAtPath, type JsonSchema } from '../schema/json-schema.js';
import { didYouMean } from './did-you-mean.js';
import { clusterSchema, instanceGroupSchema } from '../schema/schemas.generated.js';
import { validateCluster, validateInstanceGroup } from './validators.generated.js';

// kops's two schemas come compiled at build time (validators.generated.js, ajv standalone code,
// scripts/gen-validators.ts): compiling the Cluster schema at run time took most of a second in a
// fresh process, and the library then needs no JSON-schema compiler at run time at all.
const precompiled = new Map<JsonSchema, ValidateFunction>([
  [clusterSchema, validateCluster as ValidateFunction],
  [instanceGroupSchema, validateInstanceGroup as ValidateFunction],
]);

function compiled(schema: JsonSchema): ValidateFunction {
  const validate = precompiled.get(schema);
  if (validate === undefined)
    throw new Error('no precompiled validator for this schema: add it to scripts/validators-source.ts');
  return validate;
}

/** A validator for one of kops's schemas (compiled at build time), reporting issues with did-you-mean hints. */
export class SchemaValidator {
  constructor(
    private readonly schema: JsonSchema,
    private readonly kind: string,
    private readonly strict = false,
  ) {}

  /** Every schema problem of `value`, with JSON-pointer paths and did-you-mean hints. */
  issues(value: unknown): ValidationIssue[] {
    const validate = compiled(this.schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).filter(notNoise).map((error) => this.toIssue(error));
  }

  private toIssue(error: ErrorObject): ValidationIssue {
    const path = error.instancePath || '/';
    if (error.keyword === 'additionalProperties') {
      const field = String((error.params as { additionalProperty: string }).additionalProperty);
      const segments = pointerSegments(error.instancePath);
      const known = Object.keys(schemaAtPath(this.schema, segments)?.properties ?? {});
      const suggestion = didYouMean(field, known);
      // A near-miss of a known field is almost surely a typo kops would silently drop: an error.
      // Anything else is most likely a field of another kops version, which kops ignores too.
      if (suggestion !== undefined || this.strict) {
        return {
          path: `${error.instancePath}/${escape(field)}`,
          message: `unknown field "${field}" in ${this.kind}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          ...(suggestion ? { didYouMean: suggestion } : {}),
        };
      }
      return {
        path: `${error.instancePath}/${escape(field)}`,
        message: `unknown field "${field}" in ${this.kind} (kops ignores it)`,
        severity: 'warning',
      };
    }
    if (error.keyword === 'type') {
      return { path, message: `${path} must be ${describeType((error.params as { type: string | string[] }).type)}` };
    }
    if (error.keyword === 'enum') {
      return {
        path,
        message: `${path} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    }
    if (error.keyword === 'required') {
      return {
        path,
        message: `${path} is missing the required field "${(error.params as { missingProperty: string }).missingProperty}"`,
      };
    }
    if (error.keyword === 'multipleOf') {
      return { path, message: `${path} must be a whole number or a string (an int-or-string field)` };
    }
    if (
      error.keyword === 'pattern' &&
      schemaAtPath(this.schema, pointerSegments(error.instancePath))?.['x-kubernetes-int-or-string'] === true
    ) {
      return { path, message: `${path} must be a number or a quantity such as "500m", "2Gi" or "1.5"` };
    }
    return { path, message: `${path} ${error.message ?? 'is invalid'}` };
  }
}

/** int-or-string fields produce one error per branch of their anyOf; the anyOf error says it all. */
function notNoise(error: ErrorObject, _index: number, all: ErrorObject[]): boolean {
  if (error.keyword === 'anyOf') return true;
  return !all.some(
    (other) =>
      other.keyword === 'anyOf' &&
      other.instancePath === error.instancePath &&
      error.schemaPath.startsWith(other.schemaPath),
  );
}

function describeType(type: string | string[]): string {
  const types = Array.isArray(type) ? type : [type];
  // "an integer", not ajv's "a integer".
  return types
    .map((t) => (t === 'object' ? 'a map' : t === 'array' ? 'a list' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`))
    .join(' or ');
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}
