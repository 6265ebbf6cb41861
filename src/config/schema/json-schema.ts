/** The subset of JSON Schema (with Kubernetes's extensions) that kops's CRDs use. */
export interface JsonSchema {
  /** The JSON type(s) a value must have: `object`, `array`, `string`, `integer`, `number`, `boolean`. */
  type?: string | string[];
  /** The schema of each known field of an object, by field name. */
  properties?: Record<string, JsonSchema>;
  /** The schema of fields not in `properties` (a map's values), or false when none are allowed. */
  additionalProperties?: boolean | JsonSchema;
  /** The schema of every item of an array. */
  items?: JsonSchema;
  /** Fields an object must have. */
  required?: string[];
  /** The only values allowed. */
  enum?: unknown[];
  /** Alternatives: a value matching any of them is valid. */
  anyOf?: JsonSchema[];
  /** A named string format (`int-or-string`, `date-time` ...), as the CRD declares it. */
  format?: string;
  /** A regular expression a string must match. */
  pattern?: string;
  /** A number must be a multiple of this. */
  multipleOf?: number;
  /** Kubernetes: the value may be an integer or a string (a port, a quantity). */
  'x-kubernetes-int-or-string'?: boolean;
  /** Kubernetes: fields under this object are kept as they are, without a schema. */
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  /** Kubernetes: how a list merges (`atomic`, `set`, `map`). */
  'x-kubernetes-list-type'?: string;
  /** Kubernetes: for a `map` list, the item fields that identify an item. */
  'x-kubernetes-list-map-keys'?: string[];
  /** Kubernetes: how a map merges (`atomic`, `granular`). */
  'x-kubernetes-map-type'?: string;
  /** Any other JSON Schema keyword the CRD carries (kept, not interpreted). */
  [keyword: string]: unknown;
}

/**
 * The sub-schema at a path of property names and array indexes (any number stands for "an item"),
 * or undefined where the schema says nothing (unknown field, or free-form object).
 */
export function schemaAtPath(schema: JsonSchema, segments: ReadonlyArray<string | number>): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema;
  for (const segment of segments) {
    if (current === undefined) return undefined;
    if (typeof segment === 'number' || (current.items !== undefined && /^\d+$/.test(segment))) {
      current = current.items;
    } else if (current.properties !== undefined && Object.hasOwn(current.properties, segment)) {
      current = current.properties[segment];
    } else if (typeof current.additionalProperties === 'object') {
      current = current.additionalProperties;
    } else {
      return undefined;
    }
  }
  return current;
}
