/**
 * The hostile-input catalogue: each entry gets a typed error and leaves stored data unchanged.
 * docs/reliability.md lists the same entries with their outcomes.
 */
import { openVfs } from '../../src/backends/registry.js';
import { applyJsonPatch } from '../../src/config/patch/json-patch.js';
import { applyMergePatch } from '../../src/config/patch/merge-patch.js';
import { setFields } from '../../src/config/paths/set-fields.js';
import { strategicMerge } from '../../src/config/patch/strategic.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import { isStateStoreError } from '../../src/errors.js';
import type { Vfs } from '../../src/vfs/types.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { loadTree, TREES } from '../store/trees.js';
import { errorCode } from '../helpers/index.js';

const tree = TREES[0]!;
const configKey = `${tree.cluster}/config`;
let counter = 0;

async function storeWithTree(): Promise<{ vfs: Vfs; store: StateStore; snapshot: () => Promise<string> }> {
  const vfs = await openVfs(`memfs://hostile-${++counter}`);
  await loadTree(vfs, tree);
  const snapshot = async () => {
    const parts: string[] = [];
    for await (const info of vfs.listAll()) parts.push(`${info.key}:${info.version}`);
    return parts.join('\n');
  };
  return { vfs, store: await openStateStore(vfs), snapshot };
}

const aliasBomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
].join('\n');

describe('hostile YAML stored as a cluster config', () => {
  it.each([
    ['an alias bomb', aliasBomb],
    ['a huge document', `spec:\n  x: "${'y'.repeat(5 * 1024 * 1024)}"\n`],
    ['duplicate keys', 'kind: Cluster\nspec: {}\nspec: {}\n'],
    ['a merge key', 'base: &b {kubernetesVersion: 1.0.0}\nspec:\n  <<: *b\n'],
    ['a __proto__ key', 'kind: Cluster\nspec:\n  __proto__:\n    polluted: true\n'],
    ['malformed YAML', 'kind: Cluster\nspec: [unclosed\n'],
    ['two documents', 'kind: Cluster\n---\nkind: Cluster\n'],
  ])('%s: getCluster and mergeConfig fail with InvalidArgument, nothing written', async (_name, text) => {
    const { vfs, store, snapshot } = await storeWithTree();
    await vfs.write(configKey, text);
    const before = await snapshot();
    expect(await errorCode(() => store.getCluster(tree.cluster))).toBe('InvalidArgument');
    expect(await errorCode(() => store.mergeConfig(tree.cluster, { spec: { kubernetesVersion: '1.30.0' } }))).toBe(
      'InvalidArgument',
    );
    expect(await snapshot()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('prototype-pollution payloads through every entry point', () => {
  const payload = () =>
    JSON.parse('{"__proto__":{"polluted":true},"spec":{"constructor":{"prototype":{"polluted":true}}}}') as Record<
      string,
      unknown
    >;
  it.each([
    ['strategicMerge', () => strategicMerge({}, payload())],
    ['applyMergePatch', () => applyMergePatch({}, payload())],
    ['applyJsonPatch', () => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: true }])],
    ['setFields', () => setFields({}, ['spec.__proto__.polluted=true'])],
  ])('%s refuses it', async (_name, run) => {
    expect(await errorCode(run)).toBe('InvalidArgument');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('createCluster, putConfig and mergeConfig refuse it and write nothing', async () => {
    const { store, snapshot } = await storeWithTree();
    const before = await snapshot();
    const config = { ...(await store.getCluster(tree.cluster)).value, ...payload() };
    expect(await errorCode(() => store.createCluster('other.example.com', config as never))).toBe('InvalidArgument');
    expect(await errorCode(() => store.putConfig(tree.cluster, config as never))).toBe('InvalidArgument');
    expect(await errorCode(() => store.mergeConfig(tree.cluster, payload() as never))).toBe('InvalidArgument');
    expect(
      await errorCode(() =>
        store.mergeConfig(tree.cluster, { jsonPatch: [{ op: 'add', path: '/spec/constructor/prototype', value: {} }] }),
      ),
    ).toBe('InvalidArgument');
    expect(await snapshot()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('path traversal and invalid names', () => {
  it.each(['../x', 'a/../../b', '/etc', 'UPPER.example.com', 'a b', 'x'.repeat(300), '.', '', 'a..b'])(
    'the cluster name %j is refused everywhere',
    async (name) => {
      const { store, snapshot } = await storeWithTree();
      const before = await snapshot();
      for (const run of [
        () => store.getCluster(name),
        () => store.mergeConfig(name, {}),
        () => store.deleteCluster(name, { force: true }),
        () => store.listInstanceGroups(name),
        () => store.getSecret(name, 'admin'),
      ]) {
        expect(await errorCode(run)).toBe('InvalidArgument');
      }
      expect(await snapshot()).toBe(before);
    },
  );

  it('refuses instance group, keyset and secret names that could leave their folder', async () => {
    const { store } = await storeWithTree();
    expect(await errorCode(() => store.getInstanceGroup(tree.cluster, '../config'))).toBe('InvalidArgument');
    expect(await errorCode(() => store.getKeyset(tree.cluster, '../../config'))).toBe('InvalidArgument');
    expect(await errorCode(() => store.getSecret(tree.cluster, '../config'))).toBe('InvalidArgument');
  });

  it.each([
    'file:///tmp/../etc',
    's3://bucket/a/../../b',
    'ftp://x/y',
    'memfs://',
    's3://',
    'gs:///nobucket',
    'not a scheme://x',
  ])('refuses the URL %s', async (url) => {
    expect(await errorCode(() => openVfs(url))).toBe('InvalidArgument');
  });

  it('moveStateStore refuses a cluster name that is not a DNS name, and the same store as both ends', async () => {
    const { vfs } = await storeWithTree();
    const to = await openVfs(`memfs://hostile-dest-${++counter}`);
    expect(await errorCode(() => moveStateStore({ from: vfs, to, clusters: ['../escape'] }))).toBe('InvalidArgument');
    expect(await errorCode(() => moveStateStore({ from: vfs, to: vfs }))).toBe('InvalidArgument');
    expect((await to.list()).objects).toEqual([]);
  });
});

describe('access revoked in the middle of a move (S3)', () => {
  let server: S3rverHandle;
  beforeAll(async () => {
    server = await startS3rver({ buckets: ['src-bucket', 'dst-bucket'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('fails with a typed, non-retryable auth error and the destination never lists the cluster', async () => {
    const options = {
      env: {},
      retry: { maxAttempts: 3, baseDelayMs: 1 },
      s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' },
    };
    const from = await openVfs('s3://src-bucket/store', options);
    const to = await openVfs('s3://dst-bucket/store', options);
    await loadTree(from, tree);
    // From now on the destination refuses the key, as after a revocation (InvalidAccessKeyId, 403).
    await server.injectFault({ method: 'PUT', status: 403, code: 'InvalidAccessKeyId', times: 1000 });
    let error: unknown;
    try {
      await moveStateStore({ from, to, concurrency: 4 });
    } catch (err) {
      error = err;
    }
    expect(isStateStoreError(error, 'Unauthenticated')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
    expect((error as Error).message).not.toContain(S3RVER_CREDENTIALS.secretAccessKey);
    await server.clearFaults();
    expect(await (await openStateStore(to)).listClusters()).toEqual([]);
    const rerun = await moveStateStore({ from, to });
    expect(await (await openStateStore(to)).listClusters()).toEqual([tree.cluster]);
    expect(rerun.clusters[0]!.files).toBeGreaterThan(0);
    await Promise.all([from.close(), to.close()]);
  });
});
