/**
 * Keysets read and written exactly as kops does, checked against kops's own bytes: the golden
 * keyset of kops's upup/pkg/fi/vfs_castore_test.go (test/fixtures/kops/pki/kubernetes-ca.keyset.yaml).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Vfs } from '../../src/vfs/types.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import { readKeyset } from '../../src/store/keys/keysets.js';
import { putKeyset } from '../../src/store/keys/keyset-write.js';
import { memoryTarget, stopAll } from '../backends/targets.js';
import { REPO_ROOT } from '../helpers/index.js';
import {
  cluster,
  failure,
  GOLDEN,
  GOLDEN_CERT as CERT,
  GOLDEN_ID,
  GOLDEN_KEY as KEY,
  goldenMaterial,
  keyPath,
  text,
  tree,
} from './golden-keyset.js';
import { loadTree, TREES } from './trees.js';

afterAll(stopAll);

/** A keyset file with the golden materials under other ids (kops keeps one cert per id; the bytes need not differ for these rules). */
function keysetText(spec: string): string {
  return `apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\nmetadata:\n  name: other-ca\nspec:\n${spec}`;
}
const item = (id: string, extra = '') =>
  `  - ${extra}id: "${id}"\n    privateMaterial: ${goldenMaterial('privateMaterial')}\n    publicMaterial: ${goldenMaterial('publicMaterial')}\n`;

