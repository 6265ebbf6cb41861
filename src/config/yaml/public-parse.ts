/**
 * The main entry's YAML parse functions: those of `config/yaml/parse.ts` with a result that carries
 * only the value. The yaml library's syntax tree they keep for comment-preserving writes is an
 * internal of this package, not part of its API.
 */
import { parseYaml as parseYamlInternal, parseYamlDocuments as parseYamlDocumentsInternal } from './parse.js';
import type { YamlLimits } from './options.js';

/** One parsed YAML document, as {@link parseYaml} returns it: its plain value (the syntax tree stays internal). */
export interface YamlDocument {
  /** The document's value: plain objects, arrays, strings, numbers, booleans and null, as kops's YAML 1.1 reader reads them. */
  readonly value: unknown;
}

/**
 * Parses YAML text holding exactly one document, safely: a size limit (checked before parsing),
 * an alias-expansion limit, and duplicate keys, merge keys (`<<`), complex keys and `__proto__` /
 * `constructor` / `prototype` keys refused. Scalars read as kops's YAML 1.1 reader reads them
 * (`on` is true, `0755` is 493; timestamps stay strings). Throws StateStoreError InvalidArgument
 * naming the line and column. To write a change back with comments kept, use {@link updateYamlText}.
 *
 * @example
 * ```ts
 * import { parseYaml } from 'kops-statestore';
 *
 * parseYaml('spec:\n  kubernetesVersion: 1.30.0\n').value; // { spec: { kubernetesVersion: '1.30.0' } }
 * parseYaml('a: 1\na: 2\n'); // throws StateStoreError InvalidArgument (duplicate key, line 2)
 * ```
 */
export function parseYaml(text: string, limits?: YamlLimits): YamlDocument {
  return { value: parseYamlInternal(text, limits).value };
}

/** Parses every `---`-separated document of a YAML text (empty ones skipped), with the rules of {@link parseYaml}. */
export function parseYamlDocuments(text: string, limits?: YamlLimits): YamlDocument[] {
  return parseYamlDocumentsInternal(text, limits).map((document) => ({ value: document.value }));
}
