import { isScalar, Scalar, visit, type Document } from 'yaml';

/*
 * kops decodes YAML with go-yaml v2 (through sigs.k8s.io/yaml). Its resolver is YAML 1.1 plus Go's
 * own number parsing: it strips every `_` and then tries strconv.ParseInt(s, 0, 64), which accepts
 * `0x1F`, `0o17`, `0b101` and `010`; anything matching its float pattern (`08`, `1e3`, `.5`) is a
 * float; `y`/`n`/`on`/`off` are booleans; `2017-1-2` is a timestamp. The `yaml` package's 1.1 schema
 * covers most of this but not Go's extras, so the writer checks every string it emits against this
 * stricter list and double-quotes the ones kops would not read back as the same string.
 */
const RESERVED = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE',
  'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
  '<<',
]);
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/;
const GO_YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// Over-inclusive on purpose: quoting a string that did not need it is harmless.
const GO_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]|$)/;

/** True when go-yaml v2 would read the plain (unquoted) scalar `text` as something other than that string. */
export function goYamlReadsAsNonString(text: string): boolean {
  if (RESERVED.has(text)) return true;
  const digits = text.replace(/_/g, '');
  return GO_INT.test(digits) || GO_YAML_FLOAT.test(digits) || GO_TIMESTAMP.test(text);
}

/**
 * Double-quotes every string scalar whose style the writer is free to choose (new or changed
 * nodes: `type` unset) and that kops would misread if written plain. Nodes that came from the
 * original text keep their style, so untouched lines stay byte-identical.
 */
export function quoteAmbiguousStrings(document: Document): void {
  visit(document, {
    Scalar(_, node) {
      if (isScalar(node) && node.type === undefined && typeof node.value === 'string' && goYamlReadsAsNonString(node.value)) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
}
