/**
 * The kops rules a write of clusters and instance groups did not run (kops-validation/'s
 * `SkippedRule` log), as its result reports them.
 */
import type { SkippedRule } from '../config/validate/kops-validation/source.js';

/** What a validated write of clusters and instance groups also reports. */
export interface ValidatedWrite {
  /**
   * kops's rules the write did not run for lack of a fact from the cloud, each source and why
   * (absent when none): on an update of a cluster, `ValidateClusterUpdate`'s etcd rules, which need
   * the etcd clusters kops has created; on AWS, aws.go's rules asking EC2 about machine types and
   * images (`createCluster` runs them with `cloudFacts`, as `statestore validate --cloud-facts` does).
   */
  skippedRules?: SkippedRule[];
}

/** `result` with the rules skipped, when there are any (a copy of the log, which may be reused). */
export function withSkippedRules<T extends object>(result: T, skipped: readonly SkippedRule[]): T & ValidatedWrite {
  return skipped.length === 0 ? result : { ...result, skippedRules: [...skipped] };
}
