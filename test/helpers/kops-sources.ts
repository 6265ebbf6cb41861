/**
 * The kops lines the validation port cites, read from kops's own files at the commit it follows
 * (test/fixtures/kops/validation-source/, verbatim), and the check that an error's citation is a
 * line of kops making that very kind of error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FieldError, FieldErrorType } from '../../src/config/validate/field/errors.js';
import { kopsSource } from '../../src/config/validate/kops-validation/source.js';
import { REPO_ROOT } from './repo-root.js';

export const KOPS_SOURCE_DIR = path.join(REPO_ROOT, 'test/fixtures/kops/validation-source');

/** The Go calls that make an error, by the kind of error each makes. */
export const GO_CONSTRUCTORS: Record<FieldErrorType, readonly string[]> = {
  Required: ['field.Required('],
  Invalid: ['field.Invalid('],
  Forbidden: ['field.Forbidden('],
  // IsValidValue (helpers.go:45) reports field.NotSupported.
  NotSupported: ['field.NotSupported(', 'IsValidValue('],
  Duplicate: ['field.Duplicate('],
  NotFound: ['field.NotFound('],
  TooMany: ['field.TooMany('],
  Internal: ['field.InternalError('],
};

/** Every Go call that makes an error: the field constructors, and plain Go errors (DeepValidate's). */
export const ANY_GO_ERROR = [...new Set(Object.values(GO_CONSTRUCTORS).flat()), 'fmt.Errorf(', 'errors.New('];

const files = new Map<string, string[]>();

/** The lines of a kops file, by its path in kops's repository (`pkg/apis/kops/validation/aws.go`). */
export function kopsLines(kopsPath: string): string[] {
  let lines = files.get(kopsPath);
  if (lines === undefined) {
    lines = readFileSync(path.join(KOPS_SOURCE_DIR, kopsPath), 'utf8').split('\n');
    files.set(kopsPath, lines);
  }
  return lines;
}

/** The text of the kops line `source` names (`pkg/apis/kops/validation/aws.go:236`), or undefined past the end. */
export function kopsLine(source: string): string | undefined {
  const at = source.lastIndexOf(':');
  return kopsLines(source.slice(0, at))[Number(source.slice(at + 1)) - 1];
}

/** Why the kops line a short citation (`aws.go:236`) names does not make one of `calls`, or undefined when it does. */
export function citationProblem(rule: string, calls: readonly string[]): string | undefined {
  const source = kopsSource(rule);
  const line = kopsLine(source);
  if (line === undefined) return `${source}: no such line`;
  if (/^\s*\/\//.test(line)) return `${source} is a comment: ${line.trim()}`;
  return calls.some((call) => line.includes(call))
    ? undefined
    : `${source} makes no ${calls.join(' / ')}: ${line.trim()}`;
}

/**
 * Each error's `rule` names a kops line making that kind of error (`field.Invalid` for Invalid,
 * `field.NotSupported` or `IsValidValue` for NotSupported ...): the proof that what
 * `ValidationIssue.source` reports is kops's own line for the rule.
 */
export function expectKopsSources(errors: readonly FieldError[]): void {
  const problems = errors.flatMap((e) => citationProblem(e.rule, GO_CONSTRUCTORS[e.type]) ?? []);
  expect(problems).toEqual([]);
}
