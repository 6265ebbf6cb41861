import { isStateStoreError, StateStoreError } from '../errors.js';
import { backoffDelay, DEFAULT_RETRY, sleep, type RetryPolicy } from '../vfs/retry.js';
import type { Vfs } from '../vfs/types.js';
import { diffOperations, type ConfigDiff } from '../config/diff/diff-config.js';
import { unifiedDiff } from '../config/diff/unified.js';
import { updateParsedYamlText } from '../config/yaml/update.js';
import { assertSafeValue } from '../config/guard.js';
import { checkChangeFields } from '../config/validate/unknown-fields.js';
import { instanceGroupSchema } from '../config/schema/schemas.generated.js';
import type { ValidationIssue } from '../errors.js';
import type { JsonSchema } from '../config/schema/json-schema.js';
import { applyChange, type ConfigChange } from './change.js';
import { readParsedDocument, type StoredDocument } from './documents.js';
import type { DocumentKind } from './document-shape.js';
import type { ParsedYaml } from '../config/yaml/parse.js';
import { asKopsUpdates } from './kops-metadata.js';
import { refuseRename, storedName } from './names.js';
import type { WriteAnnotation } from './history/types.js';
import { assertFenced } from './lease/fence.js';
import { underMergeLease } from './merge-lease.js';
import { compareAndSwap, swapsByVersions } from './versioned-write.js';
import { recordWrite } from './history/record.js';
import type { FencedWrite } from './lease/types.js';
import type { ValidatedWrite } from './skipped-rules.js';

/**
 * Options of the optimistic merges: `mergeConfig`, `mergeInstanceGroup` and `mergeCreateClusterOptions`.
 * Named after `mergeConfig` so as not to be read as "options to merge" (see `mergeCreateClusterOptions`).
 */
export interface MergeConfigOptions extends WriteAnnotation, FencedWrite {
  /** Compute and validate the result, return the diff, write nothing. */
  dryRun?: boolean;
  /** Attempts before giving up on a contended document (Conflict). Default 64. */
  maxAttempts?: number;
  /** Backoff between attempts (full jitter). Default: 5 ms doubling up to 500 ms. */
  retry?: Omit<RetryPolicy, 'maxAttempts'>;
  /** Aborts the merge: between attempts, and any read or write in flight (then the error is `Aborted`). */
  signal?: AbortSignal;
}

/** What a merge did. */
export interface MergeResult<T> extends ValidatedWrite {
  /** False when the change was already in place (nothing was written). */
  changed: boolean;
  /** From the stored value to the new one. */
  diff: ConfigDiff;
  /** The version now stored (after a dry run: the version read). */
  version: string;
  /** Read-apply-write rounds it took (1 when uncontended). */
  attempts: number;
  /** The resulting value. */
  value: T;
  /**
   * Accepted problems: unknown fields that were already stored and that the change kept (kops
   * ignores them). Unknown fields a change introduces are refused with ValidationError instead.
   */
  warnings: ValidationIssue[];
}

/** One attempt's outcome before writing: the new value, its diff, and the text to write (undefined: no change). */
interface MergePlan<T> {
  next: T;
  diff: ConfigDiff;
  warnings: ValidationIssue[];
  text: string | undefined;
}

/** The kind of the documents `schema` describes. */
function kindOf(schema: JsonSchema): DocumentKind {
  return schema === instanceGroupSchema ? 'InstanceGroup' : 'Cluster';
}

/** Applies the change to the stored document, validates the result and renders the text to write. */
function planMerge<T>(
  key: string,
  what: string,
  current: StoredDocument<T>,
  parsed: ParsedYaml,
  change: ConfigChange<T>,
  schema: JsonSchema,
  validate: (value: T, before: T) => void,
): MergePlan<T> {
  const applied = applyChange(current.value, change, schema);
  refuseRename(what, storedName(current.value), applied);
  // Written as kops's clientset writes an update (kops-metadata.ts): spec changed, generation + 1.
  const next = diffOperations(current.value, applied).length === 0 ? applied : asKopsUpdates(current.value, applied);
  assertSafeValue(next);
  const kind = kindOf(schema);
  const { warnings } = checkChangeFields(schema, kind, current.value, next, () => validate(next, current.value));
  const operations = diffOperations(current.value, next);
  if (operations.length === 0) return { next, diff: { operations, unified: '' }, warnings, text: undefined };
  // The unified diff is of the stored text itself: exactly what the write changes, comments included.
  const text = updateParsedYamlText(current.text, [parsed], next);
  const unified = unifiedDiff(current.text, text, { from: `${key} (stored)`, to: `${key} (merged)` });
  return { next, diff: { operations, unified }, warnings, text };
}

/**
 * Optimistic read-modify-write of one YAML document: read it with its version, apply the change,
 * validate, write with `ifMatch`. A lost race (PreconditionFailed or Conflict) re-reads and
 * re-applies the change, after a jittered backoff, up to `maxAttempts`. Uncontended: one read and
 * one write. Nothing is written when the change fails, the result is invalid, or nothing changed.
 */
