/**
 * `exportKubeconfig`: kops's own BuildKubecfg cases (pkg/kubeconfig/create_kubecfg_test.go:143-462,
 * translated), the admin certificate as kops issues it, a real mutual-TLS handshake with the
 * exported credentials, and the merge into kubeconfig files as kops (client-go) writes them.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, connect, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import type { Vfs } from '../../src/vfs/types.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import { buildKubeconfig, type ExportKubeconfigOptions } from '../../src/store/keys/kubeconfig.js';
import { mergeKubeconfig } from '../../src/store/keys/kubeconfig-merge.js';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { stringifyYaml } from '../../src/config/yaml/stringify.js';
import type { Keyset } from '../../src/store/keys/keysets.js';
import { memoryTarget } from '../backends/targets.js';
import { failure, text } from './golden-keyset.js';

// kops: pkg/kubeconfig/create_kubecfg_test.go:35-39 (certData, privatekeyData, nextCertificate).
const certData =
  '-----BEGIN CERTIFICATE-----\nMIIC2DCCAcCgAwIBAgIRALJXAkVj964tq67wMSI8oJQwDQYJKoZIhvcNAQELBQAw\nFTETMBEGA1UEAxMKa3ViZXJuZXRlczAeFw0xNzEyMjcyMzUyNDBaFw0yNzEyMjcy\nMzUyNDBaMBUxEzARBgNVBAMTCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEBAQUA\nA4IBDwAwggEKAoIBAQDgnCkSmtnmfxEgS3qNPaUCH5QOBGDH/inHbWCODLBCK9gd\nXEcBl7FVv8T2kFr1DYb0HVDtMI7tixRVFDLgkwNlW34xwWdZXB7GeoFgU1xWOQSY\nOACC8JgYTQ/139HBEvgq4sej67p+/s/SNcw34Kk7HIuFhlk1rRk5kMexKIlJBKP1\nYYUYetsJ/QpUOkqJ5HW4GoetE76YtHnORfYvnybviSMrh2wGGaN6r/s4ChOaIbZC\nAn8/YiPKGIDaZGpj6GXnmXARRX/TIdgSQkLwt0aTDBnPZ4XvtpI8aaL8DYJIqAzA\nNPH2b4/uNylat5jDo0b0G54agMi97+2AUrC9UUXpAgMBAAGjIzAhMA4GA1UdDwEB\n/wQEAwIBBjAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQBVGR2r\nhzXzRMU5wriPQAJScszNORvoBpXfZoZ09FIupudFxBVU3d4hV9StKnQgPSGA5XQO\nHE97+BxJDuA/rB5oBUsMBjc7y1cde/T6hmi3rLoEYBSnSudCOXJE4G9/0f8byAJe\nrN8+No1r2VgZvZh6p74TEkXv/l3HBPWM7IdUV0HO9JDhSgOVF1fyQKJxRuLJR8jt\nO6mPH2UX0vMwVa4jvwtkddqk2OAdYQvH9rbDjjbzaiW0KnmdueRo92KHAN7BsDZy\nVpXHpqo1Kzg7D3fpaXCf5si7lqqrdJVXH4JC72zxsPehqgi8eIuqOBkiDWmRxAxh\n8yGeRx9AbknHh4Ia\n-----END CERTIFICATE-----\n';
const privatekeyData =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA4JwpEprZ5n8RIEt6jT2lAh+UDgRgx/4px21gjgywQivYHVxH\nAZexVb/E9pBa9Q2G9B1Q7TCO7YsUVRQy4JMDZVt+McFnWVwexnqBYFNcVjkEmDgA\ngvCYGE0P9d/RwRL4KuLHo+u6fv7P0jXMN+CpOxyLhYZZNa0ZOZDHsSiJSQSj9WGF\nGHrbCf0KVDpKieR1uBqHrRO+mLR5zkX2L58m74kjK4dsBhmjeq/7OAoTmiG2QgJ/\nP2IjyhiA2mRqY+hl55lwEUV/0yHYEkJC8LdGkwwZz2eF77aSPGmi/A2CSKgMwDTx\n9m+P7jcpWreYw6NG9BueGoDIve/tgFKwvVFF6QIDAQABAoIBAA0ktjaTfyrAxsTI\nBezb7Zr5NBW55dvuII299cd6MJo+rI/TRYhvUv48kY8IFXp/hyUjzgeDLunxmIf9\n/Zgsoic9Ol44/g45mMduhcGYPzAAeCdcJ5OB9rR9VfDCXyjYLlN8H8iU0734tTqM\n0V13tQ9zdSqkGPZOIcq/kR/pylbOZaQMe97BTlsAnOMSMKDgnftY4122Lq3GYy+t\nvpr+bKVaQZwvkLoSU3rECCaKaghgwCyX7jft9aEkhdJv+KlwbsGY6WErvxOaLWHd\ncuMQjGapY1Fa/4UD00mvrA260NyKfzrp6+P46RrVMwEYRJMIQ8YBAk6N6Hh7dc0G\n8Z6i1m0CgYEA9HeCJR0TSwbIQ1bDXUrzpftHuidG5BnSBtax/ND9qIPhR/FBW5nj\n22nwLc48KkyirlfIULd0ae4qVXJn7wfYcuX/cJMLDmSVtlM5Dzmi/91xRiFgIzx1\nAsbBzaFjISP2HpSgL+e9FtSXaaqeZVrflitVhYKUpI/AKV31qGHf04sCgYEA6zTV\n99Sb49Wdlns5IgsfnXl6ToRttB18lfEKcVfjAM4frnkk06JpFAZeR+9GGKUXZHqs\nz2qcplw4d/moCC6p3rYPBMLXsrGNEUFZqBlgz72QA6BBq3X0Cg1Bc2ZbK5VIzwkg\nST2SSux6ccROfgULmN5ZiLOtdUKNEZpFF3i3qtsCgYADT/s7dYFlatobz3kmMnXK\nsfTu2MllHdRys0YGHu7Q8biDuQkhrJwhxPW0KS83g4JQym+0aEfzh36bWcl+u6R7\nKhKj+9oSf9pndgk345gJz35RbPJYh+EuAHNvzdgCAvK6x1jETWeKf6btj5pF1U1i\nQ4QNIw/QiwIXjWZeubTGsQKBgQCbduLu2rLnlyyAaJZM8DlHZyH2gAXbBZpxqU8T\nt9mtkJDUS/KRiEoYGFV9CqS0aXrayVMsDfXY6B/S/UuZjO5u7LtklDzqOf1aKG3Q\ndGXPKibknqqJYH+bnUNjuYYNerETV57lijMGHuSYCf8vwLn3oxBfERRX61M/DU8Z\nworz/QKBgQDCTJI2+jdXg26XuYUmM4XXfnocfzAXhXBULt1nENcogNf1fcptAVtu\nBAiz4/HipQKqoWVUYmxfgbbLRKKLK0s0lOWKbYdVjhEm/m2ZU8wtXTagNwkIGoyq\nY/C1Lox4f1ROJnCjc/hfcOjcxX5M8A8peecHWlVtUPKTJgxQ7oMKcw==\n-----END RSA PRIVATE KEY-----\n';
const nextCertificate =
  '-----BEGIN CERTIFICATE-----\nMIIBZzCCARGgAwIBAgIBBDANBgkqhkiG9w0BAQsFADAaMRgwFgYDVQQDEw9zZXJ2\naWNlLWFjY291bnQwHhcNMjEwNTAyMjAzMjE3WhcNMzEwNTAyMjAzMjE3WjAaMRgw\nFgYDVQQDEw9zZXJ2aWNlLWFjY291bnQwXDANBgkqhkiG9w0BAQEFAANLADBIAkEA\no4Tridlsf4Yz3UAiup/scSTiG/OqxkUW3Fz7zGKvVcLeYj9GEIKuzoB1VFk1nboD\nq4cCuGLfdzaQdCQKPIsDuwIDAQABo0IwQDAOBgNVHQ8BAf8EBAMCAQYwDwYDVR0T\nAQH/BAUwAwEB/zAdBgNVHQ4EFgQUhPbxEmUbwVOCa+fZgxreFhf67UEwDQYJKoZI\nhvcNAQELBQADQQALMsyK2Q7C/bk27eCvXyZKUfrLvor10hEjwGhv14zsKWDeTj/J\nA1LPYp7U9VtFfgFOkVbkLE9Rstc0ltNrPqxA\n-----END CERTIFICATE-----\n';

const HOUR = 3_600_000;
const ADMIN = 18 * HOUR; // kops: create_kubecfg.go:36 DefaultKubecfgAdminLifetime

/** kops: create_kubecfg_test.go:117-131 buildMinimalCluster (the parts BuildKubecfg reads). */
function minimalCluster(name: string, publicName: string, lbCert: boolean, nlb: boolean): unknown {
  const loadBalancer =
    lbCert || nlb
      ? { ...(lbCert ? { sslCertificate: 'cert-arn' } : {}), ...(nlb ? { class: 'Network' } : {}) }
      : undefined;
  return {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name },
    spec: {
      kubernetesVersion: '1.30.0',
      api: { ...(publicName ? { publicName } : {}), ...(loadBalancer ? { loadBalancer } : {}) },
    },
  };
}

