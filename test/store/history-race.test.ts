/**
 * The load test's history race (issue 31), forced rather than waited for. On Azurite, the next
 * writer's compare-and-swap lands after the server stored a write and before its client hears the
 * answer (a proxy holds the answer: test/servers/fault-proxy.ts `beforeAnswer`): the write's entry
 * must name the version the write made (a HEAD after the upload once reported the next writer's,
 * and the history showed a false external revision). And racing writers whose entries land in
 * reverse order, an hour apart, show no external revision, while a later rollback that brings back
 * the bytes (so, on S3, the ETag) of a kops write still leaves that write external.
 */
import { openVfs } from '../../src/backends/registry.js';
import { openStateStore } from '../../src/store/open.js';
import type { LoadedEntry } from '../../src/store/history/read-entry.js';
import { buildRevisions } from '../../src/store/history/revisions.js';
import { externalStamp } from '../../src/store/history/keys.js';
import type { HistoryOperation } from '../../src/index.js';
import { startAzurite, type AzuriteHandle } from '../servers/azurite.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { collect } from './history-helpers.js';
import { loadTree, TREES } from './trees.js';

const tree = TREES[0]!;
const cluster = tree.cluster;

describe('a write answered only after the next writer wrote on top of it (Azurite)', () => {
  let server: AzuriteHandle;
  let proxy: FaultProxy;
  /** Run by the proxy before passing on the answer to the next PUT of the config; then cleared. */
  let onConfigWritten: ((etag: string) => Promise<void>) | undefined;

  beforeAll(async () => {
    server = await startAzurite();
    const { BlobServiceClient } = await import('@azure/storage-blob');
    await BlobServiceClient.fromConnectionString(server.connectionString)
      .getContainerClient('race')
      .createIfNotExists();
    proxy = await startFaultProxy({
      target: new URL(server.endpoint).origin,
      beforeAnswer: async (request, answer) => {
        const hook = onConfigWritten;
        const config = new URL(request.path, 'http://proxy').pathname.endsWith(`/${cluster}/config`);
        if (hook === undefined || request.method !== 'PUT' || !config || answer.statusCode !== 201) return;
        onConfigWritten = undefined;
        await hook(String(answer.headers.etag));
      },
    });
  }, 60_000);
  afterAll(async () => {
    await proxy.stop();
    await server.stop();
  });

  it("records the version the write made; the history shows the two merges and kops's tree only", async () => {
    const url = `azureblob://${server.accountName}/race/run-${process.pid}`;
    const direct = await openVfs(url, { env: {}, azure: { accountKey: server.accountKey, endpoint: server.endpoint } });
    const slow = await openVfs(url, {
      env: {},
      azure: { accountKey: server.accountKey, endpoint: `${proxy.endpoint}/${server.accountName}` },
    });
    await loadTree(direct, tree);
    const other = await openStateStore(direct);
    let made = '';
    onConfigWritten = async (etag) => {
      made = etag;
      // Reads the slow write's version and writes on top of it, entry and all, before the slow
      // writer hears that its write succeeded.
      await other.mergeConfig(cluster, { spec: { cloudLabels: { other: 'b' } } }, { reason: 'other' });
    };
    const result = await (
      await openStateStore(slow)
    ).mergeConfig(cluster, { spec: { cloudLabels: { slow: 'a' } } }, { reason: 'slow' });
    expect(made).not.toBe('');
    expect(result.version).toBe(made);
    const stored = await other.getCluster(cluster);
    expect(stored.version).not.toBe(made);
    expect(stored.value.spec?.cloudLabels).toMatchObject({ slow: 'a', other: 'b' });

    // Each entry names its own write's version; kops's tree is the one external revision. The
    // other writer, recording first, took the lower number; the listing follows the writes.
    const entries = await collect(other.history(cluster, { kind: 'config' }));
    expect(entries.map((e) => [e.reason ?? e.operation, e.revision])).toEqual([
      ['other', 2],
      ['slow', 4],
      ['external', 3],
    ]);
    const [second, first, kops] = entries;
    expect(first!.version).toBe(made);
    expect(second).toMatchObject({ replacedVersion: made, version: stored.version });
    expect(kops!.version).toBe(first!.replacedVersion);
    // Back one is the slow write (the one before the current in write order), not kops's tree.
    const back = await other.rollback(cluster, undefined, { dryRun: true });
    expect(back.target.id).toBe(first!.id);
    await Promise.all([direct.close(), slow.close()]);
  }, 60_000);
});

