import type { DocumentOptions, ParseOptions, SchemaOptions, ToStringOptions } from 'yaml';

/** Limits applied to every YAML document statestore parses. */
export interface YamlLimits {
  /** Largest accepted text, in bytes. Default 4 MiB (kops configs are a few KiB). */
  maxBytes?: number;
  /** Most alias expansions (`*ref`) in one document; guards against "billion laughs". Default 100. */
  maxAliasCount?: number;
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

export const DEFAULT_LIMITS: Required<YamlLimits> = { maxBytes: 4 * 1024 * 1024, maxAliasCount: 100 };

/**
 * kops reads YAML with go-yaml v2 (YAML 1.1, via sigs.k8s.io/yaml), so we parse and write with
 * the 1.1 schema: `on`, `yes`, `0755` mean there what kops thinks they mean, and strings that
 * would be misread are quoted on output. Timestamps stay strings, as they do for kops.
 */
export const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  uniqueKeys: true,
  merge: false,
  prettyErrors: true,
  strict: true,
  customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || (tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.tag !== MERGE_TAG)),
};

/**
 * For writing: the full 1.1 schema, timestamps included, so that a string that looks like a
 * timestamp (`2017-01-01T00:00:00Z`) is quoted and reads back as a string whatever the reader.
 */
export const WRITE_SCHEMA: SchemaOptions & DocumentOptions = {
  version: '1.1',
  merge: false,
  // Without this the 1.1 schema writes the string "<<" bare, as a merge key, whatever its quoting.
  customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || tag.tag !== MERGE_TAG),
};

/** kops's own layout: sequences not indented under their key, no line folding. */
export const STRINGIFY_OPTIONS: ToStringOptions = { indentSeq: false, lineWidth: 0, minContentWidth: 0 };
