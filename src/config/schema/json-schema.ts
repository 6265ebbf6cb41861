/** The subset of JSON Schema (with Kubernetes's extensions) that kops's CRDs use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  multipleOf?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
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
