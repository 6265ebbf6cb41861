/** JSON data as the merge functions see it (what YAML and JSON parsers give for a kops document). */
export type JsonPrimitive = string | number | boolean | null;
/** Any JSON value. */
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * A deep partial of T for patches: every field optional, and `null` allowed where a field may be
 * deleted. Arrays take whole elements (keyed lists merge by key), plus `$patch` directives.
 */
export type DeepPatch<T> =
  T extends ReadonlyArray<infer E>
    ? ReadonlyArray<DeepPatch<E> | E>
    : T extends object
      ? { [K in keyof T]?: DeepPatch<T[K]> | null } & {
          /** Strategic-merge directive: replace this object whole, delete it, or merge (the default). */
          $patch?: 'replace' | 'delete' | 'merge';
        }
      : T;