describe('keysets in kops format', () => {
  let vfs: Vfs;
  let store: StateStore;
  beforeEach(async () => {
    ({ vfs } = await memoryTarget.fresh());
    await loadTree(vfs, tree);
    await vfs.write(keyPath('kubernetes-ca'), GOLDEN);
    store = await openStateStore(vfs);
  });
  afterEach(() => vfs.close());

  it('reads the keyset kops wrote with its primary (primaryId) and writes it back byte-identical', async () => {
    const keyset = await store.getKeyset(cluster, 'kubernetes-ca');
    expect(keyset).toEqual({
      name: 'kubernetes-ca',
      type: 'Keypair',
      primaryId: GOLDEN_ID,
      keys: [{ id: GOLDEN_ID, certificate: CERT, privateKey: KEY }],
    });
    expect(CERT).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(KEY).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    await store.putKeyset(cluster, keyset, { overwrite: true });
    expect(await text(vfs, keyPath('kubernetes-ca'))).toBe(GOLDEN);
    // Written fresh (no stored file to start from), the bytes are kops's too: no creationTimestamp: null.
    await vfs.delete(keyPath('kubernetes-ca'));
    const written = await store.putKeyset(cluster, keyset);
    expect(await text(vfs, keyPath('kubernetes-ca'))).toBe(GOLDEN);
    expect(written).toEqual({ version: (await vfs.stat(keyPath('kubernetes-ca'))).version });
  });

  it('takes primaryId, never primaryID, as the primary; without one, the highest trusted decimal id (kops FindPrimary)', async () => {
    await vfs.write(
      keyPath('other-ca'),
      keysetText(`  keys:\n${item('100')}${item('200')}  primaryID: "100"\n  type: Keypair\n`),
    );
    expect((await store.getKeyset(cluster, 'other-ca')).primaryId).toBe('200');
    await vfs.write(
      keyPath('other-ca'),
      keysetText(`  keys:\n${item('100')}${item('200')}  primaryId: "100"\n  type: Keypair\n`),
    );
    expect((await store.getKeyset(cluster, 'other-ca')).primaryId).toBe('100');
    // A distrusted key is never primary, even when primaryId names it; nor is a non-decimal id.
    await vfs.write(
      keyPath('other-ca'),
      keysetText(
        `  keys:\n${item('100')}${item('200', 'distrustTimestamp: "2024-05-06T07:08:09Z"\n    ')}${item('abc')}  primaryId: "200"\n  type: Keypair\n`,
      ),
    );
    const keyset = await store.getKeyset(cluster, 'other-ca');
    expect(keyset.primaryId).toBe('100');
    expect(keyset.keys.map((k) => [k.id, k.distrustTimestamp])).toEqual([
      ['100', undefined],
      ['200', '2024-05-06T07:08:09Z'],
      ['abc', undefined],
    ]);
  });

  it('keeps distrustTimestamp and unknown fields (top level, metadata, spec, item) on write-back; drops primaryID and creationTimestamp: null', async () => {
    const stored = `apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\nmetadata:\n  creationTimestamp: null\n  labels:\n    team: infra\n  name: other-ca\nspec:\n  future: 1\n  keys:\n${item('100', 'distrustTimestamp: "2024-05-06T07:08:09Z"\n    ')}${item('200', 'extra: kept\n    ')}  primaryID: "200"\n  primaryId: "200"\n  type: Keypair\nstatus:\n  note: kept\n`;
    await vfs.write(keyPath('other-ca'), stored);
    const keyset = await store.getKeyset(cluster, 'other-ca');
    await store.putKeyset(cluster, keyset, { overwrite: true });
    const written = await text(vfs, keyPath('other-ca'));
    expect(written).toBe(
      stored
        .replace('  creationTimestamp: null\n', '')
        .replace('  primaryID: "200"\n', '')
        .replace(/ {2}- extra: kept\n {4}id: "200"/, '  - extra: kept\n    id: "200"'),
    );
    expect(written).toContain('  - distrustTimestamp: "2024-05-06T07:08:09Z"\n    id: "100"\n');
  });

  it("writes items oldest id first and keys in kops's order, whatever order they are given in", async () => {
    await store.putKeyset(cluster, {
      name: 'other-ca',
      type: 'Keypair',
      primaryId: '1000',
      keys: [
        { id: '1000', privateKey: KEY, certificate: CERT },
        { certificate: CERT, id: '99', distrustTimestamp: '2024-05-06T09:08:09+02:00' },
      ],
    });
    const written = await text(vfs, keyPath('other-ca'));
    expect(written.indexOf('id: "99"')).toBeLessThan(written.indexOf('id: "1000"'));
    expect(written).toContain('  - distrustTimestamp: "2024-05-06T07:08:09Z"\n    id: "99"\n    publicMaterial: ');
    expect(written).toMatch(/\n {2}primaryId: "1000"\n {2}type: Keypair\n$/);
  });

  it('refuses non-decimal ids and non-PEM material, naming the field, and writes nothing', async () => {
    const base = {
      name: 'bad-ca',
      type: 'Keypair',
      primaryId: '1',
      keys: [{ id: '1', certificate: CERT, privateKey: KEY }],
    };
    const cases: Array<[unknown, RegExp]> = [
      [{ ...base, keys: [...base.keys, { id: '0x10', certificate: CERT }] }, /keys\[1\]\.id must be a decimal integer/],
      [{ ...base, keys: [...base.keys, { id: '1_000', certificate: CERT }] }, /keys\[1\]\.id/],
      [
        { ...base, keys: [{ id: '1', certificate: 'not a certificate', privateKey: KEY }] },
        /keys\[0\]\.certificate is not a PEM certificate/,
      ],
      [
        { ...base, keys: [{ id: '1', certificate: CERT, privateKey: CERT }] },
        /keys\[0\]\.privateKey is not a PEM private key/,
      ],
      [
        { ...base, keys: [{ id: '1', certificate: CERT.replace('MIIC2DCCAcCg', 'MIIC2DCCAcCX'), privateKey: KEY }] },
        /keys\[0\]\.certificate holds a CERTIFICATE block that is not a valid X\.509/,
      ],
      [
        { ...base, keys: [{ id: '1', certificate: CERT, privateKey: KEY, distrustTimestamp: 'yesterday' }] },
        /distrustTimestamp must be an RFC 3339 time/,
      ],
      [{ ...base, primaryId: '2' }, /primaryId must name one of its keys/],
      [{ ...base, keys: [{ id: '1', certificate: CERT }] }, /must have a certificate and a private key/],
      [
        { ...base, keys: [{ id: '1', certificate: CERT, privateKey: KEY, distrustTimestamp: '2024-01-01T00:00:00Z' }] },
        /must not be distrusted/,
      ],
    ];
    for (const [keyset, message] of cases) {
      const error = await failure(store.putKeyset(cluster, keyset as never));
      expect(error.code).toBe('InvalidArgument');
      expect(error.message).toMatch(message);
    }
    await expect(vfs.stat(keyPath('bad-ca'))).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('refuses a keyset too large to be read back (issue #14 item 2), writing nothing', async () => {
    const keys = Array.from({ length: 1200 }, (_, i) => ({ id: String(i + 1), certificate: CERT, privateKey: KEY }));
    const error = await failure(store.putKeyset(cluster, { name: 'huge-ca', type: 'Keypair', primaryId: '1', keys }));
    expect(error).toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/4194304/) });
    await expect(vfs.stat(keyPath('huge-ca'))).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('refuses a stored keyset kops could not load: material that is not base64 PEM, an id that is not a string', async () => {
    await vfs.write(
      keyPath('other-ca'),
      keysetText(`  keys:\n  - id: "1"\n    publicMaterial: bm90IGEgY2VydGlmaWNhdGU=\n  primaryId: "1"\n`),
    );
    expect(await failure(store.getKeyset(cluster, 'other-ca'))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/spec\.keys\[0\]\.publicMaterial is not a PEM certificate/),
    });
    await vfs.write(
      keyPath('other-ca'),
      keysetText(`  keys:\n  - id: "1"\n    privateMaterial: "%%%"\n  primaryId: "1"\n`),
    );
    // Private material follows the rule of every secret value (docs/reliability.md): undecodable is IntegrityError.
    expect(await failure(store.getKeyset(cluster, 'other-ca'))).toMatchObject({
      code: 'IntegrityError',
      message: expect.stringMatching(/spec\.keys\[0\]\.privateMaterial is not valid base64/),
    });
    await vfs.write(
      keyPath('other-ca'),
      keysetText(`  keys:\n  - id: "1"\n    privateMaterial: ${goldenMaterial('publicMaterial')}\n  primaryId: "1"\n`),
    );
    expect(await failure(store.getKeyset(cluster, 'other-ca'))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/spec\.keys\[0\]\.privateMaterial is not a PEM private key/),
    });
    await vfs.write(keyPath('other-ca'), keysetText(`  keys:\n  - id: 1\n  primaryId: "1"\n`));
    expect(await failure(store.getKeyset(cluster, 'other-ca'))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/spec\.keys\[0\]\.id must be a string/),
    });
  });

  it("in an encrypting store, refuses kops's plain private key with IntegrityError unless allowPlaintext; seals what it writes", async () => {
    const encrypting = await openStateStore(vfs, { encryption: randomBytes(32) });
    expect((await failure(encrypting.getKeyset(cluster, 'kubernetes-ca'))).code).toBe('IntegrityError');
    const migrating = await openStateStore(vfs, { encryption: randomBytes(32), allowPlaintext: true });
    const keyset = await migrating.getKeyset(cluster, 'kubernetes-ca');
    expect(keyset.keys[0]!.privateKey).toBe(KEY);
    await migrating.putKeyset(cluster, keyset, { overwrite: true });
    expect(await text(vfs, keyPath('kubernetes-ca'))).toMatch(/privateMaterial: ssenc1\./);
    expect((await migrating.getKeyset(cluster, 'kubernetes-ca')).keys[0]!.privateKey).toBe(KEY);
  });

  it('in an encrypting store, a sealed private key whose prefix was altered is IntegrityError, not garbage (#14.1)', async () => {
    const encrypting = await openStateStore(vfs, { encryption: randomBytes(32) });
    const keyset = await store.getKeyset(cluster, 'kubernetes-ca');
    await encrypting.putKeyset(cluster, { ...keyset, name: 'sealed-ca' });
    const sealed = await text(vfs, keyPath('sealed-ca'));
    await vfs.write(keyPath('sealed-ca'), sealed.replace('privateMaterial: ssenc1.', 'privateMaterial: ssenc2.'));
    expect((await failure(encrypting.getKeyset(cluster, 'sealed-ca'))).code).toBe('IntegrityError');
    expect((await failure(store.getKeyset(cluster, 'sealed-ca'))).code).toBe('IntegrityError'); // also without the key
  });

  it("reads kops's pre-1.22 name (ca for kubernetes-ca) when the new one is absent, and writes back under the new name", async () => {
    await vfs.delete(keyPath('kubernetes-ca'));
    await vfs.write(keyPath('ca'), GOLDEN.replace('name: kubernetes-ca', 'name: ca'));
    expect((await store.getKeyset(cluster, 'kubernetes-ca')).primaryId).toBe(GOLDEN_ID);
    expect((await failure(store.getKeyset(cluster, 'etcd-ca'))).code).toBe('NotFound');
    await store.trustKeypairs(cluster, 'kubernetes-ca', [GOLDEN_ID]); // nothing to change: nothing written
    await expect(vfs.stat(keyPath('kubernetes-ca'))).rejects.toMatchObject({ code: 'NotFound' });
    const added = await store.createKeypair(cluster, 'kubernetes-ca');
    const written = await store.getKeyset(cluster, 'kubernetes-ca');
    expect(written.keys.map((k) => k.id)).toEqual([added.id, GOLDEN_ID]);
    expect(await text(vfs, keyPath('kubernetes-ca'))).toContain('  name: kubernetes-ca\n');
    expect(await text(vfs, keyPath('ca'))).toBe(GOLDEN.replace('name: kubernetes-ca', 'name: ca'));
  });

  it('works on any key store location (spec.configStore.keypairs / spec.keyStore), relative to its pki folder', async () => {
    const location = { vfs, prefix: 'elsewhere/keys/' };
    await vfs.write('elsewhere/keys/private/kubernetes-ca/keyset.yaml', GOLDEN);
    const keyset = await readKeyset(location, 'kubernetes-ca', 'private');
    expect(keyset.primaryId).toBe(GOLDEN_ID);
    await putKeyset(location, { ...keyset, name: 'copy-ca' }, {});
    expect(await text(vfs, 'elsewhere/keys/private/copy-ca/keyset.yaml')).toBe(
      GOLDEN.replace('name: kubernetes-ca', 'name: copy-ca'),
    );
  });
});

describe('state-stores-extra keysets (scripts/make-extra-fixtures.sh)', () => {
  it.each(TREES.map((t) => [t.name, t]))("%s: private and issued keysets are in kops's format", (_name, t) => {
    for (const which of ['private', 'issued']) {
      const file = readFileSync(
        path.join(
          REPO_ROOT,
          'test/fixtures/state-stores-extra',
          t.name,
          t.base,
          t.cluster,
          `pki/${which}/kubernetes-ca/keyset.yaml`,
        ),
        'utf8',
      );
      expect(file).toMatch(/\n {2}primaryId: "\d+"\n {2}type: Keypair\n$/);
      expect(file).not.toMatch(/primaryID|creationTimestamp/);
    }
  });
});
