/**
 * kops's keypair lifecycle (create, promote, distrust, trust, delete) and its SSH public keys, as
 * StateStore methods, checked against what kops's own commands would choose.
 */
import { X509Certificate } from 'node:crypto';
import type { Vfs } from '../../src/vfs/types.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import { sshFingerprint } from '../../src/store/keys/ssh-keys.js';
import { memoryTarget, stopAll } from '../backends/targets.js';
import { cluster, failure, GOLDEN, GOLDEN_CERT, GOLDEN_ID, keyPath, text, tree } from './golden-keyset.js';
import { loadTree, treeFiles, TREES } from './trees.js';

afterAll(stopAll);

const serialOf = (pem: string) => BigInt(`0x${new X509Certificate(pem).serialNumber}`);

describe('keypair lifecycle', () => {
  let vfs: Vfs;
  let store: StateStore;
  beforeEach(async () => {
    ({ vfs } = await memoryTarget.fresh());
    await loadTree(vfs, tree);
    await vfs.write(keyPath('kubernetes-ca'), GOLDEN);
    store = await openStateStore(vfs);
  });
  afterEach(() => vfs.close());

  it('rotates a CA: create (secondary), promote (newest), distrust (older than primary), as kops chooses', async () => {
    const first = await store.createKeypair(cluster, 'etcd-manager-ca-main', { primary: true });
    let keyset = await store.getKeyset(cluster, 'etcd-manager-ca-main');
    // kops: a generated certificate's serial becomes its id (upup/pkg/fi/ca.go AddItem).
    expect(keyset.primaryId).toBe(first.id);
    expect(serialOf(keyset.keys[0]!.certificate!).toString()).toBe(first.id);
    expect(new X509Certificate(keyset.keys[0]!.certificate!).subject).toBe(
      `CN=etcd-manager-ca-main\nserialNumber=${first.id}`,
    );

    const second = await store.createKeypair(cluster, 'etcd-manager-ca-main');
    expect(BigInt(second.id)).toBeGreaterThan(BigInt(first.id));
    keyset = await store.getKeyset(cluster, 'etcd-manager-ca-main');
    expect(keyset.primaryId).toBe(first.id); // not primary until promoted, as `kops create keypair`
    expect(await text(vfs, keyPath('etcd-manager-ca-main'))).toContain(`primaryId: "${first.id}"`);

    // Every write reports the keyset file's new version; a call that writes nothing reports the version read.
    const versionNow = async () => (await vfs.stat(keyPath('etcd-manager-ca-main'))).version;
    expect(second.version).not.toBe(first.version);
    const promoted = await store.promoteKeypair(cluster, 'etcd-manager-ca-main');
    expect(promoted).toEqual({ id: second.id, promoted: true, version: await versionNow() });
    expect(promoted.version).not.toBe(second.version);
    expect(await store.promoteKeypair(cluster, 'etcd-manager-ca-main')).toEqual({
      id: second.id,
      promoted: false,
      version: promoted.version,
    });

    const before = Date.now();
    const distrust = await store.distrustKeypairs(cluster, 'etcd-manager-ca-main');
    expect(distrust).toEqual({ ids: [first.id], version: await versionNow() });
    keyset = await store.getKeyset(cluster, 'etcd-manager-ca-main');
    expect(keyset.primaryId).toBe(second.id);
    const distrusted = keyset.keys.find((k) => k.id === first.id)!.distrustTimestamp!;
    expect(distrusted).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(distrusted)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(keyset.keys.find((k) => k.id === second.id)!.distrustTimestamp).toBeUndefined();
    const written = await text(vfs, keyPath('etcd-manager-ca-main'));
    expect(written).toContain(`  - distrustTimestamp: "${distrusted}"\n    id: "${first.id}"\n`);
    expect(written).toMatch(new RegExp(`\\n {2}primaryId: "${second.id}"\\n {2}type: Keypair\\n$`));
    expect(await store.distrustKeypairs(cluster, 'etcd-manager-ca-main')).toEqual({
      ids: [],
      version: distrust.version,
    });
  });

  it("on kops's golden CA (random 128-bit serial), a new key sorts below it: promote without id keeps it, distrust without ids spares it", async () => {
    const added = await store.createKeypair(cluster, 'kubernetes-ca');
    expect(BigInt(added.id)).toBeLessThan(BigInt(GOLDEN_ID));
    // kops promote keypair: "No kubernetes-ca keypair newer than current primary".
    expect(await store.promoteKeypair(cluster, 'kubernetes-ca')).toMatchObject({ id: GOLDEN_ID, promoted: false });
    expect(await store.promoteKeypair(cluster, 'kubernetes-ca', added.id)).toMatchObject({
      id: added.id,
      promoted: true,
    });
    // Distrust compares certificate serials: the golden CA's is higher than the new primary's.
    expect((await store.distrustKeypairs(cluster, 'kubernetes-ca')).ids).toEqual([]);
    expect((await store.distrustKeypairs(cluster, 'kubernetes-ca', [GOLDEN_ID])).ids).toEqual([GOLDEN_ID]);
    const keyset = await store.getKeyset(cluster, 'kubernetes-ca');
    expect(keyset.primaryId).toBe(added.id);
    expect(keyset.keys.map((k) => k.id)).toEqual([added.id, GOLDEN_ID]); // oldest id first
    const trusted = await store.trustKeypairs(cluster, 'kubernetes-ca', [GOLDEN_ID]);
    expect(trusted).toEqual({ ids: [GOLDEN_ID], version: (await vfs.stat(keyPath('kubernetes-ca'))).version });
    expect((await store.getKeyset(cluster, 'kubernetes-ca')).keys.every((k) => k.distrustTimestamp === undefined)).toBe(
      true,
    );
  });

  it('adds a certificate without its key below the primary (the lowest free id from 0), never as primary', async () => {
    await store.createKeypair(cluster, 'etcd-clients-ca', { primary: true });
    expect(await store.createKeypair(cluster, 'etcd-clients-ca', { certificate: GOLDEN_CERT })).toEqual({
      id: '0',
      version: (await vfs.stat(keyPath('etcd-clients-ca'))).version,
    });
    const keyset = await store.getKeyset(cluster, 'etcd-clients-ca');
    expect(keyset.keys[0]).toEqual({ id: '0', certificate: GOLDEN_CERT });
    expect(
      (await failure(store.createKeypair(cluster, 'etcd-clients-ca', { certificate: GOLDEN_CERT, primary: true })))
        .code,
    ).toBe('InvalidArgument');
    expect(await failure(store.promoteKeypair(cluster, 'etcd-clients-ca', '0'))).toMatchObject({
      code: 'PreconditionFailed',
      message: expect.stringMatching(/has no private key/),
    });
  });

  it('refuses what kops refuses, writing nothing', async () => {
    const original = await text(vfs, keyPath('kubernetes-ca'));
    expect(await failure(store.distrustKeypairs(cluster, 'kubernetes-ca', [GOLDEN_ID]))).toMatchObject({
      code: 'PreconditionFailed',
      message: expect.stringMatching(/cannot distrust the primary/),
    });
    expect((await failure(store.distrustKeypairs(cluster, 'kubernetes-ca', ['42']))).code).toBe('NotFound');
    expect((await failure(store.promoteKeypair(cluster, 'kubernetes-ca', '42'))).code).toBe('NotFound');
    expect((await failure(store.deleteKeypair(cluster, 'kubernetes-ca', GOLDEN_ID))).code).toBe('PreconditionFailed');
    expect(await failure(store.createKeypair(cluster, 'kubelet'))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/not supported/),
    });
    expect(await failure(store.createKeypair(cluster, 'new-ca'))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/first keypair added to a keyset must be primary/),
    });
    expect((await failure(store.promoteKeypair(cluster, 'missing-ca'))).code).toBe('NotFound');
    expect(await failure(store.distrustKeypairs(cluster, 'kubernetes-ca', '42' as never))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/ids must be a list/),
    });
    expect(await failure(store.createKeypair(cluster, 'kubernetes-ca', { certificate: 42 as never }))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/certificate must be PEM text/),
    });
    expect(await text(vfs, keyPath('kubernetes-ca'))).toBe(original);
    await expect(vfs.stat(keyPath('new-ca'))).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('promote refuses a distrusted key; delete removes a secondary one', async () => {
    const added = await store.createKeypair(cluster, 'kubernetes-ca');
    await store.distrustKeypairs(cluster, 'kubernetes-ca', [added.id]);
    expect(await failure(store.promoteKeypair(cluster, 'kubernetes-ca', added.id))).toMatchObject({
      code: 'PreconditionFailed',
      message: expect.stringMatching(/is distrusted/),
    });
    await store.deleteKeypair(cluster, 'kubernetes-ca', added.id);
    expect(await text(vfs, keyPath('kubernetes-ca'))).toBe(GOLDEN);
  });

  it('does not overwrite a keyset changed since it was read (PreconditionFailed)', async () => {
    const slow = await openStateStore(vfs);
    // Keysets are read with a size cap (#25.10): the writer races the read there.
    const read = vfs.read.bind(vfs);
    let once = false;
    vfs.read = async (key, options) => {
      const result = await read(key, options);
      if (!once && key === keyPath('kubernetes-ca')) {
        once = true;
        await vfs.write(key, GOLDEN.replace('type: Keypair', 'type: Keypair\n  extra: 1'));
      }
      return result;
    };
    expect((await failure(slow.createKeypair(cluster, 'kubernetes-ca'))).code).toBe('PreconditionFailed');
  });
});