describe('entries of racing writers, landing out of order (buildRevisions)', () => {
  const doc = { kind: 'config' as const };
  const hour = 3600_000;
  /** An entry of the config: `replaced` -> `version`, with its stored number and the recorder's flag. */
  function entry(
    n: number,
    operation: HistoryOperation,
    replaced: string,
    version: string,
    revision: number,
    afterExternal: boolean,
    rolledBackTo?: string,
  ): LoadedEntry {
    const time = new Date(Date.UTC(2026, 0, 1) + n * hour);
    const stamp = `${String(9_000_000_000_000 - time.getTime()).padStart(13, '0')}-0000000${n}`;
    return {
      ref: { cluster, ...doc, stamp },
      entry: {
        id: `${cluster}:config/${stamp}`,
        cluster,
        kind: 'config',
        time,
        operation,
        replacedVersion: replaced,
        version,
        revision,
        ...(rolledBackTo === undefined ? {} : { rolledBackTo }),
      },
      before: `text of ${replaced}`,
      after: `text of ${version}`,
      afterExternal,
    };
  }
  const current = (version: string) => ({ text: `text of ${version}`, version, lastModified: new Date() });

  it("a chain whose entries landed in reverse, hours apart, shows only kops's first version", () => {
    // kops wrote v0. W: v0 -> v1. Then X: v1 -> v2, Y: v2 -> v3, Z: v3 -> v4, Q: v4 -> v5 wrote in
    // that order, but their entries landed Q, Z, Y, X: each recorder missed its predecessor's
    // entry, left a number free for an external change and took the next; X found W.
    const loaded = [
      entry(0, 'update', 'v0', 'v1', 2, true),
      entry(1, 'update', 'v4', 'v5', 4, true),
      entry(2, 'update', 'v3', 'v4', 6, true),
      entry(3, 'update', 'v2', 'v3', 8, true),
      entry(4, 'update', 'v1', 'v2', 3, false),
    ];
    const revisions = buildRevisions(cluster, doc, loaded, current('v5'));
    expect(revisions.filter((r) => r.entry.operation === 'external').map((r) => r.entry.version)).toEqual(['v0']);
    // Newest first in the order of the writes (Q, Z, Y, X, W, kops), each keeping its stored number.
    expect(revisions.map((r) => [r.entry.version, r.entry.revision])).toEqual([
      ['v5', 4],
      ['v4', 6],
      ['v3', 8],
      ['v2', 3],
      ['v1', 2],
      ['v0', 1],
    ]);
    // Each revision's previous content is the one before it in write order (what --diff shows).
    expect(revisions.map((r) => r.previous)).toEqual([...revisions.slice(1).map((r) => r.text), undefined]);
  });

  it('a rollback bringing back the bytes of a kops write (its S3 ETag) leaves that write external', () => {
    // kops wrote v0; W: v0 -> v1; kops wrote vK; E: vK -> v2; R, a rollback to kops's bytes: v2 -> vK.
    const loaded = [
      entry(0, 'update', 'v0', 'v1', 2, true),
      entry(1, 'update', 'vK', 'v2', 4, true),
      entry(2, 'rollback', 'v2', 'vK', 5, false),
    ];
    const revisions = buildRevisions(cluster, doc, loaded, current('vK'));
    expect(revisions.map((r) => [r.entry.revision, r.entry.operation])).toEqual([
      [5, 'rollback'],
      [4, 'update'],
      [3, 'external'],
      [2, 'update'],
      [1, 'external'],
    ]);
    expect(revisions[2]!.text).toBe('text of vK');
  });

  it('a rollback to a kops write, after kops wrote again, is not taken for the first writer of its bytes', () => {
    // kops wrote v0; W: v0 -> v1; kops wrote vK; E: vK -> v2; kops wrote v3; R, a rollback to the
    // external revision of vK (kops's bytes, so on S3 its ETag): v3 -> vK.
    const kops = `${cluster}:config/${externalStamp('vK')}`;
    const loaded = [
      entry(0, 'update', 'v0', 'v1', 2, true),
      entry(1, 'update', 'vK', 'v2', 4, true),
      entry(2, 'rollback', 'v3', 'vK', 6, true, kops),
    ];
    /** The listing, newest first, when the rollback wrote `restored` (kops's bytes, so on S3 its ETag). */
    const listing = (restored: string) => [
      [6, 'rollback', restored],
      [5, 'external', 'v3'],
      [4, 'update', 'v2'],
      [3, 'external', 'vK'],
      [2, 'update', 'v1'],
      [1, 'external', 'v0'],
    ];
    const shown = (revisions: ReturnType<typeof buildRevisions>) =>
      revisions.map((r) => [r.entry.revision, r.entry.operation, r.entry.version]);
    const revisions = buildRevisions(cluster, doc, loaded, current('vK'));
    expect(shown(revisions)).toEqual(listing('vK'));
    expect(revisions[3]!.entry.id).toBe(kops);
    // Restored from the provider's version of kops's first write instead (versioned S3, RGW): the same.
    const restored = entry(2, 'rollback', 'v3', 'v0', 6, true, `${cluster}:config/version-djA`);
    expect(shown(buildRevisions(cluster, doc, [...loaded.slice(0, 2), restored], current('v0')))).toEqual(
      listing('v0'),
    );
  });
});