export async function mergeDocument<T>(
  vfs: Vfs,
  key: string,
  what: string,
  change: ConfigChange<T>,
  schema: JsonSchema,
  validate: (value: T, before: T) => void,
  options: MergeConfigOptions = {},
): Promise<MergeResult<T>> {
  // Without If-Match: checked against the bucket's versions where it keeps them (versioned-write.ts),
  // else under the cluster's lease.
  if (!(await vfs.loadCapabilities({ signal: options.signal })).ifMatch && !(await swapsByVersions(vfs)))
    return mergeWithoutSwap(vfs, key, what, change, schema, validate, options);
  const maxAttempts = options.maxAttempts ?? 64;
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 500, ...options.retry, maxAttempts };
  const refusals = new RefusalsOfCurrent();
  for (let attempt = 1; ; attempt++) {
    let current;
    let parsed;
    try {
      ({ stored: current, parsed } = await readParsedDocument<T>(vfs, key, what, options.signal, kindOf(schema)));
    } catch (err) {
      // A backend may fail a read that races writers (GCS: the generation changed under it).
      if (!isStateStoreError(err, 'Conflict') || attempt >= maxAttempts) throw err;
      await sleep(backoffDelay(attempt, policy), options.signal);
      continue;
    }
    refusals.read(vfs, key, what, current.version);
    const plan = planMerge(key, what, current, parsed, change, schema, validate);
    const { next, diff, warnings } = plan;
    if (plan.text === undefined)
      return { changed: false, diff, version: current.version, attempts: attempt, value: current.value, warnings };
    if (options.dryRun)
      return { changed: true, diff, version: current.version, attempts: attempt, value: next, warnings };
    // Outside the try: a refused fence is final, not a lost race to retry.
    await assertFenced(options);
    try {
      const written = await compareAndSwap(vfs, key, plan.text, current.version, {
        contentType: 'application/yaml',
        signal: options.signal,
      });
      // After the compare-and-swap succeeded: `current` is exactly what it replaced. Never throws.
      await recordWrite(vfs, key, {
        operation: 'update',
        before: current,
        after: { text: plan.text, version: written.version },
        reason: options.reason,
        author: options.author,
      });
      return { changed: true, diff, version: written.version, attempts: attempt, value: next, warnings };
    } catch (err) {
      if (!isStateStoreError(err, 'PreconditionFailed') && !isStateStoreError(err, 'Conflict')) throw err;
      refusals.refused(current.version, err);
      if (attempt >= maxAttempts) throw contended(vfs, key, `${what}: still contended after ${attempt} attempts`, err);
      await sleep(backoffDelay(attempt, policy), options.signal);
    }
  }
}

function contended(vfs: Vfs, key: string, message: string, cause: unknown): StateStoreError {
  return new StateStoreError('Conflict', message, { key, backend: vfs.backend, cause });
}

/** Refusals in a row against the version just read before the merge says it is not contention. */
const REFUSALS_OF_CURRENT = 4;

/**
 * Tells a server that refuses a current If-Match from contention: a compare-and-swap refused
 * against the version just read, that a re-read then finds unchanged, attempt after attempt, lost
 * to nobody (Ceph RGW 16.2 refuses a quoted If-Match even when current). Without this, such a
 * merge spends all its attempts (~17 s) and reports "still contended".
 */
class RefusalsOfCurrent {
  private refusedVersion: string | undefined;
  private cause: unknown;
  private inRow = 0;

  /** After a write with ifMatch `version` was refused. */
  refused(version: string, cause: unknown): void {
    this.refusedVersion = version;
    this.cause = cause;
  }

  /** After each read: throws once the refused version was found unchanged too many times in a row. */
  read(vfs: Vfs, key: string, what: string, version: string): void {
    if (this.refusedVersion === undefined) return;
    this.inRow = version === this.refusedVersion ? this.inRow + 1 : 0;
    this.refusedVersion = undefined;
    if (this.inRow < REFUSALS_OF_CURRENT) return;
    throw new StateStoreError(
      'Unsupported',
      `${what}: the ${vfs.backend} server refused ${this.inRow} compare-and-swap writes in a row against the version just read, which nobody had changed: this is not contention, the server does not honour If-Match as sent (on an S3-compatible server, check options.s3.dialect: leave it unset to probe the server, or e.g. "rgw")`,
      { key, backend: vfs.backend, cause: this.cause, retryable: false },
    );
  }
}

/**
 * mergeDocument on a store without compare-and-swap: under the cluster's lease when the store
 * enforces create-if-absent (see ./merge-lease.ts: statestore writers are serialised, writers
 * ignoring the lease are not), refused with Unsupported when it enforces neither. A dry run writes
 * nothing and takes no lease.
 */
async function mergeWithoutSwap<T>(
  vfs: Vfs,
  key: string,
  what: string,
  change: ConfigChange<T>,
  schema: JsonSchema,
  validate: (value: T, before: T) => void,
  options: MergeConfigOptions,
): Promise<MergeResult<T>> {
  if (!vfs.capabilities.ifNoneMatch)
    throw new StateStoreError(
      'Unsupported',
      `${what}: merging needs compare-and-swap, or create-if-absent to merge under the cluster's lease; ` +
        `the ${vfs.backend} backend enforces neither (swift: see its createIfAbsent option)`,
      { key, backend: vfs.backend },
    );
  const once = async (fence: () => void): Promise<MergeResult<T>> => {
    const { stored: current, parsed } = await readParsedDocument<T>(vfs, key, what, options.signal);
    const { next, diff, warnings, text } = planMerge(key, what, current, parsed, change, schema, validate);
    if (text === undefined || options.dryRun === true)
      return {
        changed: text !== undefined,
        diff,
        version: current.version,
        attempts: 1,
        value: text === undefined ? current.value : next,
        warnings,
      };
    fence();
    await assertFenced(options);
    const written = await vfs.write(key, text, { contentType: 'application/yaml', signal: options.signal });
    await recordWrite(vfs, key, {
      operation: 'update',
      before: current,
      after: { text, version: written.version },
      reason: options.reason,
      author: options.author,
    });
    return { changed: true, diff, version: written.version, attempts: 1, value: next, warnings };
  };
  if (options.dryRun === true) return once(() => undefined);
  return underMergeLease(vfs, key, options.signal, once);
}