describe('exportKubeconfig: kops create_kubecfg_test.go TestBuildKubecfg', () => {
  let vfs: Vfs;
  let store: StateStore;
  let keyset: Keyset;
  beforeAll(async () => {
    ({ vfs } = await memoryTarget.fresh());
    await vfs.write(
      'testcluster/config',
      stringifyYaml(minimalCluster('testcluster', 'testcluster.test.com', false, false)),
    );
    store = await openStateStore(vfs);
    // kops: create_kubecfg_test.go:134-141 fakeKeyset: the CA as primary, nextCertificate added without its key.
    await store.createKeypair('testcluster', 'kubernetes-ca', {
      certificate: certData,
      privateKey: privatekeyData,
      primary: true,
    });
    await store.createKeypair('testcluster', 'kubernetes-ca', { certificate: nextCertificate });
    keyset = await store.getKeyset('testcluster', 'kubernetes-ca');
  });
  afterAll(() => store.close());

  const fakeStatus = [{ hostname: 'elbHostName' }]; // kops: create_kubecfg_test.go:164-172
  const publicCluster = minimalCluster('testcluster', 'testcluster.test.com', false, false);
  const bundle = nextCertificate + certData;
  type Case = [string, unknown, ExportKubeconfigOptions, Record<string, unknown>, boolean];
  // [name, cluster, options, want (KubeconfigBuilder fields), wantClientCert]: create_kubecfg_test.go:181-427
  // (the auth plugin's case, :307-332, is its own test below).
  const cases: Case[] = [
    [
      'Public DNS with admin',
      publicCluster,
      { admin: ADMIN },
      { context: 'testcluster', server: 'https://testcluster.test.com', ca: bundle, user: 'testcluster' },
      true,
    ],
    [
      'Public DNS with admin and secondary NLB port',
      minimalCluster('testcluster', 'testcluster.test.com', true, true),
      { admin: ADMIN },
      { context: 'testcluster', server: 'https://elbHostName:8443', ca: bundle, user: 'testcluster' },
      true,
    ],
    [
      'Public DNS with admin and CLB ACM Certificate',
      minimalCluster('testcluster', 'testcluster.test.com', true, false),
      { admin: ADMIN },
      { context: 'testcluster', server: 'https://elbHostName', ca: undefined, user: 'testcluster' },
      true,
    ],
    [
      'Public DNS without admin and with ACM certificate',
      minimalCluster('testcluster', 'testcluster.test.com', true, true),
      {},
      { context: 'testcluster', server: 'https://testcluster.test.com', ca: bundle, user: 'testcluster' },
      false,
    ],
    [
      'Public DNS without admin',
      publicCluster,
      { user: 'myuser' },
      { context: 'testcluster', server: 'https://testcluster.test.com', ca: bundle, user: 'myuser' },
      false,
    ],
    [
      'Public DNS with Empty Master Name',
      minimalCluster('emptyMasterPublicNameCluster', '', false, false),
      {},
      {
        context: 'emptyMasterPublicNameCluster',
        server: 'https://api.emptyMasterPublicNameCluster',
        ca: bundle,
        user: 'emptyMasterPublicNameCluster',
      },
      false,
    ],
    [
      'k8s.local cluster',
      minimalCluster('testcluster.k8s.local', '', false, true),
      {},
      { context: 'testcluster.k8s.local', server: 'https://elbHostName', ca: bundle, user: 'testcluster.k8s.local' },
      false,
    ],
    [
      'internal DNS name with admin',
      publicCluster,
      { admin: ADMIN, internal: true },
      { context: 'testcluster', server: 'https://api.internal.testcluster', ca: bundle, user: 'testcluster' },
      true,
    ],
    [
      'Public cluster with admin and internal option', // kops repeats the case above under this name
      publicCluster,
      { admin: ADMIN, internal: true },
      { context: 'testcluster', server: 'https://api.internal.testcluster', ca: bundle, user: 'testcluster' },
      true,
    ],
    [
      'k8s.local cluster with admin and secondary NLB port',
      minimalCluster('testcluster.k8s.local', '', true, true),
      { admin: ADMIN },
      {
        context: 'testcluster.k8s.local',
        server: 'https://elbHostName:8443',
        ca: bundle,
        user: 'testcluster.k8s.local',
      },
      true,
    ],
    [
      'Public cluster without admin and with internal option',
      publicCluster,
      { internal: true },
      { context: 'testcluster', server: 'https://api.internal.testcluster', ca: bundle, user: 'testcluster' },
      false,
    ],
    [
      'APIEndpoint set',
      publicCluster,
      { admin: ADMIN, internal: true, apiServer: 'https://api.testcluster.example.com' },
      { context: 'testcluster', server: 'https://api.testcluster.example.com', ca: bundle, user: 'testcluster' },
      true,
    ],
  ];

  it.each(cases)('%s', async (_name, cluster, options, want, wantClientCert) => {
    const name = (cluster as { metadata: { name: string } }).metadata.name;
    const got = await buildKubeconfig(name, cluster, async () => keyset, {
      ...options,
      apiIngress: fakeStatus,
      keySize: 1024, // key size is checked below; a smaller key keeps these cases fast
      clientName: 'tester',
    });
    expect({
      context: got.context,
      server: got.server,
      tlsServerName: got.tlsServerName,
      ca: got.certificateAuthority,
      user: got.user,
    }).toEqual({ ...want, tlsServerName: `api.internal.${name}` });
    expect(got.clientCertificate !== undefined && got.clientKey !== undefined).toBe(wantClientCert);
    if (!wantClientCert) expect(got.clientCertificate ?? got.clientKey).toBeUndefined();
  });

  it('Public DNS with kops auth plugin (create_kubecfg_test.go:307-332)', async () => {
    const got = await buildKubeconfig('testcluster', publicCluster, async () => keyset, {
      authPlugin: true,
      storeUrl: 'memfs://example-state-store',
    });
    expect(got).toEqual({
      context: 'testcluster',
      server: 'https://testcluster.test.com',
      tlsServerName: 'api.internal.testcluster',
      certificateAuthority: bundle,
      user: 'testcluster',
      authenticationExec: [
        'kops',
        'helpers',
        'kubectl-auth',
        '--cluster=testcluster',
        '--state=memfs://example-state-store',
      ],
      warnings: [],
    });
    // Through the store, --state is the store's URL.
    const viaStore = await store.exportKubeconfig('testcluster', { authPlugin: true });
    expect(viaStore.authenticationExec).toEqual([
      'kops',
      'helpers',
      'kubectl-auth',
      '--cluster=testcluster',
      `--state=${store.url}`,
    ]);
  });

  it('issues the admin certificate as kops: CN kubecfg-<user>, O system:masters, RSA 2048, client auth, 48 h back-dated, signed by the primary CA', async () => {
    const before = Date.now();
    const got = await store.exportKubeconfig('testcluster', { admin: HOUR, clientName: 'Jane Doe' });
    const cert = new X509Certificate(got.clientCertificate!);
    expect(cert.subject).toBe('O=system:masters\nCN=kubecfg-Jane Doe');
    expect(cert.verify(new X509Certificate(certData).publicKey)).toBe(true);
    expect(cert.checkIssued(new X509Certificate(certData))).toBe(true);
    expect(cert.verify(new X509Certificate(nextCertificate).publicKey)).toBe(false);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // Node lists the extended key usages: clientAuth only
    expect(cert.publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048 });
    expect(got.clientKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    // Go's x509.CreateCertificate for kops's "client" type: key usage (critical), client auth,
    // basic constraints (critical, not a CA); no authority key id, as kops's test CA has no subject key id.
    const extensions = forge.pki.certificateFromPem(got.clientCertificate!).extensions as Array<
      Record<string, unknown>
    >;
    expect(extensions.map((e) => [e.name, e.critical])).toEqual([
      ['keyUsage', true],
      ['extKeyUsage', false],
      ['basicConstraints', true],
    ]);
    expect(extensions[0]).toMatchObject({ digitalSignature: true, keyEncipherment: false, keyCertSign: false });
    expect(extensions[2]).toMatchObject({ cA: false });
    const notBefore = Date.parse(cert.validFrom);
    const notAfter = Date.parse(cert.validTo);
    expect(notBefore).toBeGreaterThanOrEqual(Math.floor((before - 48 * HOUR) / 1000) * 1000);
    expect(notAfter - notBefore).toBeGreaterThanOrEqual(49 * HOUR - 2000);
    expect(notAfter - notBefore).toBeLessThanOrEqual(49 * HOUR + 2000);
    // The CA's private key appears nowhere in what is returned.
    const caKeyBody = privatekeyData.split('\n')[1]!;
    expect(JSON.stringify(got)).not.toContain(caKeyBody);
  });

  it('in an encrypting store the sealed CA key is opened to sign, and still appears nowhere in the result', async () => {
    const { vfs: sealed } = await memoryTarget.fresh();
    await sealed.write('testcluster/config', stringifyYaml(publicCluster));
    const encrypting = await openStateStore(sealed, { encryption: randomBytes(32) });
    await encrypting.createKeypair('testcluster', 'kubernetes-ca', {
      certificate: certData,
      privateKey: privatekeyData,
      primary: true,
    });
    expect(await text(sealed, 'testcluster/pki/private/kubernetes-ca/keyset.yaml')).not.toContain(
      Buffer.from(privatekeyData).toString('base64').slice(0, 40),
    );
    const got = await encrypting.exportKubeconfig('testcluster', { admin: HOUR, clientName: 'x' });
    expect(new X509Certificate(got.clientCertificate!).verify(new X509Certificate(certData).publicKey)).toBe(true);
    expect(JSON.stringify(got)).not.toContain(privatekeyData.split('\n')[1]!);
    await encrypting.close();
  });

  it("without clientName the CommonName is kubecfg-<the OS user's full name>, as Go's user.Current().Name gives it", async () => {
    // The passwd entry's GECOS field up to its first comma (Go's os/user), read here with getent.
    const entry = execFileSync('getent', ['passwd', String(process.getuid!())], { encoding: 'utf8' }).trim();
    const fullName = entry.split(':')[4]!.split(',')[0];
    const got = await store.exportKubeconfig('testcluster', { admin: HOUR, keySize: 1024 });
    expect(new X509Certificate(got.clientCertificate!).subject).toBe(`O=system:masters\nCN=kubecfg-${fullName}`);
  });

  it('refuses admin with user (kops: cannot use both --admin and --user) and an unknown cluster', async () => {
    expect(await failure(store.exportKubeconfig('testcluster', { admin: HOUR, user: 'x' }))).toMatchObject({
      code: 'InvalidArgument',
    });
    expect(await failure(store.exportKubeconfig('nosuch.example.com'))).toMatchObject({ code: 'NotFound' });
  });
});

