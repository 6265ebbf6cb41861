/**
 * Where keys and secrets live (issue #13 item 3): `spec.keyStore` / `spec.secretStore` (v1alpha2)
 * and `spec.configStore.keypairs` / `.secrets` (v1alpha3) resolved as kops's clientset does
 * (kops: pkg/client/simple/vfsclientset/clientset.go), on memfs and file, and deleted with the
 * cluster as kops's DeleteCluster does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { isStateStoreError, StateStoreError } from '../../src/errors.js';
import type { Vfs } from '../../src/vfs/types.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import { configuredStoreUrl, containsStore, prefixInside } from '../../src/store/locations.js';
import { loadTree, TREES } from './trees.js';
import { errorCode } from '../helpers/index.js';

const tree = TREES[0]!;
const cluster = tree.cluster;
const CA = `${cluster}/pki/private/kubernetes-ca/keyset.yaml`;

async function keys(vfs: Vfs, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const info of vfs.listAll(prefix === '' ? {} : { prefix })) out.push(info.key);
  return out;
}

/** Adds `spec.<field>: <url>` lines to the stored config (the fixture's text otherwise kept). */
async function pointConfig(vfs: Vfs, fields: Record<string, string>): Promise<void> {
  const key = `${cluster}/config`;
  const text = Buffer.from((await vfs.read(key)).body).toString();
  const lines = Object.entries(fields)
    .map(([field, url]) => `  ${field}: ${url}\n`)
    .join('');
  await vfs.write(key, text.replace('\nspec:\n', `\nspec:\n${lines}`));
}

describe('configuredStoreUrl, prefixInside', () => {
  it('reads v1alpha2 keyStore/secretStore and v1alpha3 configStore.keypairs/secrets; v1alpha2 configStore (a string) is unused', () => {
    expect(configuredStoreUrl({ spec: { keyStore: 's3://k', secretStore: 's3://s' } }, 'keypairs')).toBe('s3://k');
    expect(configuredStoreUrl({ spec: { keyStore: 's3://k', secretStore: 's3://s' } }, 'secrets')).toBe('s3://s');
    expect(
      configuredStoreUrl(
        { spec: { configStore: { base: 's3://b/c', keypairs: 's3://k3', secrets: 's3://s3' } } },
        'keypairs',
      ),
    ).toBe('s3://k3');
    expect(configuredStoreUrl({ spec: { configStore: { secrets: 's3://s3' } } }, 'secrets')).toBe('s3://s3');
    expect(configuredStoreUrl({ spec: { configStore: 's3://legacy' } }, 'secrets')).toBeUndefined();
    expect(configuredStoreUrl({ spec: { secretStore: '' } }, 'secrets')).toBeUndefined();
    expect(configuredStoreUrl(undefined, 'secrets')).toBeUndefined();
    expect(() => configuredStoreUrl({ spec: { keyStore: 5 } }, 'keypairs')).toThrow(/spec\.keyStore/);
  });

  it('places a URL inside or outside the store (bucket, memfs name, folder; bare paths are local, as kops reads them)', () => {
    expect(prefixInside('s3://b/state', 's3://b/state/c/pki')).toBe('c/pki/');
    expect(prefixInside('s3://b/state', 's3://b/state')).toBe('');
    expect(prefixInside('s3://b/state', 's3://b/stateful/pki')).toBeUndefined();
    expect(prefixInside('s3://b/state', 's3://other/state/pki')).toBeUndefined();
    expect(prefixInside('s3://b/state', 'gs://b/state/pki')).toBeUndefined();
    expect(prefixInside('memfs://m', 'memfs://m/x/secrets')).toBe('x/secrets/');
    expect(prefixInside('file:///tmp/st%20ate', '/tmp/st ate/c/secrets')).toBe('c/secrets/');
    expect(prefixInside('file:///tmp/state', 'file:///tmp/state/c/pki')).toBe('c/pki/');
    expect(containsStore('s3://b', 's3://b/state')).toBe(true);
    expect(containsStore('s3://b/state/x', 's3://b/state')).toBe(false);
  });
});

interface World {
  store: StateStore;
  inside: (rel: string) => string;
  outside: (rel: string) => string;
  openOutside: () => Promise<Vfs>;
  /** A URL whose folder holds the whole state store. */
  ancestor: string;
  cleanup: () => Promise<void>;
}

