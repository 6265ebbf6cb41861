import { performance } from 'node:perf_hooks';
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { CallOptions, Vfs } from '../../vfs/types.js';
import { MAX_TIMER_MS } from './timers.js';
import { leaseDocument, leaseKey, type LeaseDocument } from './document.js';
import { giveBack, readIfOurs, withdrawIfOurs, WITHDRAW_TIMEOUT_MS } from './withdraw.js';
import type { Lease } from './types.js';

/** What a holder knows right after a successful write of its lease document. */
export interface Written {
  doc: LeaseDocument;
  /** The version that write produced: the next renewal or release swaps against it. */
  version: string;
  /** `performance.now()` taken before that write was sent: the lease holds until this + ttl. */
  sentAt: number;
}

/**
 * A lease this process holds. Its deadline is kept on the monotonic clock and measured from before
 * the write was sent, so it never ends after what a taker with an agreeing clock can see in the
 * document (`expiresAt`, from the wall clock read at the same moment).
 */
export class HeldLease implements Lease {
  readonly cluster: string;
  readonly owner: string;
  readonly token: string;
  readonly #vfs: Vfs;
  readonly #key: string;
  readonly #lost = new AbortController();
  #doc: LeaseDocument;
  #version: string;
  #deadline: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #released = false;

  constructor(vfs: Vfs, cluster: string, written: Written) {
    this.#vfs = vfs;
    this.cluster = cluster;
    this.#key = leaseKey(cluster);
    this.owner = written.doc.owner;
    this.token = written.doc.token;
    this.#doc = written.doc;
    this.#version = written.version;
    this.#deadline = written.sentAt + written.doc.ttlMs;
    this.#schedule();
  }

  get id(): string {
    return this.token;
  }

