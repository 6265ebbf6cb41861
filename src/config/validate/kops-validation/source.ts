/**
 * Where a kops rule comes from, as the public API names it, and the rules a run could not check.
 * Inside the port a rule is its short citation, `aws.go:236` (every error constructor's last
 * argument); outside, `ValidationIssue.source` and `SkippedRule.source` give the path in the
 * kubernetes/kops repository, `pkg/apis/kops/validation/aws.go:236`, at KOPS_VALIDATION_COMMIT.
 */

/** The kops folders of the files cited outside `pkg/apis/kops/validation/`. */
const KOPS_FOLDERS: Readonly<Record<string, string>> = {
  'master_volumes.go': 'pkg/model/',
  'delete_instancegroup.go': 'cmd/kops/',
};

/** `aws.go:236` -> `pkg/apis/kops/validation/aws.go:236`. */
export function kopsSource(rule: string): string {
  const file = rule.slice(0, rule.indexOf(':'));
  return `${KOPS_FOLDERS[file] ?? 'pkg/apis/kops/validation/'}${rule}`;
}

/** A kops rule a validation did not run, and why (a cloud fact it needs was not given). */
export interface SkippedRule {
  /** The rule's kops source line, as `ValidationIssue.source`: `pkg/apis/kops/validation/aws.go:245`. */
  source: string;
  /** Why it did not run, and which fact would let it run. */
  reason: string;
}

/** Notes that the rules `rules` (short citations) were not run, once per rule and reason. */
export function noteSkipped(log: SkippedRule[] | undefined, rules: readonly string[], reason: string): void {
  if (log === undefined) return;
  for (const rule of rules) {
    const source = kopsSource(rule);
    if (!log.some((s) => s.source === source && s.reason === reason)) log.push({ source, reason });
  }
}