describe("SSH public keys under kops's fingerprint names", () => {
  // kops: pkg/pki/sshkey_test.go Test_OpenSSHFingerprint_RsaKey1 (the same MD5 of the wire format as
  // pkg/sshcredentials/fingerprint.go); 85:a6:... is the AWS fingerprint of the same key, not kops's file name.
  const KEY =
    'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCySdqIU+FhCWl3BNrAvPaOe5VfL2aCARUWwy91ZP+T7LBwFa9lhdttfjp/VX1D1/PVwntn2EhN079m8c2kfdmiZ/iCHqrLyIGSd+BOiCz0lT47znvANSfxYjLUuKrWWWeaXqerJkOsAD4PHchRLbZGPdbfoBKwtb/WT4GMRQmb9vmiaZYjsfdPPM9KkWI9ECoWFGjGehA8D+iYIPR711kRacb1xdYmnjHqxAZHFsb5L8wDWIeAyhy49cBD+lbzTiioq2xWLorXuFmXh6Do89PgzvHeyCLY6816f/kCX6wIFts8A2eaEHFL4rAOsuh6qHmSxGCR9peSyuRW8DxV725x justin@test';

  it("computes kops's fingerprint (also with kops's tricky whitespace)", () => {
    expect(sshFingerprint(KEY)).toBe('bebaec2b9ea068b8196b9a26ccb158ff');
    expect(sshFingerprint(`${KEY.replace(' ', '\r').replace(' justin@test', '')}\r`)).toBe(
      'bebaec2b9ea068b8196b9a26ccb158ff',
    );
    expect(() => sshFingerprint('not a key')).toThrow(/authorized_keys/);
  });

  it("names the state-stores-extra SSH keys by kops's fingerprint", () => {
    for (const t of TREES) {
      const prefix = `${t.cluster}/pki/ssh/public/admin/`;
      const ssh = [...treeFiles(t)].filter(([key]) => key.startsWith(prefix));
      expect(ssh).toHaveLength(1);
      expect(ssh[0]![0].slice(prefix.length)).toBe(sshFingerprint(ssh[0]![1].toString('utf8')));
    }
  });

  it('adds under ssh/public/admin/<fingerprint>, lists, and deletes one or all', async () => {
    const { vfs } = await memoryTarget.fresh();
    await loadTree(vfs, tree);
    const store = await openStateStore(vfs);
    const [existing] = await store.listSshPublicKeys(cluster);
    const added = await store.addSshPublicKey(cluster, `${KEY}\n`);
    expect(added).toEqual({
      fingerprint: 'bebaec2b9ea068b8196b9a26ccb158ff',
      version: (await vfs.stat(`${cluster}/pki/ssh/public/admin/bebaec2b9ea068b8196b9a26ccb158ff`)).version,
    });
    expect(await text(vfs, `${cluster}/pki/ssh/public/admin/bebaec2b9ea068b8196b9a26ccb158ff`)).toBe(`${KEY}\n`);
    expect((await store.listSshPublicKeys(cluster)).map((k) => k.fingerprint).sort()).toEqual(
      ['bebaec2b9ea068b8196b9a26ccb158ff', existing!.fingerprint].sort(),
    );
    expect((await failure(store.addSshPublicKey(cluster, 'ssh-rsa not-base64'))).code).toBe('InvalidArgument');
    expect(await store.deleteSshPublicKeys(cluster, 'be:ba:ec:2b:9e:a0:68:b8:19:6b:9a:26:cc:b1:58:ff')).toEqual({
      deleted: 1,
    });
    expect((await failure(store.deleteSshPublicKeys(cluster, 'bebaec2b9ea068b8196b9a26ccb158ff'))).code).toBe(
      'NotFound',
    );
    expect(await store.deleteSshPublicKeys(cluster)).toEqual({ deleted: 1 });
    expect(await store.listSshPublicKeys(cluster)).toEqual([]);
    await vfs.close();
  });
});
