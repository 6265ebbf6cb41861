import { isScalar, Scalar, visit, type Document } from 'yaml';
import { goNeedsQuotes } from './go-resolve.js';

/**
 * True when go-yaml v2 (kops's YAML library, via sigs.k8s.io/yaml) would read the plain (unquoted)
 * scalar `text` as something other than that string (`on`, `1.30`, `0o17`, `2017-01-02`, `~`), or
 * quotes it anyway (base-60 shapes such as `1:20`): its encoder writes such strings double-quoted.
 * The rules are go-yaml's own resolver (go-resolve.ts).
 */
export function goYamlReadsAsNonString(text: string): boolean {
  return goNeedsQuotes(text);
}

/**
 * Double-quotes every string scalar whose style the writer is free to choose (new or changed
 * nodes: `type` unset) and that kops would misread if written plain. Nodes that came from the
 * original text keep their style, so untouched lines stay byte-identical.
 */
export function quoteAmbiguousStrings(document: Document): void {
  visit(document, {
    Scalar(_, node) {
      if (
        isScalar(node) &&
        node.type === undefined &&
        typeof node.value === 'string' &&
        goYamlReadsAsNonString(node.value)
      ) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
}
