/**
 * `pkiReport` (expiry and rotation stage of every keyset) and `rotateKeypairs` (kops's rotation
 * procedure, docs/operations/rotate-secrets.md, one step at a time) on file and S3 (s3rver), with
 * every keyset file checked against the bytes kops writes at every step.
 */
import type { Vfs } from '../../src/vfs/types.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import { olderFirst, type Keyset } from '../../src/store/keys/keysets.js';
import { expiringWithin } from '../../src/store/keys/pki-report.js';
import { fileTarget, memoryTarget, s3Target, stopAll, type BackendTarget } from '../backends/targets.js';
import { cluster, failure, GOLDEN, GOLDEN_ID, keyPath, text, tree } from './golden-keyset.js';
import { loadTree } from './trees.js';
import { caWithValidity } from './pki-fixtures.js';

afterAll(stopAll);

const DAY = 86_400_000;

/**
 * The bytes kops writes for a keyset (pkg/apis/kops/v1alpha2 Keyset through go-yaml, as the golden
 * file upup/pkg/fi/vfs_castore_test.go shows): items oldest id first, materials base64 of the PEM.
 */
function kopsKeysetText(keyset: Keyset): string {
  const b64 = (pem: string | undefined) => (pem === undefined ? '' : Buffer.from(pem).toString('base64'));
  const items = [...keyset.keys]
    .sort((a, b) => olderFirst(a.id, b.id))
    .map(
      (item) =>
        `  - ${item.distrustTimestamp ? `distrustTimestamp: "${item.distrustTimestamp}"\n    ` : ''}id: "${item.id}"\n` +
        (item.privateKey ? `    privateMaterial: ${b64(item.privateKey)}\n` : '') +
        `    publicMaterial: ${b64(item.certificate)}\n`,
    )
    .join('');
  return (
    `apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\nmetadata:\n  name: ${keyset.name}\nspec:\n  keys:\n${items}` +
    `  primaryId: "${keyset.primaryId}"\n  type: Keypair\n`
  );
}

describe('pkiReport: expiry of every keyset', () => {
  it('an expired, an expiring and a healthy keyset: the right rows; --within counts what expires in the window', async () => {
    const { vfs } = await memoryTarget.fresh();
    await loadTree(vfs, tree);
    await vfs.write(keyPath('kubernetes-ca'), GOLDEN);
    const store = await openStateStore(vfs);
    const now = Date.now();
    const add = (name: string, from: number, to: number) =>
      store.createKeypair(cluster, name, { ...caWithValidity(name, from, to), primary: true });
    const expired = await add('etcd-manager-ca-main', now - 400 * DAY, now - 5 * DAY);
    const expiring = await add('service-account', now - 300 * DAY, now + 10 * DAY + 3_600_000);
    const report = await store.pkiReport(cluster, { now: new Date(now) });
    expect(report.keysets.map((k) => k.name)).toEqual(['etcd-manager-ca-main', 'kubernetes-ca', 'service-account']);
    const [etcd, kube, sa] = report.keysets;
    expect(etcd).toMatchObject({ stage: 'idle', primaryId: expired.id, pendingIds: [], distrustedIds: [] });
    expect(etcd!.keys).toEqual([
      expect.objectContaining({
        id: expired.id,
        trusted: true,
        primary: true,
        hasPrivateKey: true,
        daysLeft: -5,
        expired: true,
      }),
    ]);
    expect(sa!.keys[0]).toMatchObject({ id: expiring.id, daysLeft: 10, expired: false, subject: 'CN=service-account' });
    // kops's test CA (upup/pkg/fi/vfs_castore_test.go) was issued 2017-12-27 for ten years.
    expect(kube!.keys[0]).toMatchObject({
      id: GOLDEN_ID,
      primary: true,
      notBefore: '2017-12-27T23:52:40.000Z',
      notAfter: '2027-12-27T23:52:40.000Z',
      expired: false,
    });
    expect(kube!.keys[0]!.daysLeft).toBe(Math.trunc((Date.parse('2027-12-27T23:52:40Z') - now) / DAY));
    expect(expiringWithin(report, 30 * DAY).map((e) => e.keyset)).toEqual(['etcd-manager-ca-main', 'service-account']);
    expect(expiringWithin(report, 1 * DAY).map((e) => e.keyset)).toEqual(['etcd-manager-ca-main']);
    await store.close();
  });
});

