/**
 * Merging a cluster's kubeconfig into kubeconfig files as kops's WriteKubecfg does through
 * client-go's ModifyConfig (kops: pkg/kubeconfig/kubecfg_builder.go:82-211;
 * vendor/k8s.io/client-go/tools/clientcmd/config.go:112-134,165-293).
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { mergeKubeconfig, renderKubeconfig } from '../../src/store/keys/kubeconfig-merge.js';
import type { ClusterKubeconfig } from '../../src/store/keys/kubeconfig.js';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { failure } from './golden-keyset.js';
import { kubeconfigPaths } from '../../src/cli/kubeconfig.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const CA = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';
const base: ClusterKubeconfig = {
  context: 'prod.example.com',
  server: 'https://api.prod.example.com',
  tlsServerName: 'api.internal.prod.example.com',
  certificateAuthority: CA,
  user: 'prod.example.com',
  warnings: [],
};
const admin: ClusterKubeconfig = { ...base, clientCertificate: 'CERT', clientKey: 'KEY' };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side YAML walked by known paths
const parsed = (text: string | undefined): any => parseYaml(text!).value;

describe('mergeKubeconfig', () => {
  it('writes a new file as client-go does: sorted keys, lists by name, the context current', () => {
    const out = mergeKubeconfig([{ path: '/h/.kube/config', text: undefined }], admin);
    expect([...out.keys()]).toEqual(['/h/.kube/config']);
    expect(out.get('/h/.kube/config')).toBe(
      [
        'apiVersion: v1',
        'clusters:',
        '- cluster:',
        `    certificate-authority-data: ${b64(CA)}`,
        '    server: https://api.prod.example.com',
        '    tls-server-name: api.internal.prod.example.com',
        '  name: prod.example.com',
        'contexts:',
        '- context:',
        '    cluster: prod.example.com',
        '    user: prod.example.com',
        '  name: prod.example.com',
        'current-context: prod.example.com',
        'kind: Config',
        'users:',
        '- name: prod.example.com',
        '  user:',
        `    client-certificate-data: ${b64('CERT')}`,
        `    client-key-data: ${b64('KEY')}`,
        '',
      ].join('\n'),
    );
  });

  it('without admin credentials no user entry is written and the context names none (kops issue #11537)', () => {
    const text = mergeKubeconfig([{ path: '/k', text: undefined }], base).get('/k');
    expect(parsed(text).users).toBeNull();
    expect(parsed(text).contexts[0].context).toEqual({ cluster: 'prod.example.com', user: '' });
  });

  it('keeps other entries and fields, replaces server, CA and credentials, clears file-path credentials', () => {
    const existing = renderKubeconfig({
      clusters: [
        { name: 'other', cluster: { server: 'https://other' } },
        {
          name: 'prod.example.com',
          cluster: { server: 'https://old', 'proxy-url': 'http://proxy', 'certificate-authority-data': 'T0xE' },
        },
      ],
      users: [
        { name: 'prod.example.com', user: { 'client-certificate': '/old.crt', 'client-key': '/old.key', token: 't' } },
      ],
      contexts: [
        {
          name: 'prod.example.com',
          context: { cluster: 'prod.example.com', user: 'prod.example.com', namespace: 'ops' },
        },
      ],
      'current-context': 'other',
    });
    const merged = parsed(mergeKubeconfig([{ path: '/k', text: existing }], admin).get('/k'));
    expect(merged.clusters.map((c: { name: string }) => c.name)).toEqual(['other', 'prod.example.com']);
    expect(merged.clusters[1].cluster).toEqual({
      server: 'https://api.prod.example.com',
      'tls-server-name': 'api.internal.prod.example.com',
      'proxy-url': 'http://proxy',
      'certificate-authority-data': b64(CA),
    });
    expect(merged.users[0].user).toEqual({
      token: 't',
      'client-certificate-data': b64('CERT'),
      'client-key-data': b64('KEY'),
    });
    expect(merged.contexts[0].context).toEqual({
      cluster: 'prod.example.com',
      user: 'prod.example.com',
      namespace: 'ops',
    });
    expect(merged['current-context']).toBe('prod.example.com');
  });

  it("kops's auth plugin replaces client certificates and passwords with an exec entry (kubecfg_builder.go:118-146)", () => {
    const existing = renderKubeconfig({
      users: [{ name: 'prod.example.com', user: { 'client-certificate-data': 'QQ==', password: 'p', username: 'u' } }],
    });
    const exec = ['kops', 'helpers', 'kubectl-auth', '--cluster=prod.example.com', '--state=s3://b'];
    const text = mergeKubeconfig([{ path: '/k', text: existing }], { ...base, authenticationExec: exec }).get('/k')!;
    expect(parsed(text).users[0].user).toEqual({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        args: exec.slice(1),
        command: 'kops',
        env: null,
        provideClusterInfo: false,
      },
    });
    expect(text).toContain(
      '    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n      - helpers\n',
    );
  });

  it('--user names an existing user; one that is missing is refused (kops: could not find user)', async () => {
    const existing = renderKubeconfig({ users: [{ name: 'oidc', user: { token: 't' } }] });
    const merged = parsed(mergeKubeconfig([{ path: '/k', text: existing }], { ...base, user: 'oidc' }).get('/k'));
    expect(merged.contexts[0].context).toEqual({ cluster: 'prod.example.com', user: 'oidc' });
    expect(
      await failure(
        Promise.resolve().then(() => mergeKubeconfig([{ path: '/k', text: existing }], { ...base, user: 'nobody' })),
      ),
    ).toEqual({
      code: 'NotFound',
      message: 'could not find user "nobody" in the kubeconfig',
    });
  });

  it('$KUBECONFIG with several files: an entry goes back to the file it came from, new ones and current-context to the first existing file', () => {
    const second = renderKubeconfig({ clusters: [{ name: 'prod.example.com', cluster: { server: 'https://old' } }] });
    const third = renderKubeconfig({ 'current-context': 'x' });
    const out = mergeKubeconfig(
      [
        { path: '/missing', text: undefined },
        { path: '/second', text: second },
        { path: '/third', text: third },
      ],
      admin,
    );
    expect([...out.keys()].sort()).toEqual(['/second']);
    const written = parsed(out.get('/second'));
    expect(written.clusters[0].cluster.server).toBe('https://api.prod.example.com');
    expect(written.users[0].name).toBe('prod.example.com');
    expect(written['current-context']).toBe('prod.example.com');
    // None exists: the last one is the default file (client-go GetDefaultFilename).
    const none = mergeKubeconfig(
      [
        { path: '/a', text: undefined },
        { path: '/b', text: undefined },
      ],
      base,
    );
    expect([...none.keys()]).toEqual(['/b']);
  });

  it('refuses a kubeconfig that is not a YAML map', async () => {
    expect(
      await failure(Promise.resolve().then(() => mergeKubeconfig([{ path: '/k', text: '- a\n' }], base))),
    ).toMatchObject({
      code: 'InvalidArgument',
    });
  });
});

describe('kubeconfigPaths: the files kops reads and writes (client-go GetLoadingPrecedence)', () => {
  it('--kubeconfig alone, else $KUBECONFIG split and deduplicated, else ~/.kube/config', () => {
    expect(kubeconfigPaths('/x', { KUBECONFIG: '/a:/b' })).toEqual(['/x']);
    expect(kubeconfigPaths(undefined, { KUBECONFIG: '/a::/b:/a' })).toEqual(['/a', '/b']);
    expect(kubeconfigPaths(undefined, {})).toEqual([path.join(homedir(), '.kube', 'config')]);
  });
});
