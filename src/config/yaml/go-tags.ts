import type { CollectionTag, ScalarTag, Tags } from 'yaml';
import { goResolve, type GoYamlKind } from './go-resolve.js';

/*
 * The `yaml` package's YAML 1.1 schema reads some scalars and tags differently from go-yaml v2,
 * kops's reader (kops: pkg/kopscodecs/codecs.go -> sigs.k8s.io/yaml -> go.yaml.in/yaml/v2
 * decode.go, resolve.go): it reads `1:20` as 80 (base 60, which go-yaml does not have), `0o14` as a
 * string (go-yaml: 12), `!!binary` as bytes and `!!omap`/`!!set`/`!!pairs` as JS Maps and Sets,
 * which became `{}` as JSON and were written back as `{}`. These tags replace them with go-yaml's
 * rules: plain scalars resolved by goResolve, `!!binary` decoded to its text, and the collection
 * tags read as the plain sequence or map go-yaml reads them as (it ignores tags on collections).
 */

const Y = 'tag:yaml.org,2002:';

/**
 * Two tags per kind: the default one resolves plain scalars; the other (no test) serves explicit
 * tags such as `!!int "12"`, which the parser only gives to a default tag whose test passes.
 */
function scalarTag(name: string, kind: GoYamlKind, convert?: (value: unknown) => unknown): ScalarTag[] {
  const tag: ScalarTag = {
    tag: `${Y}${name}`,
    default: true,
    // An object with a test() method is what the parser calls: go-yaml's resolver decides.
    test: { test: (text: string) => goResolve(text)[0] === kind } as unknown as RegExp,
    resolve(text, onError) {
      const [found, value] = goResolve(text);
      if (found === kind) return value;
      if (convert !== undefined && found === 'int') return convert(value); // `!!float 1` is 1.0 to go-yaml
      onError(`cannot decode ${JSON.stringify(text)} as a !!${name} (go-yaml v2, kops's reader, refuses it)`);
      return text;
    },
  };
  return [tag, { ...tag, default: false, test: undefined }];
}

// base64.StdEncoding (Go): padded, newlines ignored, nothing else.
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const binaryTag: ScalarTag = {
  tag: `${Y}binary`,
  default: false,
  resolve(text, onError) {
    const compact = text.replace(/[\r\n]/g, '');
    if (!STD_BASE64.test(compact)) {
      onError('!!binary value contains invalid base64 data');
      return text;
    }
    // go-yaml gives the decoded bytes as a Go string; JSON then carries them as text.
    return new TextDecoder('utf-8').decode(Buffer.from(compact, 'base64'));
  },
  stringify: (item) => Buffer.from(String(item.value), 'utf8').toString('base64'),
};

const timestampTag: ScalarTag = {
  tag: `${Y}timestamp`,
  default: false,
  resolve: (text) => text, // go-yaml keeps a timestamp as its text when decoding into interface{}
};

function aliasOf(tags: Tags, base: string, as: string): CollectionTag {
  const found = tags.find((tag): tag is CollectionTag => typeof tag !== 'string' && tag.tag === `${Y}${base}`);
  if (found === undefined) throw new Error(`yaml: no ${base} tag`);
  return { ...found, tag: `${Y}${as}`, default: false };
}

/** The parse schema's tags: map, seq and str from the `yaml` package, everything else as go-yaml v2 reads it. */
export function goParseTags(tags: Tags): Tags {
  const kept = tags.filter((tag) => typeof tag !== 'string' && [`${Y}map`, `${Y}seq`, `${Y}str`].includes(tag.tag));
  return [
    ...kept,
    ...scalarTag('null', 'null'),
    ...scalarTag('bool', 'bool'),
    ...scalarTag('int', 'int'),
    ...scalarTag('float', 'float', (value) => value),
    binaryTag,
    timestampTag,
    aliasOf(tags, 'seq', 'omap'),
    aliasOf(tags, 'seq', 'pairs'),
    aliasOf(tags, 'map', 'set'),
  ];
}

/** The write schema's tags: the `yaml` package's 1.1 tags, with `!!binary` written from text and no merge key. */
export function goWriteTags(tags: Tags): Tags {
  const dropped = [`${Y}merge`, `${Y}binary`, `${Y}omap`, `${Y}pairs`, `${Y}set`];
  const kept = tags.filter((tag) => typeof tag === 'string' || !dropped.includes(tag.tag));
  return [...kept, binaryTag, aliasOf(tags, 'seq', 'omap'), aliasOf(tags, 'seq', 'pairs'), aliasOf(tags, 'map', 'set')];
}