describe.each([fileTarget, s3Target] as BackendTarget[])('rotateKeypairs on $name', (target) => {
  let vfs: Vfs;
  let store: StateStore;
  beforeAll(async () => {
    ({ vfs } = await target.fresh());
    await loadTree(vfs, tree);
    await vfs.write(keyPath('kubernetes-ca'), GOLDEN);
    store = await openStateStore(vfs);
    await store.createKeypair(cluster, 'service-account', { primary: true });
  });
  afterAll(() => store.close());

  const stages = async () => Object.fromEntries((await store.pkiReport(cluster)).keysets.map((k) => [k.name, k.stage]));
  /** Every keyset file holds exactly the bytes kops would write for what it contains. */
  const expectKopsBytes = async () => {
    for (const name of ['kubernetes-ca', 'service-account'])
      expect(await text(vfs, keyPath(name))).toBe(kopsKeysetText(await store.getKeyset(cluster, name)));
  };

  it('create -> promote -> distrust in order, refusing each step out of order with the next one named', async () => {
    await expectKopsBytes();
    expect(await stages()).toEqual({ 'kubernetes-ca': 'idle', 'service-account': 'idle' });
    const before = await text(vfs, keyPath('kubernetes-ca'));
    for (const step of ['promote', 'distrust'] as const)
      expect(await failure(store.rotateKeypairs(cluster, step))).toEqual({
        code: 'PreconditionFailed',
        message:
          `keyset "kubernetes-ca": cannot ${step}: no rotation is in progress (one trusted keypair); the next step is create\n` +
          `keyset "service-account": cannot ${step}: no rotation is in progress (one trusted keypair); the next step is create`,
      });
    expect(await text(vfs, keyPath('kubernetes-ca'))).toBe(before); // a refusal writes nothing

    const created = await store.rotateKeypairs(cluster, 'create');
    expect(created.map((r) => [r.keyset, r.stage])).toEqual([
      ['kubernetes-ca', 'created'],
      ['service-account', 'created'],
    ]);
    await expectKopsBytes();
    // The golden key is still primary: the new one is staged (kops: create keypair without --primary).
    expect((await store.getKeyset(cluster, 'kubernetes-ca')).primaryId).toBe(GOLDEN_ID);
    expect(await failure(store.rotateKeypairs(cluster, 'distrust', { keyset: 'kubernetes-ca' }))).toMatchObject({
      message:
        'keyset "kubernetes-ca": cannot distrust: a new keypair is staged but not yet primary; the next step is promote',
    });
    expect(await failure(store.rotateKeypairs(cluster, 'create', { keyset: 'kubernetes-ca' }))).toMatchObject({
      message:
        'keyset "kubernetes-ca": cannot create: a new keypair is staged but not yet primary; the next step is promote',
    });

    // kops's golden CA has a random 128-bit serial, above every id kops makes now: the staged key is
    // found by when it was issued, and promoted by its id.
    const promoted = await store.rotateKeypairs(cluster, 'promote', { keyset: 'kubernetes-ca' });
    expect(promoted).toEqual([
      expect.objectContaining({ keyset: 'kubernetes-ca', ids: [created[0]!.ids[0]], stage: 'promoted' }),
    ]);
    expect((await store.getKeyset(cluster, 'kubernetes-ca')).primaryId).toBe(created[0]!.ids[0]);
    await expectKopsBytes();
    expect(await stages()).toEqual({ 'kubernetes-ca': 'promoted', 'service-account': 'created' });
    // `all` needs every keyset at the same stage: refused, nothing written.
    expect(await failure(store.rotateKeypairs(cluster, 'distrust'))).toMatchObject({
      message:
        'keyset "service-account": cannot distrust: a new keypair is staged but not yet primary; the next step is promote',
    });
    await store.rotateKeypairs(cluster, 'promote', { keyset: 'service-account' });

    const distrusted = await store.rotateKeypairs(cluster, 'distrust');
    expect(distrusted.find((r) => r.keyset === 'kubernetes-ca')!.ids).toEqual([GOLDEN_ID]);
    await expectKopsBytes();
    expect(await stages()).toEqual({ 'kubernetes-ca': 'idle', 'service-account': 'idle' });
    const report = await store.pkiReport(cluster);
    expect(report.keysets[0]).toMatchObject({ name: 'kubernetes-ca', distrustedIds: [GOLDEN_ID] });
    expect(await failure(store.rotateKeypairs(cluster, 'distrust'))).toMatchObject({ code: 'PreconditionFailed' });
  });

  it('refuses a keyset kops does not rotate', async () => {
    expect(await failure(store.rotateKeypairs(cluster, 'create', { keyset: 'kubelet' }))).toMatchObject({
      code: 'InvalidArgument',
    });
  });
});
