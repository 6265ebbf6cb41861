/**
 * `statestore kubeconfig`, `pki status` and `pki rotate` through the built bin, on file:// stores
 * made from kops's trees.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openStateStore } from '../../src/store/open.js';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { caWithValidity } from '../store/pki-fixtures.js';
import { GOLDEN } from '../store/golden-keyset.js';
import { COMPLEX, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

const cluster = COMPLEX.cluster;
const DAY = 86_400_000;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side YAML and JSON walked by known paths
type Loose = any;

describe('statestore kubeconfig / pki (built bin)', () => {
  beforeAll(requireBuiltCli);

  it('kubeconfig --admin 1h merges into --kubeconfig FILE (0600), keeping its other entries; the certificate verifies against the CA', async () => {
    const store = makeStore([COMPLEX]);
    const file = path.join(tempDir(), 'config');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster:\n    server: https://other\ncurrent-context: other\n',
    );
    const result = await run(
      ['kubeconfig', cluster, '--admin', '1h', '--kubeconfig', file, '--lb-address', 'lb.example.com', '--json'],
      {
        state: store.url,
      },
    );
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 0,
      stderr: `kubectl context set to ${cluster} (${file})\nadmin certificate valid until ${JSON.parse(result.stdout).adminCertificateExpires}\n`,
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const kube: Loose = parseYaml(readFileSync(file, 'utf8')).value;
    expect(kube.clusters.map((c: Loose) => c.name)).toEqual([cluster, 'other']);
    // complex's API load balancer is an NLB with its own certificate: kops's secondary port 8443 for admin.
    expect(kube.clusters[0].cluster.server).toBe('https://lb.example.com:8443');
    expect(kube['current-context']).toBe(cluster);
    const cert = new X509Certificate(Buffer.from(kube.users[0].user['client-certificate-data'], 'base64'));
    const opened = await openStateStore(store.url);
    const ca = (await opened.getKeyset(cluster, 'kubernetes-ca')).keys[0]!;
    await opened.close();
    expect(cert.verify(new X509Certificate(ca.certificate!).publicKey)).toBe(true);
    expect(Date.parse(cert.validTo) - Date.now()).toBeGreaterThan(3_500_000);
    expect(Date.parse(cert.validTo) - Date.now()).toBeLessThanOrEqual(3_600_000);
    // The CA's private key is printed nowhere.
    const caKeyLine = ca.privateKey!.split('\n')[1]!;
    expect(result.stdout + result.stderr + readFileSync(file, 'utf8')).not.toContain(caKeyLine);
    expect(readFileSync(file, 'utf8')).not.toContain(Buffer.from(ca.privateKey!).toString('base64').slice(0, 40));
  });

  it('kubeconfig writes where $KUBECONFIG says; --admin with --user is a usage error', async () => {
    const store = makeStore([COMPLEX]);
    const dir = tempDir();
    const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')];
    writeFileSync(b, 'apiVersion: v1\nkind: Config\n');
    const ok = await run(['kubeconfig', cluster], {
      state: store.url,
      env: { KUBECONFIG: `${a}${path.delimiter}${b}` },
    });
    expect(ok.code).toBe(0);
    // Without --admin, an API load balancer with its own certificate is reached by its DNS name (no cloud lookup, no warning).
    expect(ok.stderr).toBe(`kubectl context set to ${cluster} (${b})\n`);
    const written: Loose = parseYaml(readFileSync(b, 'utf8')).value;
    expect(written.contexts[0]).toEqual({ name: cluster, context: { cluster, user: '' } });
    expect(written.clusters[0].cluster.server).toBe(`https://api.${cluster}`);
    const both = await run(['kubeconfig', cluster, '--admin', '--user', 'x', '--kubeconfig', a], { state: store.url });
    expect({ code: both.code, stderr: both.stderr }).toEqual({
      code: 2,
      stderr: 'error: cannot use both --admin and --user\n',
    });
  });

  it('pki status: rows for every keyset; --within exits 1 when something expires in the window, 0 when nothing does', async () => {
    const store = makeStore([COMPLEX]);
    const healthy = await run(['pki', 'status', cluster, '--within', '30d'], { state: store.url });
    expect(healthy.code).toBe(0);
    expect(healthy.stdout.split('\n')[0]).toMatch(
      /^KEYSET\s+ID\s+TRUST\s+PRIMARY\s+NOT BEFORE\s+NOT AFTER\s+DAYS LEFT\s+STAGE$/,
    );
    const opened = await openStateStore(store.url);
    const now = Date.now();
    await opened.createKeypair(cluster, 'etcd-manager-ca-main', {
      ...caWithValidity('etcd-manager-ca-main', now - 400 * DAY, now - 5 * DAY),
      primary: true,
    });
    await opened.createKeypair(cluster, 'service-account', {
      ...caWithValidity('service-account', now - 300 * DAY, now + 10 * DAY + 3_600_000),
      primary: true,
    });
    await opened.close();
    // A keyset folder whose name carries a terminal escape: shown escaped, never raw.
    const evil = path.join(store.dir, cluster, 'pki', 'private', 'evil\u001b[2J-ca');
    mkdirSync(evil);
    writeFileSync(path.join(evil, 'keyset.yaml'), GOLDEN);
    const table = await run(['pki', 'status', cluster], { state: store.url });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('evil\\u001b[2J-ca');
    expect(table.stdout + table.stderr).not.toContain('\u001b');
    expect(table.stdout).toMatch(/\netcd-manager-ca-main\t+10\t+trusted\tyes\t.*\texpired \(-5\)\tidle\n/);
    expect(table.stdout).toMatch(/\nservice-account\t+10\t+trusted\tyes\t.*\t10\t+idle\n/);
    const within = await run(['pki', 'status', cluster, '--within', '30d', '--json'], { state: store.url });
    expect(within.code).toBe(1);
    const report: Loose = JSON.parse(within.stdout);
    expect(report.expiring.map((e: Loose) => e.keyset)).toEqual(['etcd-manager-ca-main', 'service-account']);
    expect(within.stdout).not.toContain('\u001b'); // JSON escapes it too
    expect(within.stderr).toContain('warning: keyset "service-account" keypair 10 expires ');
    const usage = await run(['pki', 'status', cluster, '--within', 'soon'], { state: store.url });
    expect(usage.code).toBe(2);
  });

  it('pki rotate: steps in order under a lease, out of order refused (exit 5) with the next step, what to do in the cluster printed', async () => {
    const store = makeStore([COMPLEX]);
    let env: NodeJS.ProcessEnv = {};
    const step = (name: string, extra: string[] = []) =>
      run(['pki', 'rotate', cluster, '--step', name, '--keyset', 'kubernetes-ca', ...extra], { state: store.url, env });
    const early = await step('distrust');
    expect({ code: early.code, stderr: early.stderr }).toEqual({
      code: 5,
      stderr:
        'error: keyset "kubernetes-ca": cannot distrust: no rotation is in progress (one trusted keypair); the next step is create\n',
    });
    // Someone else's lease stops the write (exit 5, its holder named); the keyset stays as it was.
    const keysetFile = path.join(store.dir, cluster, 'pki', 'private', 'kubernetes-ca', 'keyset.yaml');
    const before = readFileSync(keysetFile, 'utf8');
    const taken = await run(['lease', 'acquire', 'cluster', cluster, '--json', '--owner', 'ci-42', '--ttl', '5m'], {
      state: store.url,
    });
    const leaseId = (JSON.parse(taken.stdout) as { id: string }).id;
    const leased = await step('create');
    expect(leased.code).toBe(5);
    expect(leased.stderr).toContain('"ci-42"');
    expect(readFileSync(keysetFile, 'utf8')).toBe(before);
    const created = await step('create', ['--json', '--lease-id', leaseId]);
    env = { STATESTORE_LEASE_ID: leaseId }; // the holder's later steps, as a pipeline passes it on
    expect(created.code).toBe(0);
    const [result]: Loose[] = JSON.parse(created.stdout);
    expect(result).toMatchObject({ keyset: 'kubernetes-ca', step: 'create', stage: 'created' });
    expect(created.stderr).toContain('  kops update cluster --yes\n  kops rolling-update cluster --yes\n');
    expect(created.stderr).toContain(`Then: statestore pki rotate ${cluster} --step promote`);
    expect(created.stderr).toContain('export a new kubeconfig with the new CA certificate included');
    expect((await step('distrust')).stderr).toContain('the next step is promote');
    expect((await step('promote')).code).toBe(0);
    const distrusted = await step('distrust', ['--json']);
    expect(distrusted.code).toBe(0);
    expect(JSON.parse(distrusted.stdout)[0]).toMatchObject({ step: 'distrust', stage: 'idle' });
    expect(distrusted.stderr).toContain('previous CA certificate removed from the `certificate-authority-data`');
    const status: Loose = JSON.parse((await run(['pki', 'status', cluster, '--json'], { state: store.url })).stdout);
    expect(status.keysets[0]).toMatchObject({
      stage: 'idle',
      primaryId: result.ids[0],
      distrustedIds: [expect.any(String)],
    });
  });
});
