/**
 * Splits a kops schema into one function per object schema before ajv generates its code (see
 * scripts/validators-source.ts). Inlined, the Cluster schema became one function of a megabyte,
 * which V8 compiles whole on the first call (~60-90 ms of a fresh process's first validation on
 * the 2-core machine). Split, the first call compiles only the functions of the objects a
 * document has: a typical Cluster reaches a handful of its ~150 object schemas.
 *
 * Each object schema below the root moves to `definitions` and is referenced with `$ref`; with
 * ajv's `inlineRefs: false` each becomes a function of its own. ajv reports a referenced
 * schema's `schemaPath` from that schema's root, so {@link restoreSchemaPaths} puts back the
 * path in the original schema: errors stay exactly those of the unsplit schema (tested in
 * test/config/validators-generated.test.ts against a validator compiled at run time).
 */

type Schema = Record<string, unknown>;

/** Marks each moved schema with its path in the original schema (read back by restoreSchemaPaths). */
const AT = 'x-statestore-at';

// How ajv writes one segment of an error's schemaPath (a JSON pointer as a URI fragment).
function fragment(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
}

/** The schema with every object schema below the root moved to `definitions` and referenced. */
export function splitSchema(root: Schema): Schema {
  const definitions: Record<string, Schema> = {};
  const walk = (node: Schema, at: string, movable: boolean): Schema => {
    const out: Schema = movable && node.properties !== undefined ? { [AT]: at } : {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && isSchema(value)) {
        out[key] = Object.fromEntries(
          Object.entries(value).map(([name, sub]) => [
            name,
            isSchema(sub) ? walk(sub, `${at}/properties/${fragment(name)}`, true) : sub,
          ]),
        );
      } else if ((key === 'items' || key === 'additionalProperties') && isSchema(value)) {
        out[key] = walk(value, `${at}/${key}`, true);
      } else {
        out[key] = value;
      }
    }
    if (out[AT] === undefined) return out;
    const name = `s${Object.keys(definitions).length}`;
    definitions[name] = out;
    return { $ref: `#/definitions/${name}` };
  };
  return { ...walk(root, '', false), definitions };
}

/** What the generator reads of ajv's compiled schemas (internal fields of ajv 8: `schemas`, `refs`). */
interface CompiledEnv {
  schema: unknown;
  validateName?: { toString(): string };
  refs: Record<string, CompiledEnv | unknown>;
}

/**
 * The original schema path of each generated function: ajv keeps each compiled schema under the
 * root's `refs`, with the name of its function, and each moved schema carries its path.
 */
export function functionPaths(ajv: object, ids: readonly string[]): Map<string, string> {
  const paths = new Map<string, string>();
  const schemas = (ajv as { schemas: Record<string, CompiledEnv> }).schemas;
  for (const id of ids) {
    for (const env of Object.values(schemas[id]?.refs ?? {})) {
      const compiled = env as CompiledEnv;
      const at = isSchema(compiled.schema) ? compiled.schema[AT] : undefined;
      if (typeof at === 'string' && compiled.validateName !== undefined) paths.set(String(compiled.validateName), at);
    }
  }
  return paths;
}

/**
 * ajv's standalone code declares every function at the top level: within each function of a
 * moved schema, schemaPaths get that schema's original path back.
 */
export function restoreSchemaPaths(code: string, paths: ReadonlyMap<string, string>): string {
  return code
    .split(/(?=function validate\d+\(|const schema\d+ = )/)
    .map((part) => {
      const at = paths.get(/^function (validate\d+)\(/.exec(part)?.[1] ?? '');
      return at === undefined ? part : part.replace(/schemaPath:"#/g, `schemaPath:"#${at}`);
    })
    .join('');
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
