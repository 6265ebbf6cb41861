/**
 * A cluster's secret and key stores may not overlap its own documents (issue #25.4), refused with
 * ValidationError on every write of the config and whenever a secret or key location is read;
 * kops's defaults (`{configBase}/secrets`, `{configBase}/pki`, as cluster-completed.spec names
 * them) are accepted. On memfs and file.
 */
import type { Vfs } from '../../src/vfs/types.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import type { ClusterConfig } from '../../src/config/schema/index.js';
import { separateStoreIssues } from '../../src/store/location-overlap.js';
import { loadTree, TREES } from './trees.js';
import { fileTarget, memoryTarget, stopAll, type BackendTarget } from '../backends/targets.js';

const tree = TREES[0]!;
const cluster = tree.cluster;
const IG = `${cluster}/instancegroup/nodes`;

async function snapshot(vfs: Vfs): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const info of vfs.listAll()) out.set(info.key, info.version);
  return out;
}

describe('separateStoreIssues', () => {
  const store = 's3://bucket/state';
  const at = (spec: Record<string, unknown>) => separateStoreIssues(store, 'c.example.com', { spec });
  it.each([
    ['{configBase}/secrets', { secretStore: `${store}/c.example.com/secrets` }],
    ['{configBase}/pki', { keyStore: `${store}/c.example.com/pki` }],
    [
      'both defaults, v1alpha3 spelling',
      { configStore: { secrets: `${store}/c.example.com/secrets`, keypairs: `${store}/c.example.com/pki` } },
    ],
    ['another bucket', { secretStore: 's3://vault/c', keyStore: 's3://vault/k' }],
    ['a folder of its own in the store', { secretStore: `${store}/shared-secrets/c`, keyStore: `${store}/shared/pki` }],
    ['no locations', {}],
  ])('accepts %s', (_label, spec) => {
    expect(at(spec)).toEqual([]);
  });

  it.each([
    [
      'its instance groups',
      { secretStore: `${store}/c.example.com/instancegroup` },
      '/spec/secretStore',
      /c\.example\.com\/instancegroup\//,
    ],
    [
      'a folder inside its instance groups',
      { secretStore: `${store}/c.example.com/instancegroup/x` },
      '/spec/secretStore',
      /instancegroup\//,
    ],
    [
      'its config (as a folder)',
      { keyStore: `${store}/c.example.com/config` },
      '/spec/keyStore',
      /c\.example\.com\/config /,
    ],
    [
      'its history, leases and backups',
      { keyStore: `${store}/c.example.com/backups/statestore` },
      '/spec/keyStore',
      /backups\//,
    ],
    ['its whole folder', { secretStore: `${store}/c.example.com` }, '/spec/secretStore', /whole folder/],
    ['the whole store', { secretStore: store }, '/spec/secretStore', /whole state store/],
    ['an ancestor of the store', { secretStore: 's3://bucket' }, '/spec/secretStore', /whole state store/],
    [
      "another cluster's instance groups",
      { configStore: { secrets: `${store}/other.example.com/instancegroup` } },
      '/spec/configStore/secrets',
      /other\.example\.com/,
    ],
    [
      'its key store (the default pki/)',
      { secretStore: `${store}/c.example.com/pki/private` },
      '/spec/secretStore',
      /pki\//,
    ],
    [
      'its secret store (the default secrets/)',
      { keyStore: `${store}/c.example.com/secrets` },
      '/spec/keyStore',
      /secrets\//,
    ],
    [
      'each other, outside the store',
      { secretStore: 's3://vault/c', keyStore: 's3://vault/c/keys' },
      '/spec/secretStore',
      /overlap/,
    ],
  ])('refuses %s', (_label, spec, pointer, message) => {
    const issues = at(spec);
    expect(issues.map((issue) => issue.path)).toContain(pointer);
    expect(issues.map((issue) => issue.message).join('\n')).toMatch(message);
  });
});

afterAll(stopAll);

async function make(target: BackendTarget): Promise<{ store: StateStore; url: string }> {
  const { vfs, url } = await target.fresh();
  return { store: await openStateStore(vfs), url: vfs.url ?? url };
}
describe.each([memoryTarget, fileTarget].map((t) => [t.name, t] as const))('on %s', (_name, target) => {
  let world: Awaited<ReturnType<typeof make>>;
  let vfs: Vfs;
  beforeEach(async () => {
    world = await make(target);
    vfs = world.store.vfs;
    await loadTree(vfs, tree);
  });
  afterEach(() => world.store.close());

  const pointed = async (spec: Record<string, string>): Promise<ClusterConfig> => {
    const config = (await world.store.getCluster(cluster)).value;
    return { ...config, spec: { ...config.spec, ...spec } };
  };

  it('refuses a config pointing secrets at its instance groups, on every write, writing nothing', async () => {
    const { store, url } = world;
    const bad = { secretStore: `${url}/${cluster}/instancegroup` };
    const before = await snapshot(vfs);
    await expect(store.putConfig(cluster, await pointed(bad))).rejects.toMatchObject({
      code: 'ValidationError',
      issues: [expect.objectContaining({ path: '/spec/secretStore' })],
    });
    await expect(store.mergeConfig(cluster, { spec: bad })).rejects.toMatchObject({ code: 'ValidationError' });
    await store.deleteCluster(cluster, { force: true });
    await expect(
      store.createCluster(cluster, {
        ...(await readConfigOf(tree)),
        spec: { ...(await readConfigOf(tree)).spec, ...bad },
      }),
    ).rejects.toMatchObject({ code: 'ValidationError' });
    expect(await snapshot(vfs)).toEqual(new Map());
    expect(before.size).toBeGreaterThan(0);
  });

  it('refuses to read or write a secret where a stored config points it at an instance group (written behind its back)', async () => {
    const { store, url } = world;
    const key = `${cluster}/config`;
    const text = Buffer.from((await vfs.read(key)).body).toString();
    await vfs.write(key, text.replace('\nspec:\n', `\nspec:\n  secretStore: ${url}/${cluster}/instancegroup\n`));
    const group = await vfs.read(IG);
    const before = await snapshot(vfs);
    await expect(store.putSecret(cluster, 'nodes', 'stolen', { overwrite: true })).rejects.toMatchObject({
      code: 'ValidationError',
    });
    await expect(store.listSecrets(cluster)).rejects.toMatchObject({ code: 'ValidationError' });
    await expect(store.getSecret(cluster, 'nodes')).rejects.toMatchObject({ code: 'ValidationError' });
    expect(await snapshot(vfs)).toEqual(before);
    expect(Buffer.from((await vfs.read(IG)).body)).toEqual(Buffer.from(group.body));
  });

  it("accepts kops's defaults written out ({configBase}/secrets, {configBase}/pki) and keeps working", async () => {
    const { store, url } = world;
    const spec = { secretStore: `${url}/${cluster}/secrets`, keyStore: `${url}/${cluster}/pki` };
    await store.putConfig(cluster, await pointed(spec));
    await store.putSecret(cluster, 'ok', 'value');
    expect(Buffer.from(await store.getSecret(cluster, 'ok')).toString()).toBe('value');
    expect(await store.listKeysets(cluster, 'private')).not.toEqual([]);
  });
});

async function readConfigOf(kops: typeof tree): Promise<ClusterConfig> {
  const { parseYaml } = await import('../../src/config/yaml/parse.js');
  const { treeFiles } = await import('./trees.js');
  return parseYaml(treeFiles(kops).get(`${kops.cluster}/config`)!.toString()).value as ClusterConfig;
}
