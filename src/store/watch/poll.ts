/**
 * One poll of a cluster's watched documents: a cheap probe (a `stat` of the config, one listing of
 * the instance groups) and a read of only what the probe shows changed. What was last yielded per
 * document is remembered here, so that an unchanged document is never read again.
 */
import { isStateStoreError, StateStoreError } from '../../errors.js';
import { unifiedDiff } from '../../config/diff/unified.js';
import type { ClusterConfig, InstanceGroupConfig } from '../../config/schema/types.generated.js';
import type { Vfs } from '../../vfs/types.js';
import { readDocument, type StoredDocument } from '../documents.js';
import { layout } from '../layout.js';
import type { ResolvedWatchOptions } from './options.js';
import type { WatchChange, WatchEvent, WatchKind } from './types.js';

type Value = ClusterConfig | InstanceGroupConfig;

/** What was last yielded for one document. */
interface Seen {
  /** The version the probe (stat or listing) reported: the same probe answer means "unchanged". */
  probe: string;
  /** The version of `text`, as read. */
  version: string;
  text: string;
}

/** The documents of one watch and what was last yielded of each. */
export class WatchPoller {
  readonly #seen = new Map<string, Seen>();

  constructor(
    private readonly vfs: Vfs,
    private readonly cluster: string,
    private readonly options: ResolvedWatchOptions,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Probes every watched kind and pushes onto `out` an event per changed document, in the order
   * seen. Each event is pushed as soon as it is remembered, so a poll failing halfway loses nothing:
   * what it had pushed is yielded, the rest is seen again by the next poll. `first` is true until a
   * poll has succeeded: existing documents are then `current`, and a missing config is NotFound.
   */
  async poll(first: boolean, out: WatchEvent[]): Promise<void> {
    if (this.options.config || first) await this.#pollConfig(first, out);
    if (this.options.groups) await this.#pollGroups(first, out);
  }

  async #pollConfig(first: boolean, out: WatchEvent[]): Promise<void> {
    const key = layout.config(this.cluster);
    const info = await this.vfs.stat(key, { signal: this.signal }).catch((err: unknown) => {
      if (isStateStoreError(err, 'NotFound')) return undefined;
      throw err;
    });
    if (info === undefined && first && !this.#seen.has(key))
      throw new StateStoreError('NotFound', `cluster "${this.cluster}" not found`, { key, backend: this.vfs.backend });
    // A groups-only watch checks the cluster exists, then probes its groups only.
    if (!this.options.config) return;
    if (info === undefined) return this.#deleted('config', undefined, key, out);
    if (this.#seen.get(key)?.probe === info.version) return;
    await this.#read('config', undefined, key, info.version, first, out);
  }

  async #pollGroups(first: boolean, out: WatchEvent[]): Promise<void> {
    const prefix = layout.instanceGroups(this.cluster);
    const listed = new Map<string, string>();
    // One listing (one request per page of 1,000 groups) whatever the number of groups.
    for await (const info of this.vfs.listAll({ prefix, signal: this.signal })) {
      const name = info.key.slice(prefix.length);
      if (name.includes('/') || (this.options.names !== undefined && !this.options.names.has(name))) continue;
      listed.set(name, info.version);
    }
    for (const [name, probe] of listed) {
      const key = layout.instanceGroup(this.cluster, name);
      if (this.#seen.get(key)?.probe !== probe) await this.#read('instancegroup', name, key, probe, first, out);
    }
    for (const key of [...this.#seen.keys()]) {
      const name = key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
      if (name !== undefined && !listed.has(name)) this.#deleted('instancegroup', name, key, out);
    }
  }

  /**
   * Reads a document the probe saw change. A plain read, not one conditional on the probed version:
   * if the document changed again since the probe, the newer state is what a watcher wants (a
   * burst is coalesced into its latest state), where `ifMatch` would fail and cost a second round.
   */
  async #read(
    kind: WatchKind,
    name: string | undefined,
    key: string,
    probe: string,
    first: boolean,
    out: WatchEvent[],
  ): Promise<void> {
    const what = name === undefined ? `cluster "${this.cluster}" config` : `instance group "${name}"`;
    let doc: StoredDocument<Value>;
    try {
      doc = await readDocument<Value>(
        this.vfs,
        key,
        what,
        this.signal,
        kind === 'config' ? 'Cluster' : 'InstanceGroup',
      );
    } catch (err) {
      // Deleted between the probe and the read: the next probe reports it.
      if (isStateStoreError(err, 'NotFound')) return;
      throw err;
    }
    const previous = this.#seen.get(key);
    // A stat answers with the read's own version token; a listing's token may be spelled otherwise.
    this.#seen.set(key, { probe: kind === 'config' ? doc.version : probe, version: doc.version, text: doc.text });
    // The probe lagged the read (it saw an intermediate version): this state was yielded already.
    if (previous?.version === doc.version) return;
    const change: WatchChange = previous !== undefined ? 'updated' : first ? 'current' : 'created';
    const diff = change === 'current' ? '' : diffOf(key, previous, doc);
    out.push(event(kind, name, key, change, doc, diff));
  }

  #deleted(kind: WatchKind, name: string | undefined, key: string, out: WatchEvent[]): void {
    const previous = this.#seen.get(key);
    if (previous === undefined) return;
    this.#seen.delete(key);
    out.push(event(kind, name, key, 'deleted', undefined, diffOf(key, previous, undefined)));
  }
}

/** git's labels: `/dev/null` for the missing side, the key with its version otherwise. */
function diffOf(key: string, before: Seen | undefined, after: StoredDocument<Value> | undefined): string {
  return unifiedDiff(before?.text ?? '', after?.text ?? '', {
    from: before === undefined ? '/dev/null' : `${key}@${before.version}`,
    to: after === undefined ? '/dev/null' : `${key}@${after.version}`,
  });
}

function event(
  kind: WatchKind,
  name: string | undefined,
  key: string,
  change: WatchChange,
  doc: StoredDocument<Value> | undefined,
  diff: string,
): WatchEvent {
  return {
    kind,
    ...(name === undefined ? {} : { name }),
    change,
    key,
    version: doc?.version,
    value: doc?.value,
    text: doc?.text,
    diff,
  };
}
