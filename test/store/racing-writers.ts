/**
 * Two statestore writers racing on one config, forced rather than waited for (docs/history.md,
 * "Numbers and order"): the second writer reads, writes and records its entry between the first
 * writer's write and that writer's own recording, right after a kops-style unconditional PUT. A
 * wrapping Vfs runs the second writer once the first's write has succeeded and before its caller
 * hears so, as the proxy in history-race.test.ts does on Azurite, on any backend.
 */
import { stampEntriesWith } from '../../src/store/history/record.js';
import { openStateStore } from '../../src/store/open.js';
import type { HistoryEntry, StateStore } from '../../src/index.js';
import type { Vfs, WriteOptions } from '../../src/vfs/types.js';

/** A Vfs over `inner`, and a hook run once right after the next successful write of a key. */
export interface AnsweredLate {
  vfs: Vfs;
  /** Runs `other` once, after the next write of `key` through `vfs` succeeded and before it returns. */
  afterNextWrite(key: string, other: () => Promise<unknown>): void;
}

export function answeredLate(inner: Vfs): AnsweredLate {
  const hooks = new Map<string, () => Promise<unknown>>();
  const write = async (key: string, body: Uint8Array | string, options?: WriteOptions) => {
    const result = await inner.write(key, body, options);
    const hook = hooks.get(key);
    hooks.delete(key);
    if (hook !== undefined) await hook();
    return result;
  };
  const vfs = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { vfs, afterNextWrite: (key, other) => hooks.set(key, other) };
}

/** What {@link raceAfterKopsWrite} leaves: the stores, and the config's texts in the order written. */
export interface Raced {
  /** The store whose writes through the wrapped Vfs are answered late. */
  slow: StateStore;
  /** The store that writes in between, straight to the backend. */
  other: StateStore;
  /** The config as kops's tree had it, after `first`, after kops's edit, after `slow`, after `other`. */
  texts: { tree: string; first: string; kops: string; slow: string; other: string };
}

/** Revisions as `[reason, or operation when none, number]`, for comparing listings. */
export const revisionRows = (entries: HistoryEntry[]): Array<[string, number]> =>
  entries.map((e) => [e.reason ?? e.operation, e.revision]);

/**
 * The config's revisions after {@link raceAfterKopsWrite} with the kops edit, as `history` lists
 * them (write order): `other` 4, `slow` 6, kops's edit 5, `first` 2, kops's tree 1.
 */
export const RACED_REVISIONS: ReadonlyArray<[string, number]> = [
  ['other', 4],
  ['slow', 6],
  ['external', 5],
  ['first', 2],
  ['external', 1],
];

/** Where the entries of each writer get their stamps (record.ts `stampEntriesWith`); default real ones. */
export interface RaceStamps {
  slow: (time: Date) => string;
  other: (time: Date) => string;
}

/**
 * On a store holding kops's tree of `cluster`: a merge (`first`), kops's unconditional rewrite of
 * the config, then `slow` merges and, once its write has succeeded but before it records, `other`
 * merges on top and records first. `other`'s recorder does not find the version it replaced (the
 * slow write's, not recorded yet) and leaves a number free for an external change; `slow`'s finds
 * neither kops's version nor its own successor's and takes the number after that: `other` 4,
 * `slow` 6, kops's edit 5, while the writes went first, kops, slow, other. Without the kops edit
 * (`kopsEdit: false`, `texts.kops` is then `first`), `slow`'s recorder finds `first` and takes 3,
 * the number `other` left free for it. `stamps`: the entries' stamps, to force the order in which
 * the two writers' entries list (`other`'s entry and `first`'s are stamped through the same Vfs).
 */
export async function raceAfterKopsWrite(
  vfs: Vfs,
  cluster: string,
  { kopsEdit = true, stamps }: { kopsEdit?: boolean; stamps?: RaceStamps } = {},
): Promise<Raced> {
  const other = await openStateStore(vfs);
  const late = answeredLate(vfs);
  const slow = await openStateStore(late.vfs);
  if (stamps !== undefined) {
    stampEntriesWith(vfs, stamps.other);
    stampEntriesWith(late.vfs, stamps.slow);
  }
  const key = `${cluster}/config`;
  const read = async () => (await other.getCluster(cluster)).text;
  const tree = await read();
  await other.mergeConfig(cluster, { spec: { cloudLabels: { first: 'a' } } }, { reason: 'first' });
  const first = await read();
  const kops = kopsEdit ? first.replace(/kubernetesVersion: .*/, 'kubernetesVersion: v1.34.0') : first;
  if (kopsEdit) await vfs.write(key, kops); // kops edit cluster: an unconditional PUT
  let slowText = '';
  late.afterNextWrite(key, async () => {
    slowText = await read();
    await other.mergeConfig(cluster, { spec: { cloudLabels: { other: 'c' } } }, { reason: 'other' });
  });
  await slow.mergeConfig(cluster, { spec: { cloudLabels: { slow: 'b' } } }, { reason: 'slow' });
  return { slow, other, texts: { tree, first, kops, slow: slowText, other: await read() } };
}
