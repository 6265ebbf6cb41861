/** Envelope encryption through the StateStore: secrets and private keys, on memory and file stores. */
import { randomBytes } from 'node:crypto';
import type { Vfs } from '../../src/vfs/types.js';
import { openStateStore } from '../../src/store/open.js';
import { fileTarget, memoryTarget, stopAll } from '../backends/targets.js';
import { loadTree, TREES } from './trees.js';
import { errorCode } from '../helpers/index.js';

afterAll(stopAll);

const KEY = randomBytes(32);
const tree = TREES[0]!;
const cluster = tree.cluster;
const GO_STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const text = async (vfs: Vfs, key: string) => Buffer.from((await vfs.read(key)).body).toString('utf8');

describe.each([memoryTarget, fileTarget].map((t) => [t.name, t]))('encrypted StateStore on %s', (_name, target) => {
  let vfs: Vfs;
  beforeEach(async () => {
    ({ vfs } = await target.fresh());
    await loadTree(vfs, tree);
  });
  afterEach(() => vfs.close());

  it('seals a secret in kops\'s {"Data"} JSON, reads it back; kops\'s plain secrets only with allowPlaintext', async () => {
    const store = await openStateStore(vfs, { encryption: KEY });
    expect(store.encrypts).toBe(true);
    await store.putSecret(cluster, 'dockerconfig', 'top-secret-registry-token');
    const raw = JSON.parse(await text(vfs, `${cluster}/secrets/dockerconfig`)) as { Data: string };
    expect(Object.keys(raw)).toEqual(['Data']);
    expect(raw.Data.startsWith('ssenc1.')).toBe(true);
    expect(GO_STD_BASE64.test(raw.Data)).toBe(false); // kops fails loudly instead of misreading it
    expect(raw.Data).not.toContain(Buffer.from('top-secret-registry-token').toString('base64'));
    expect(Buffer.from(await store.getSecret(cluster, 'dockerconfig')).toString()).toBe('top-secret-registry-token');
    // kops's own plain secrets in the same store: refused by default (someone may have put them
    // there), readable with allowPlaintext while migrating.
    expect(await errorCode(store.getSecret(cluster, 'encryptionconfig'))).toBe('IntegrityError');
    const migrating = await openStateStore(vfs, { encryption: KEY, allowPlaintext: true });
    expect(Buffer.from(await migrating.getSecret(cluster, 'encryptionconfig')).toString()).toBe(
      `encryption-config-${cluster}`,
    );
    // Opt out per value: kops's plain format.
    await store.putSecret(cluster, 'plain', 'readable by kops', { encrypt: false });
    const plain = JSON.parse(await text(vfs, `${cluster}/secrets/plain`)) as { Data: string };
    expect(Buffer.from(plain.Data, 'base64').toString()).toBe('readable by kops');
  });

  it('refuses a sealed secret without the key (InvalidArgument), with the wrong key, truncated or moved (IntegrityError)', async () => {
    const store = await openStateStore(vfs, { encryption: KEY });
    await store.putSecret(cluster, 'kube', 'admin-token');
    expect(await errorCode((await openStateStore(vfs)).getSecret(cluster, 'kube'))).toBe('InvalidArgument');
    expect(
      await errorCode((await openStateStore(vfs, { encryption: randomBytes(32) })).getSecret(cluster, 'kube')),
    ).toBe('IntegrityError');
    const body = await text(vfs, `${cluster}/secrets/kube`);
    await vfs.write(`${cluster}/secrets/cut`, body.slice(0, body.length - 10));
    expect(await errorCode(store.getSecret(cluster, 'cut'))).toBe('IntegrityError');
    await vfs.write(`${cluster}/secrets/cut2`, body.slice(0, body.length - 3) + body.slice(-2));
    expect(await errorCode(store.getSecret(cluster, 'cut2'))).toBe('IntegrityError');
    // The same sealed bytes under another name: bound to its own name, so refused.
    await vfs.write(`${cluster}/secrets/moved`, body);
    expect(await errorCode(store.getSecret(cluster, 'moved'))).toBe('IntegrityError');
    let message = '';
    await store.getSecret(cluster, 'moved').catch((err: Error) => (message = err.message));
    expect(message).toContain('secret "moved"');
    expect(message).not.toContain('admin-token');
  });

  it("keeps kops's create-only default for sealed secrets, and overwrites when asked", async () => {
    const store = await openStateStore(vfs, { encryption: KEY });
    await store.putSecret(cluster, 'once', 'v1');
    expect(await errorCode(store.putSecret(cluster, 'once', 'v2'))).toBe('AlreadyExists');
    await store.putSecret(cluster, 'once', 'v2', { overwrite: true });
    expect(Buffer.from(await store.getSecret(cluster, 'once')).toString()).toBe('v2');
  });

  it("seals private keys in a kops Keyset; certificates stay plain; the plain form matches kops's file", async () => {
    const fixture = await (await openStateStore(vfs)).getKeyset(cluster, 'kubernetes-ca');
    const plainStore = await openStateStore(vfs);
    // Written without encryption, under another name, it is kops's file byte for byte (but the name).
    await plainStore.putKeyset(cluster, { ...fixture, name: 'copy-ca' });
    const original = await text(vfs, `${cluster}/pki/private/kubernetes-ca/keyset.yaml`);
    expect(await text(vfs, `${cluster}/pki/private/copy-ca/keyset.yaml`)).toBe(
      original.replace('name: kubernetes-ca', 'name: copy-ca'),
    );

    const store = await openStateStore(vfs, { encryption: KEY });
    await store.putKeyset(cluster, { ...fixture, name: 'sealed-ca' });
    const sealed = await text(vfs, `${cluster}/pki/private/sealed-ca/keyset.yaml`);
    expect(sealed).toMatch(/privateMaterial: ssenc1\./);
    expect(sealed).toContain(`publicMaterial: ${Buffer.from(fixture.keys[0]!.certificate!).toString('base64')}`);
    expect(sealed).not.toContain(Buffer.from(fixture.keys[0]!.privateKey!).toString('base64'));
    expect(await store.getKeyset(cluster, 'sealed-ca')).toEqual({ ...fixture, name: 'sealed-ca' });
    expect(await errorCode(plainStore.getKeyset(cluster, 'sealed-ca'))).toBe('InvalidArgument');
    expect(
      await errorCode((await openStateStore(vfs, { encryption: randomBytes(32) })).getKeyset(cluster, 'sealed-ca')),
    ).toBe('IntegrityError');
    // A sealed private key copied into another keyset is refused: it is bound to its file and id.
    await vfs.write(`${cluster}/pki/private/other-ca/keyset.yaml`, sealed.replace('name: sealed-ca', 'name: other-ca'));
    expect(await errorCode(store.getKeyset(cluster, 'other-ca'))).toBe('IntegrityError');
  });

  it('refuses keysets kops would refuse: no primary, or a primary without its private key', async () => {
    const store = await openStateStore(vfs, { encryption: KEY, allowPlaintext: true });
    const fixture = await store.getKeyset(cluster, 'kubernetes-ca');
    expect(await errorCode(store.putKeyset(cluster, { ...fixture, name: 'a', primaryId: 'nope' }))).toBe(
      'InvalidArgument',
    );
    const { privateKey: _dropped, ...certOnly } = fixture.keys[0]!;
    expect(await errorCode(store.putKeyset(cluster, { ...fixture, name: 'b', keys: [certOnly] }))).toBe(
      'InvalidArgument',
    );
    expect(await errorCode(store.putKeyset(cluster, fixture))).toBe('AlreadyExists');
  });
});

it('openStateStore passes the encryption option to the store', async () => {
  const store = await openStateStore(`memfs://encrypted-${process.pid}`, { encryption: KEY.toString('base64') });
  try {
    expect(store.encrypts).toBe(true);
    await store.putSecret('a.example.com', 'x', 'y');
    expect(Buffer.from((await store.vfs.read('a.example.com/secrets/x')).body).toString()).toContain('ssenc1.');
    expect(Buffer.from(await store.getSecret('a.example.com', 'x')).toString()).toBe('y');
    expect((await openStateStore(store.vfs)).encrypts).toBe(false);
  } finally {
    await store.close();
  }
});
