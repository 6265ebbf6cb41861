import type { DocumentOptions, ParseOptions, SchemaOptions, ToStringOptions } from 'yaml';
import { goParseTags, goWriteTags } from './go-tags.js';

/** Limits applied to every YAML document statestore parses. */
export interface YamlLimits {
  /** Largest accepted text, in bytes. Default 4 MiB (kops configs are a few KiB). */
  maxBytes?: number;
  /** Most alias expansions (`*ref`) in one document; guards against "billion laughs". Default 100. */
  maxAliasCount?: number;
}

/** The limits used when none are given: 4 MiB of text, 100 alias expansions. */
export const DEFAULT_LIMITS: Required<YamlLimits> = { maxBytes: 4 * 1024 * 1024, maxAliasCount: 100 };

/**
 * kops reads YAML with go-yaml v2 (YAML 1.1, via sigs.k8s.io/yaml), so plain scalars are resolved
 * by go-yaml's own rules (go-tags.ts): `on`, `yes`, `0755`, `0o14` mean what kops thinks they mean,
 * `1:20` is a string (no base 60), timestamps stay strings, `!!binary` is its decoded text and
 * `!!omap`/`!!set`/`!!pairs` are the plain list or map go-yaml reads.
 */
export const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  // Duplicate keys are refused by parse.ts in one linear pass: the `yaml` package's own check
  // compares each key with every earlier key of its map (2.3 s for 15,000 keys, issue #25.8).
  uniqueKeys: false,
  merge: false,
  prettyErrors: true,
  strict: true,
  customTags: goParseTags,
};

/**
 * For writing: the full 1.1 schema, timestamps included, so that a string that looks like a
 * timestamp (`2017-01-01T00:00:00Z`) is quoted and reads back as a string whatever the reader.
 */
export const WRITE_SCHEMA: SchemaOptions & DocumentOptions = {
  version: '1.1',
  merge: false,
  // Without this the 1.1 schema writes the string "<<" bare, as a merge key, whatever its quoting.
  customTags: goWriteTags,
};

/** kops's own layout: sequences not indented under their key, no line folding. */
export const STRINGIFY_OPTIONS: ToStringOptions = { indentSeq: false, lineWidth: 0, minContentWidth: 0 };
