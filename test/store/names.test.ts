/**
 * Names as kops checks them. Each table row is a case of kops's own tests (cited) with kops's
 * verdict, or an edge of the rule kops applies (apimachinery's IsDNS1123Subdomain), plus the
 * folder-escape guarantee statestore keeps where kops is looser (keyset names).
 */
import {
  clusterNameIssues,
  isRotatableKeysetName,
  validateClusterName,
  validateClusterNameForConfig,
  validateInstanceGroupName,
  validateKeysetName,
  validateRotatableKeysetName,
} from '../../src/store/names.js';
import { openStateStore } from '../../src/store/open.js';
import { openVfs } from '../../src/backends/registry.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import type { CreateClusterOptions } from '../../src/create-cluster/options.js';
import { isStateStoreError } from '../../src/errors.js';
import { errorCodeSync } from '../helpers/index.js';

describe('instance group names: kops ValidateInstanceGroupName', () => {
  // kops: pkg/apis/kops/validation/instancegroup_test.go (TestValidateInstanceGroupName), every case.
  const cases: Array<[string, string, boolean]> = [
    ['empty', '', true],
    ['simple', 'nodes', false],
    ['with hyphen', 'nodes-us-east-1a', false],
    ['control plane', 'control-plane-us-east-1a', false],
    ['fqdn style', 'nodes.example.k8s.local', false],
    ['numeric', 'nodes1', false],
    ['parent traversal', '..', true],
    ['parent traversal with target', '../master-foo', true],
    ['embedded traversal', 'nodes/../master-foo', true],
    ['forward slash', 'nodes/foo', true],
    ['backslash', 'nodes\\foo', true],
    ['absolute path', '/etc/passwd', true],
    ['leading dot', '.nodes', true],
    ['trailing dot', 'nodes.', true],
    ['uppercase', 'Nodes', true],
    ['whitespace', 'nodes foo', true],
    ['null byte', 'nodes\x00', true],
  ];
  it.each(cases)('%s (%j): error=%s', (_, input, wantError) => {
    expect(errorCodeSync(() => validateInstanceGroupName(input))).toBe(wantError ? 'InvalidArgument' : 'ok');
  });

  it('follows IsDNS1123Subdomain: 253 characters in all, no 63-character limit per part', () => {
    const part = 'a'.repeat(64);
    expect(errorCodeSync(() => validateInstanceGroupName(`${part}.example`))).toBe('ok');
    expect(errorCodeSync(() => validateInstanceGroupName('a'.repeat(253)))).toBe('ok');
    expect(errorCodeSync(() => validateInstanceGroupName('a'.repeat(254)))).toBe('InvalidArgument');
    for (const bad of ['-nodes', 'nodes-', 'nodes_1', 'nodes..a', 'nodes\n', 'nödes'])
      expect(errorCodeSync(() => validateInstanceGroupName(bad))).toBe('InvalidArgument');
  });

  it('names the field and the value in its message', () => {
    expect(() => validateInstanceGroupName('Nodes')).toThrow(/instance group name "Nodes".*RFC 1123/);
    expect(() => validateInstanceGroupName(7)).toThrow(/instance group name \(number\)/);
  });
});