let counter = 0;
const worlds: Array<[string, () => Promise<World>]> = [
  [
    'memory',
    async () => {
      const base = `memfs://locations-${process.pid}-${++counter}`;
      const store = await openStateStore(`${base}/state`);
      return {
        store,
        inside: (rel) => `${base}/state/${rel}`,
        outside: (rel) => `${base}-elsewhere/${rel}`,
        openOutside: () => openVfs(`${base}-elsewhere`),
        ancestor: base,
        cleanup: () => store.close(),
      };
    },
  ],
  [
    'file',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'statestore-locations-'));
      const store = await openStateStore(`file://${dir}/state`);
      // kops accepts a bare local path as well as file:// (util/pkg/vfs/context.go BuildVfsPath).
      return {
        store,
        inside: (rel) => path.join(dir, 'state', rel),
        outside: (rel) => `file://${dir}/elsewhere/${rel}`,
        openOutside: () => openVfs(`file://${dir}/elsewhere`),
        ancestor: dir,
        cleanup: async () => {
          await store.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

describe.each(worlds)('separate key and secret stores on %s', (_name, make) => {
  let world: World;
  let vfs: Vfs;
  beforeEach(async () => {
    world = await make();
    vfs = world.store.vfs;
    await loadTree(vfs, tree);
  });
  afterEach(() => world.cleanup());

  it('reads and writes secrets in a secret store outside the state store, and keys in a folder inside it', async () => {
    const { store } = world;
    await vfs.write('shared/pki/private/kubernetes-ca/keyset.yaml', (await vfs.read(CA)).body);
    await vfs.delete(CA);
    await pointConfig(vfs, { secretStore: world.outside('secrets'), keyStore: world.inside('shared/pki') });

    await store.putSecret(cluster, 'system:dns', 'dns-token');
    const outside = await world.openOutside();
    expect(await keys(outside)).toEqual(['secrets/system:dns']);
    expect(Buffer.from((await outside.read('secrets/system:dns')).body).toString()).toBe(
      `{"Data":"${Buffer.from('dns-token').toString('base64')}"}`,
    );
    expect(await store.listSecrets(cluster)).toEqual(['system:dns']); // not the tree's own secrets/
    expect(Buffer.from(await store.getSecret(cluster, 'system:dns')).toString()).toBe('dns-token');
    expect(await errorCode(store.getSecret(cluster, 'admin'))).toBe('NotFound');

    expect((await store.getKeyset(cluster, 'kubernetes-ca')).keys.length).toBeGreaterThan(0);
    expect(await store.listKeysets(cluster)).toEqual(['kubernetes-ca']);
    await store.deleteSecret(cluster, 'system:dns');
    expect(await keys(outside)).toEqual([]);
    await outside.close();
  });

  it('honours v1alpha3 spec.configStore.secrets too', async () => {
    const key = `${cluster}/config`;
    const text = Buffer.from((await vfs.read(key)).body).toString();
    await vfs.write(
      key,
      text
        .replace('apiVersion: kops.k8s.io/v1alpha2', 'apiVersion: kops.k8s.io/v1alpha3')
        .replace('\nspec:\n', `\nspec:\n  configStore:\n    secrets: ${world.inside('vault')}\n`),
    );
    await world.store.putSecret(cluster, 'kube', 'k');
    expect(await keys(vfs, 'vault/')).toEqual(['vault/kube']);
  });

  it('deleteCluster deletes the separate stores too (secrets first, then keys), then the cluster', async () => {
    const { store } = world;
    await vfs.write('shared/pki/private/kubernetes-ca/keyset.yaml', (await vfs.read(CA)).body);
    await pointConfig(vfs, { secretStore: world.outside('secrets'), keyStore: world.inside('shared/pki') });
    await store.putSecret(cluster, 'kubelet', 'x');
    await store.putSecret(cluster, 'admin', 'y');
    await vfs.write('unrelated/file', 'keep me');
    const before = (await keys(vfs, `${cluster}/`)).length;
    const { deleted } = await store.deleteCluster(cluster);
    expect(deleted).toBe(before + 2 + 1);
    const outside = await world.openOutside();
    expect(await keys(outside)).toEqual([]);
    expect(await keys(vfs)).toEqual(['unrelated/file']);
    await outside.close();
  });

  it('deleteCluster removes the two OIDC documents from the discovery store, and nothing else there', async () => {
    const key = `${cluster}/config`;
    const text = Buffer.from((await vfs.read(key)).body).toString();
    await vfs.write(
      key,
      text.replace(
        '\nspec:\n',
        `\nspec:\n  serviceAccountIssuerDiscovery:\n    discoveryStore: ${world.outside('oidc')}\n`,
      ),
    );
    const outside = await world.openOutside();
    for (const file of ['oidc/openid/v1/jwks', 'oidc/.well-known/openid-configuration', 'oidc/keep.txt'])
      await outside.write(file, '{}');
    await world.store.deleteCluster(cluster);
    expect(await keys(outside)).toEqual(['oidc/keep.txt']);
    expect(await keys(vfs, `${cluster}/`)).toEqual([]);
    await outside.close();
  });

  it("deleteCluster refuses a separate store that is the whole state store, contains it, or is another cluster's folder; nothing is deleted", async () => {
    const { store } = world;
    await vfs.write('other.example.com/config', (await vfs.read(`${cluster}/config`)).body);
    const all = await keys(vfs);
    for (const url of [world.inside(''), world.inside('other.example.com'), world.ancestor]) {
      await loadTree(vfs, tree);
      await pointConfig(vfs, { secretStore: url });
      const err = await store.deleteCluster(cluster).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isStateStoreError(err, 'PreconditionFailed')).toBe(true);
      expect(await keys(vfs)).toEqual(all);
    }
  });

  it("deleteCluster deletes a key store inside the cluster's folder once, without calling its files unknown", async () => {
    await pointConfig(vfs, {
      keyStore: world.inside(`${cluster}/mykeys`),
      secretStore: world.inside(`${cluster}/mykeys`),
    });
    await vfs.write(`${cluster}/mykeys/private/x/keyset.yaml`, 'x');
    await world.store.deleteCluster(cluster);
    expect(await keys(vfs)).toEqual([]);
  });

  it('an openStore that refuses keeps a config from reaching outside the store', async () => {
    await pointConfig(vfs, { secretStore: world.outside('secrets') });
    const guarded = await openStateStore(vfs, {
      openStore: async () => {
        throw new StateStoreError('InvalidArgument', 'separate stores are not allowed here');
      },
    });
    expect(await errorCode(guarded.getSecret(cluster, 'kube'))).toBe('InvalidArgument');
    expect(await errorCode(guarded.deleteCluster(cluster))).toBe('InvalidArgument');
    await expect(guarded.putSecret(cluster, 'kube', 'k')).rejects.toThrow(
      /spec\.secretStore: separate stores are not allowed here/,
    );
    await pointConfig(vfs, { keyStore: 'ftp://nowhere/pki' });
    await expect(guarded.listKeysets(cluster)).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('spec.keyStore'),
    });
    expect((await keys(vfs, `${cluster}/`)).length).toBeGreaterThan(0);
  });
});