/** A server certificate for `names` issued by the CA, for the handshake test (not something the store issues). */
function serverCertificate(caCert: string, caKey: string, dnsName: string): { cert: string; key: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const ca = forge.pki.certificateFromPem(caCert);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - HOUR);
  cert.validity.notAfter = new Date(Date.now() + HOUR);
  cert.setSubject([{ name: 'commonName', value: 'kubernetes-master' }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: dnsName }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(caKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

describe('exportKubeconfig: a real mutual-TLS handshake with the exported credentials', () => {
  it("an HTTPS server whose certificate the cluster's CA issued, requiring client certificates from it, accepts the admin kubeconfig", async () => {
    const { vfs } = await memoryTarget.fresh();
    await vfs.write('tls.example.com/config', stringifyYaml(minimalCluster('tls.example.com', '', false, false)));
    const store = await openStateStore(vfs);
    await store.createKeypair('tls.example.com', 'kubernetes-ca', { primary: true }); // a CA as kops creates one
    const ca = (await store.getKeyset('tls.example.com', 'kubernetes-ca')).keys[0]!;
    const exported = await store.exportKubeconfig('tls.example.com', { admin: HOUR, clientName: 'ops' });
    const file = mergeKubeconfig([{ path: '/k', text: undefined }], exported).get('/k')!;
    // A CA kops creates has a subject key id: the client certificate names it as its authority key id (Go's x509).
    const aki = forge.pki.certificateFromPem(exported.clientCertificate!).getExtension('authorityKeyIdentifier') as {
      value: string;
    };
    const ski = forge.pki.certificateFromPem(ca.certificate!).getExtension('subjectKeyIdentifier') as {
      subjectKeyIdentifier: string;
    };
    expect(forge.util.bytesToHex(aki.value)).toContain(ski.subjectKeyIdentifier);
    await store.close();
    // Everything the client uses comes from the kubeconfig text.
    const kube = parseYaml(file).value as {
      clusters: Array<{ cluster: Record<string, string> }>;
      users: Array<{ user: Record<string, string> }>;
    };
    const b64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');
    const cluster = kube.clusters[0]!.cluster;
    const user = kube.users[0]!.user;
    const server = serverCertificate(ca.certificate!, ca.privateKey!, cluster['tls-server-name']!);
    const tls = createServer({ ...server, ca: ca.certificate, requestCert: true, rejectUnauthorized: true }, (socket) =>
      socket.end(`hello ${(socket.getPeerCertificate().subject as { CN: string }).CN}`),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = tls.address() as AddressInfo;
      const reply = await new Promise<string>((resolve, reject) => {
        const socket: TLSSocket = connect({
          host: '127.0.0.1',
          port,
          servername: cluster['tls-server-name'],
          ca: b64(cluster['certificate-authority-data']!),
          cert: b64(user['client-certificate-data']!),
          key: b64(user['client-key-data']!),
        });
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(reply).toBe('hello kubecfg-ops');
      // Without the client certificate the server refuses the connection.
      const refused = await new Promise<string>((resolve) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          servername: cluster['tls-server-name'],
          ca: b64(cluster['certificate-authority-data']!),
        });
        socket.on('data', () => resolve('accepted'));
        socket.on('error', (err) => resolve(`refused: ${err.message}`));
        socket.on('end', () => resolve('closed without data'));
      });
      expect(refused).not.toBe('accepted');
    } finally {
      await new Promise((resolve) => tls.close(resolve));
    }
  });
});