describe('cluster names: kops newValidateCluster and linodeValidateCluster', () => {
  it('takes a DNS-1123 subdomain when addressing a cluster, the rule of validation.go', () => {
    for (const good of ['minimal.example.com', 'a', 'mycluster', `${'b'.repeat(70)}.example.com`, 'a'.repeat(253)])
      expect(errorCodeSync(() => validateClusterName(good))).toBe('ok');
    for (const bad of [
      '',
      'Minimal.example.com',
      'a'.repeat(254),
      'x/../y',
      '..',
      'a.b.',
      '.a',
      'a_b.example.com',
      'a\0.com',
    ])
      expect(errorCodeSync(() => validateClusterName(bad))).toBe('InvalidArgument');
  });

  it('requires a fully-qualified name unless DNS is None or the cluster is imported', () => {
    expect(clusterNameIssues('mycluster', { spec: {} })).toEqual([
      expect.objectContaining({ path: '/metadata/name', message: expect.stringContaining('fully-qualified') }),
    ]);
    expect(clusterNameIssues('mycluster', { spec: { topology: { dns: { type: 'Public' } } } })).toHaveLength(1);
    expect(clusterNameIssues('mycluster', { spec: { topology: { dns: { type: 'None' } } } })).toEqual([]);
    expect(clusterNameIssues('mycluster', { spec: { networking: { topology: { dns: 'None' } } } })).toEqual([]);
    expect(
      clusterNameIssues('mycluster', {
        metadata: { annotations: { 'kops.kubernetes.io/management': 'imported' } },
        spec: {},
      }),
    ).toEqual([]);
    expect(clusterNameIssues('mycluster.example.com', { spec: {} })).toEqual([]);
  });

  // kops: pkg/apis/kops/validation/linode_test.go (TestLinodeValidateCluster).
  it('limits Linode cluster names to 32 characters, as kops tests', () => {
    expect(clusterNameIssues('linode.example.com', { spec: { cloudProvider: 'linode' } })).toEqual([]);
    const long = 'a'.repeat(33);
    const v1alpha2 = clusterNameIssues(long, {
      spec: { cloudProvider: 'linode', topology: { dns: { type: 'None' } } },
    });
    expect(v1alpha2).toEqual([
      { path: '/metadata/name', message: expect.stringContaining('no more than 32 characters') },
    ]);
    expect(
      clusterNameIssues(long, { spec: { cloudProvider: { linode: {} }, networking: { topology: { dns: 'None' } } } }),
    ).toHaveLength(1);
    expect(clusterNameIssues(long, { spec: { cloudProvider: 'aws', topology: { dns: { type: 'None' } } } })).toEqual(
      [],
    );
  });

  it('gives ValidationError with the issues from validateClusterNameForConfig', () => {
    let caught: unknown;
    try {
      validateClusterNameForConfig('mycluster', { spec: {} });
    } catch (err) {
      caught = err;
    }
    expect(isStateStoreError(caught, 'ValidationError')).toBe(true);
    expect((caught as { issues: unknown[] }).issues).toHaveLength(1);
    expect(errorCodeSync(() => validateClusterNameForConfig('My', { spec: {} }))).toBe('InvalidArgument');
  });

  it('refuses a dotless name in createCluster before anything is written, and takes it with DNS None', async () => {
    const vfs = await openVfs(`memfs://names-${process.pid}-${Date.now()}`);
    const store = await openStateStore(vfs);
    const { cluster, instanceGroups } = clusterFromOptions({
      clusterName: 'mycluster.example.com',
      cloud: 'aws',
      zones: ['us-test-1a'],
      kubernetesVersion: 'v1.32.0',
      networking: 'cilium',
    } as CreateClusterOptions);
    const dotless = {
      ...cluster,
      metadata: { ...cluster.metadata, name: 'mycluster' },
      spec: { ...cluster.spec, topology: { ...cluster.spec?.topology, dns: { type: 'Public' } } },
    } as typeof cluster;
    await expect(store.createCluster('mycluster', dotless, instanceGroups)).rejects.toMatchObject({
      code: 'ValidationError',
      message: expect.stringContaining('fully-qualified'),
    });
    expect((await vfs.list({})).objects).toEqual([]);
    const none = {
      ...dotless,
      spec: { ...dotless.spec, topology: { ...dotless.spec?.topology, dns: { type: 'None' } } },
    };
    await store.createCluster('mycluster', none as typeof cluster, instanceGroups);
    expect((await store.getCluster('mycluster')).value.metadata?.name).toBe('mycluster');
    await vfs.close();
  });
});

describe('keyset names: kops vfs_castore and create_keypair', () => {
  it("takes any one path segment, as kops's keystore does", () => {
    for (const good of [
      'kubernetes-ca',
      'service-account',
      'etcd-manager-ca-main',
      'kubelet',
      'Kubelet',
      'a.b',
      'kube_proxy',
      'system:x',
    ])
      expect(errorCodeSync(() => validateKeysetName(good))).toBe('ok');
  });

  it('keeps the name inside its folder where kops does not check', () => {
    for (const bad of ['', '.', '..', 'a/b', '../ca', 'a\\b', 'ca\0'])
      expect(errorCodeSync(() => validateKeysetName(bad))).toBe('InvalidArgument');
    // SECURITY.md: never as a path segment, though kops's keystore would take them.
    for (const reserved of ['__proto__', 'constructor', 'prototype'])
      expect(errorCodeSync(() => validateKeysetName(reserved))).toBe('InvalidArgument');
    expect(errorCodeSync(() => validateKeysetName(undefined))).toBe('InvalidArgument');
  });

  // kops: cmd/kops/create_keypair.go (rotatableKeysetFilter), used by create and promote keypair.
  it('lets keypairs be created and promoted only in rotatable keysets', () => {
    for (const name of [
      'kubernetes-ca',
      'etcd-clients-ca',
      'apiserver-aggregator-ca',
      'etcd-peers-ca-main',
      'service-account',
    ])
      expect(isRotatableKeysetName(name)).toBe(true);
    for (const name of ['kubelet', 'kube-proxy', 'kubecfg', 'ca', 'all'])
      expect(isRotatableKeysetName(name)).toBe(false);
    expect(() => validateRotatableKeysetName('kubelet')).toThrow(/adding keypair to "kubelet" is not supported/);
    expect(() => validateRotatableKeysetName('kubelet', 'promoting keypairs for')).toThrow(
      /promoting keypairs for "kubelet"/,
    );
    expect(errorCodeSync(() => validateRotatableKeysetName('../x-ca'))).toBe('InvalidArgument');
  });
});
