/**
 * Issue #25 at the store, on memory and file: a 200,000-line value is written, diffed, watched
 * and undone (#25.7); store files are read with a size cap before any parse, a history entry
 * included (#25.10); a stored document that is no kops document of its kind is a ValidationError,
 * never a typed value ("Weak"); control characters, and the line breaks only kops's YAML reader
 * has, are refused on write with one rule and a message that says what they are, while a stored
 * one still reads (#25.13, "Weak").
 */
import type { StateStore } from '../../src/store/state-store.js';
import type { HistoryEntry } from '../../src/store/history/types.js';
import type { StateStoreError } from '../../src/errors.js';
import { rejection } from '../helpers/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { fileTarget, memoryTarget, stopAll } from '../backends/targets.js';
import { openStateStore } from '../../src/store/open.js';
import { storeWithTree, TREES } from './trees.js';

afterAll(stopAll);
const tree = TREES[0]!;
const name = tree.cluster;
const configKey = `${name}/config`;
const groupKey = `${name}/instancegroup/nodes`;

/** The Vfs's read and readStream calls (key and maxBytes), through a proxy a store can be opened on. */
function recordReads(inner: Vfs): { vfs: Vfs; calls: Array<{ method: string; key: string; maxBytes?: number }> } {
  const calls: Array<{ method: string; key: string; maxBytes?: number }> = [];
  const vfs = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property !== 'read' && property !== 'readStream') return value.bind(target) as unknown;
      return (key: string, options?: { maxBytes?: number }) => {
        calls.push({
          method: property,
          key,
          ...(options?.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
        });
        return (value as (k: string, o?: unknown) => unknown).call(target, key, options);
      };
    },
  });
  return { vfs, calls };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe.each([memoryTarget, fileTarget].map((t) => [t.name, t] as const))('bounded store on %s', (_label, target) => {
  let vfs: Vfs;
  let store: StateStore;
  beforeEach(async () => {
    ({ vfs, store } = await storeWithTree(target, tree));
  });
  afterEach(async () => {
    await store.close();
  });

  it('a 200,000-line value is merged, diffed, watched and rolled back (#25.7)', async () => {
    const original = await store.getCluster(name);
    const huge = Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join('\n');
    const controller = new AbortController();
    const events = store.watch(name, { signal: controller.signal, intervalMs: 20 })[Symbol.asyncIterator]();
    expect((await events.next()).value).toMatchObject({ change: 'current' });

    // A hook's manifest is free text to kops (validation.go validateHookSpec checks only that it is set).
    const merged = await store.mergeConfig(name, { spec: { hooks: [{ name: 'huge.service', manifest: huge }] } });
    expect(merged.changed).toBe(true);
    expect(merged.diff.unified).toMatch(
      /\n\\ diff truncated: \d+ more lines not shown \(a diff shows at most 10000 lines/,
    );
    const updated = (await events.next()).value as { change: string; diff: string };
    expect(updated.change).toBe('updated');
    expect(updated.diff).toMatch(/\\ diff truncated/);
    controller.abort();

    const [entry] = (await collect(store.history(name, { kind: 'config' }))) as HistoryEntry[];
    expect(await store.diffVersions(name, entry!)).toMatch(/\\ diff truncated/);
    // Back one revision (helm rollback with no number): the config before the huge value.
    const undone = await store.rollback(name);
    expect(undone.diff).toMatch(/\\ diff truncated/);
    // The spec is back (the rollback's own write bumps metadata.generation, as kops's updates do).
    expect((await store.getCluster(name)).value.spec).toEqual(original.value.spec);
  }, 60_000);

  it('a document, keyset or kops-version.txt over 4 MiB is InvalidArgument naming the limit, not read whole (#25.10)', async () => {
    const big = `# ${'x'.repeat(5 * 1024 * 1024)}\n`;
    const files = [
      [configKey, (s: StateStore) => s.getCluster(name)],
      [groupKey, (s: StateStore) => s.getInstanceGroup(name, 'nodes')],
      [`${name}/pki/private/kubernetes-ca/keyset.yaml`, (s: StateStore) => s.getKeyset(name, 'kubernetes-ca')],
      [`${name}/kops-version.txt`, (s: StateStore) => s.getKopsVersion(name)],
    ] as const;
    for (const [key, read] of files) {
      const kept = await vfs.read(key).then(
        (file) => file.body,
        () => undefined,
      );
      await vfs.write(key, big);
      const reads = recordReads(vfs);
      const err = await rejection(read(await openStateStore(reads.vfs)));
      expect(err.code).toBe('InvalidArgument');
      expect(err.message).toMatch(
        / is 5242883 bytes, more than the 4194304 bytes statestore reads \(maxBytes\); it was not read$/,
      );
      expect(err.key).toBe(key);
      // Read only through the capped whole read (the backend gives up past the cap), never unbounded.
      expect(reads.calls.filter((call) => call.key === key)).toEqual([{ method: 'read', key, maxBytes: 4194304 }]);
      if (kept === undefined) await vfs.delete(key);
      else await vfs.write(key, kept);
    }
    // A lease file over the cap is a damaged lease (IntegrityError), which never locks the cluster.
    const leaseKey = `${name}/backups/statestore/lease`;
    await vfs.write(leaseKey, big);
    expect((await rejection(store.readLease(name))).code).toBe('IntegrityError');
    const lease = await store.acquireLease(name, { owner: 'after-the-junk' });
    expect((await store.readLease(name))?.owner).toBe('after-the-junk');
    await lease.release();
    // A merge refuses the same way, and writes nothing.
    await vfs.write(configKey, big);
    expect((await rejection(store.mergeConfig(name, { spec: { kubernetesVersion: '1.30.0' } }))).code).toBe(
      'InvalidArgument',
    );
    expect((await vfs.read(configKey)).body.byteLength).toBe(big.length);
  });

  it('a 17 MB history entry is refused by history() and diffVersions without being read whole (#25.10)', async () => {
    await store.mergeConfig(name, { spec: { kubernetesVersion: '1.30.0' } });
    const [entry] = (await collect(store.history(name, { kind: 'config' }))) as HistoryEntry[];
    const [stored] = await collect(vfs.listAll({ prefix: `${name}/backups/statestore/history/config/` }));
    const entryKey = stored!.key;
    await vfs.write(entryKey, `{"before": "${'x'.repeat(17 * 1024 * 1024)}"}`);
    const invalid: Error[] = [];
    expect(await collect(store.history(name, { onInvalid: (_key, err) => invalid.push(err) }))).toEqual([]);
    expect(invalid.map((err) => (err as StateStoreError).code)).toEqual(['InvalidArgument']);
    expect(invalid[0]!.message).toMatch(/^history entry .* is 17825806 bytes, more than the 16842752 bytes/);
    const err = await rejection(store.diffVersions(name, entry!));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toMatch(/more than the 16842752 bytes statestore reads/);
  });

  it('a stored document that is no kops document of its kind is a ValidationError naming the key, never a typed value', async () => {
    const original = (await store.getCluster(name)).value;
    const group = (await vfs.read(groupKey)).body;
    const junk: Array<[string, string | Uint8Array, RegExp]> = [
      ['hello\n', 'hello\n', /the stored document is the string "hello", not a Cluster \(a YAML map\)/],
      ['~', '~\n', /the stored document is null \(empty\), not a Cluster/],
      ['a list', '- a\n- b\n', /the stored document is a list of 2 items, not a Cluster/],
      ['a number', '42\n', /the stored document is the number 42, not a Cluster/],
      ['binary junk', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), /is the string .*, not a Cluster/],
      ['an InstanceGroup', group, /the stored document is of kind "InstanceGroup", not Cluster/],
      ['apiVersion v1', 'apiVersion: v1\nkind: Cluster\n', /apiVersion "v1" is not one kops reads/],
    ];
    for (const [label, body, message] of junk) {
      await vfs.write(configKey, body);
      for (const read of [
        () => store.getCluster(name),
        () => store.mergeConfig(name, { spec: { kubernetesVersion: '1.30.0' } }),
        () => collect(store.watch(name, { intervalMs: 10 })),
      ]) {
        const err = await rejection(read());
        expect([label, err.code, err.key]).toEqual([label, 'ValidationError', configKey]);
        expect(err.message).toMatch(message);
      }
    }
    await vfs.write(groupKey, 'kind: Cluster\n');
    expect((await rejection(store.getInstanceGroup(name, 'nodes'))).message).toMatch(
      /of kind "Cluster", not InstanceGroup/,
    );
    // putConfig still replaces a broken document: the way to repair it.
    await vfs.write(configKey, 'hello\n');
    await store.putConfig(name, original);
    expect((await store.getCluster(name)).value.kind).toBe('Cluster');
    // And a cluster whose config is junk can still be deleted (its key and secret stores are the defaults).
    await vfs.write(configKey, '- junk\n');
    expect((await store.deleteCluster(name)).deleted).toBeGreaterThan(1);
    expect(await store.listClusters()).toEqual([]);
  });

  it('control characters and NEL / U+2028 / U+2029 are refused on write, new key or existing, with what they are; a stored one still reads', async () => {
    const before = await vfs.stat(configKey);
    const cases: Array<[string, RegExp]> = [
      [
        '\u001b[31mred',
        /the value holds the control character U\+001B; kops refuses a config holding control characters/,
      ],
      ['a\u007fb', /control character U\+007F/],
      ['a\u009bb', /control character U\+009B/],
      [
        'a\u2028b',
        /holds U\+2028 \(LINE SEPARATOR\), a line break to kops's YAML reader \(go-yaml v2\) but not to JSON/,
      ],
      ['a\u0085b', /holds U\+0085 \(NEXT LINE\), a line break/],
    ];
    for (const [value, message] of cases) {
      for (const change of [
        { spec: { kubernetesVersion: value } }, // an existing key
        { spec: { cloudLabels: { fresh: value } } }, // a new key
      ]) {
        const err = await rejection(store.mergeConfig(name, change as never));
        expect(err.code).toBe('ValidationError');
        expect(err.message).toMatch(message);
        expect(err.issues?.[0]?.path).toMatch(/^\/spec\/(kubernetesVersion|cloudLabels\/fresh)$/);
      }
      const config = (await store.getCluster(name)).value;
      const err = await rejection(
        store.putConfig(name, { ...config, spec: { ...config.spec, kubernetesVersion: value } }),
      );
      expect(err.message).toMatch(message);
    }
    const keyErr = await rejection(store.mergeConfig(name, { spec: { cloudLabels: { 'a\u001bb': 'x' } } }));
    expect(keyErr.message).toMatch(/\/spec\/cloudLabels\/a\\u001Bb: the key holds the control character U\+001B/);
    expect(keyErr.message.includes('\u001b')).toBe(false);
    expect((await vfs.stat(configKey)).version).toBe(before.version);
    // Tabs and newlines are fine.
    await store.mergeConfig(name, { spec: { cloudLabels: { tabbed: 'a\tb', lines: 'a\nb' } } });
    // A config written by another tool with a raw control character still reads.
    const text = (await store.getCluster(name)).text.replace(
      /kubernetesVersion: (.*)/,
      'kubernetesVersion: "\u0007$1"',
    );
    await vfs.write(configKey, text);
    expect((await store.getCluster(name)).value.spec?.kubernetesVersion?.startsWith('\u0007')).toBe(true);
  });
});