  get expiresAt(): Date {
    return new Date(this.#doc.expiresAt);
  }

  /** Checked on every read, so that a process paused past its deadline sees the loss at once. */
  get lost(): AbortSignal {
    this.#checkDeadline();
    return this.#lost.signal;
  }

  get held(): boolean {
    return !this.#released && !this.lost.aborted;
  }

  assertHeld(): void {
    if (this.#released)
      throw new StateStoreError('PreconditionFailed', `the lease on cluster "${this.cluster}" was released`, {
        key: this.#key,
      });
    const lost = this.lost;
    if (lost.aborted) throw lost.reason as StateStoreError;
  }

  renew(options: CallOptions = {}): Promise<void> {
    return this.#renew(options, true);
  }

  async #renew(options: CallOptions, retry: boolean): Promise<void> {
    this.assertHeld();
    const sentAt = performance.now();
    const doc = leaseDocument({ ...this.#doc }, Date.now());
    let version: string;
    try {
      const info = await this.#vfs.write(this.#key, JSON.stringify(doc), {
        ifMatch: this.#version,
        contentType: 'application/json',
        signal: options.signal,
      });
      version = info.version;
    } catch (err) {
      if (isStateStoreError(err, 'PreconditionFailed') || isStateStoreError(err, 'NotFound')) {
        // Still carrying this token, it is still ours, moved by an earlier renewal whose outcome
        // this holder could not learn (the store unreachable then): swap once more against it.
        if (retry && (await this.#movedOurs())) return this.#renew(options, false);
        this.#markLost('taken over by another holder (its renewal found the lease changed)');
        this.assertHeld();
      }
      // Aborted, a timeout, a cut connection: the renewal may have landed at a version this holder
      // does not know, and its next renewal or release would find the lease "changed" and give up
      // a lease it still holds. It looks (within its own bound) and, if it landed, keeps it; the
      // caller still gets the failure.
      const landed = await this.#landed(doc);
      if (landed !== undefined) await this.#renewed(doc, landed, sentAt).catch(() => undefined);
      throw err;
    }
    await this.#renewed(doc, version, sentAt);
  }

  /**
   * Whether the lease is stored with this token at a version other than the one held; if so, takes
   * that version (and document) as held. The deadline stays: it ran from an earlier send, so it
   * ends before the stored copy's.
   */
  async #movedOurs(): Promise<boolean> {
    const signal = AbortSignal.timeout(WITHDRAW_TIMEOUT_MS);
    const stored = await readIfOurs(this.#vfs, this.#key, this.token, signal).catch(() => undefined);
    // A copy a release wrote where deletes are unconditional (expired at once) is given back, not ours.
    const given = stored === undefined || Date.parse(stored.doc.expiresAt) <= Date.parse(stored.doc.renewedAt);
    if (given || stored.version === this.#version) return false;
    this.#doc = stored.doc;
    this.#version = stored.version;
    return true;
  }

  /** The version at which `doc` (a renewal just sent) is stored, if it is. */
  async #landed(doc: LeaseDocument): Promise<string | undefined> {
    const signal = AbortSignal.timeout(WITHDRAW_TIMEOUT_MS);
    const stored = await readIfOurs(this.#vfs, this.#key, this.token, signal).catch(() => undefined);
    const same = stored?.doc.renewedAt === doc.renewedAt && stored.doc.expiresAt === doc.expiresAt;
    return same ? stored.version : undefined;
  }

  /** Takes `doc`, stored at `version` by a renewal sent at `sentAt`, as the lease held. */
  async #renewed(doc: LeaseDocument, version: string, sentAt: number): Promise<void> {
    // The swap proves nobody took the lease meanwhile, even if the deadline passed in flight; but
    // once `lost` was announced it stays lost: give back what was just written, then report it.
    if (this.#lost.signal.aborted || this.#released) {
      await giveBack(this.#vfs, this.#key, doc, version).catch(() => undefined);
      this.assertHeld();
    }
    this.#doc = doc;
    this.#version = version;
    this.#deadline = sentAt + doc.ttlMs;
    this.#schedule();
  }

  async release(options: CallOptions = {}): Promise<void> {
    if (this.#released) return;
    const wasHeld = this.held;
    this.#released = true;
    this.#stopTimer();
    // Lost: whatever is stored is someone else's now (or will be); never touch it.
    if (!wasHeld) return;
    try {
      await giveBack(this.#vfs, this.#key, this.#doc, this.#version, options);
    } catch (err) {
      // Aborted or failed (it may or may not have landed), or refused at a version this holder did
      // not know (a renewal whose outcome it could not learn): a lease still carrying this token
      // is ours, removed at the version read (within its own bound, also when `options.signal`
      // fired), so that a release that cannot be retried (it is idempotent) leaves nothing behind.
      if (await withdrawIfOurs(this.#vfs, this.#key, this.token)) return;
      // Gone or changed: taken over meanwhile, nothing of ours left to release.
      if (!isStateStoreError(err, 'PreconditionFailed') && !isStateStoreError(err, 'NotFound')) throw err;
    }
  }

  #checkDeadline(): void {
    if (!this.#lost.signal.aborted && !this.#released && performance.now() >= this.#deadline)
      this.#markLost(`expired: not renewed within its ttl of ${this.#doc.ttlMs} ms`);
  }

  #markLost(why: string): void {
    if (this.#lost.signal.aborted) return;
    this.#stopTimer();
    this.#lost.abort(
      new StateStoreError('PreconditionFailed', `the lease on cluster "${this.cluster}" was lost: ${why}`, {
        key: this.#key,
        retryable: false,
      }),
    );
  }

  /** Aborts `lost` at the deadline even when nobody looks; unref'd so that it keeps no process alive. */
  #schedule(): void {
    this.#stopTimer();
    // Bounded by 2^31-1 ms (a longer Node timer fires at once): the check re-arms if it came early.
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, this.#deadline - performance.now()) + 1);
    const timer = setTimeout(() => {
      this.#checkDeadline();
      if (!this.#lost.signal.aborted && !this.#released) this.#schedule();
    }, wait);
    timer.unref?.();
    this.#timer = timer;
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
