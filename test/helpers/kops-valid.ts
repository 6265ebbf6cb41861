/**
 * The smallest Cluster spec kops's own validation accepts (src/config/validate/kops-validation/):
 * an AWS cluster with one subnet and the main and events etcd clusters. Tests about something
 * else (bytes, history, merges) start from it, since the store refuses what kops refuses.
 */
export function kopsValidSpec() {
  return {
    kubernetesVersion: '1.30.0',
    cloudProvider: 'aws',
    networkCIDR: '172.20.0.0/16',
    nonMasqueradeCIDR: '100.64.0.0/10',
    subnets: [{ name: 'a', zone: 'us-east-1a', cidr: '172.20.32.0/19', type: 'Public' }],
    etcdClusters: ['main', 'events'].map((name) => ({ name, etcdMembers: [{ name: 'a', instanceGroup: 'master-a' }] })),
  };
}

/** The control-plane group {@link kopsValidSpec}'s etcd members name. */
export function kopsValidGroups() {
  return [
    {
      apiVersion: 'kops.k8s.io/v1alpha2',
      kind: 'InstanceGroup',
      metadata: { name: 'master-a' },
      spec: { role: 'Master', subnets: ['a'], minSize: 1, maxSize: 1, machineType: 'm5.large' },
    },
  ];
}
