import { StateStoreError } from '../errors.js';
import type { CreateClusterOptions } from './options.js';

type Obj = Record<string, unknown>;

/** What a `--networking` name turns into (kops: `setupNetworking`, upup/pkg/fi/cloudup/new_cluster.go). */
export interface NetworkingChoice {
  /** The `spec.networking` block. */
  networking: Obj;
  /** True when the CNI replaces kube-proxy, which kops then turns off. */
  replacesKubeProxy: boolean;
  /** An extra etcd cluster the CNI needs (`cilium-etcd` keeps its state in one called "cilium"). */
  extraEtcdCluster?: string;
}

/** The networking kops sets up for a `--networking` name (`''` is kops's default, Cilium). */
export function networkingChoice(name: string): NetworkingChoice {
  const plain = (networking: Obj): NetworkingChoice => ({ networking, replacesKubeProxy: false });
  const cilium = (extra: Obj = {}): NetworkingChoice => ({
    networking: { cilium: { enableNodePort: true, ...extra } },
    replacesKubeProxy: true,
  });
  switch (name) {
    case 'kubenet':
      return plain({ kubenet: {} });
    case 'external':
      return plain({ external: {} });
    case 'cni':
      return plain({ cni: {} });
    case 'kopeio-vxlan':
    case 'kopeio':
      return plain({ kopeio: {} });
    case 'flannel':
    case 'flannel-vxlan':
      return plain({ flannel: { backend: 'vxlan' } });
    case 'flannel-udp':
      return plain({ flannel: { backend: 'udp' } });
    case 'calico':
      return plain({ calico: {} });
    case 'kube-router':
      return { networking: { kuberouter: {} }, replacesKubeProxy: true };
    case 'amazonvpc':
    case 'amazon-vpc-routed-eni':
      return plain({ amazonvpc: {} });
    case 'cilium':
    case '':
      return cilium();
    case 'cilium-etcd':
      return { ...cilium({ etcdManaged: true }), extraEtcdCluster: 'cilium' };
    case 'cilium-eni':
      return cilium({ ipam: 'eni' });
    // kops's GCP networking is written as `gce` in v1alpha2.
    case 'gcp':
    case 'gce':
      return plain({ gce: {} });
    case 'kindnet':
      return plain({ kindnet: {} });
    default:
      throw new StateStoreError('InvalidArgument', `networking: unknown networking mode ${JSON.stringify(name)}`);
  }
}

/** The `spec.networking` block kops writes for a `--networking` name. */
export function networkingSpec(name: string): Obj {
  return networkingChoice(name).networking;
}

/**
 * `--dns`: kops defaults to Public when a DNS zone is given and None otherwise
 * (kops: `setupDNSTopology`, upup/pkg/fi/cloudup/new_cluster.go).
 */
export function dnsType(value: string | undefined, dnsZone: string | undefined): string {
  switch ((value ?? '').toLowerCase()) {
    case '':
      return dnsZone ? 'Public' : 'None';
    case 'public':
      return 'Public';
    case 'private':
      return 'Private';
    case 'none':
      return 'None';
    default:
      throw new StateStoreError('InvalidArgument', `dnsType: unknown DNS type ${JSON.stringify(value)}`);
  }
}

/**
 * Parses one `--kubernetes-feature-gates` entry: `Name` and `+Name` enable, `-Name` disables
 * (kops: `parseKubernetesFeatureGate`, upup/pkg/fi/cloudup/new_cluster.go).
 */
export function parseFeatureGate(entry: string): [string, boolean] {
  let name = entry.trim();
  if (name === '')
    throw new StateStoreError('InvalidArgument', 'kubernetesFeatureGates: a feature gate must not be empty');
  let enabled = true;
  if (name.startsWith('+') || name.startsWith('-')) {
    enabled = name.startsWith('+');
    name = name.slice(1).trim();
  }
  if (name === '')
    throw new StateStoreError(
      'InvalidArgument',
      `kubernetesFeatureGates: ${JSON.stringify(entry)} has no feature name`,
    );
  return [name, enabled];
}

/**
 * The component blocks kops writes for `--kubernetes-feature-gates`: every gate, as "true" or
 * "false", on the API server, controller manager, kube-proxy, scheduler and kubelet.
 */
export function featureGateSpecs(gates: readonly string[] | undefined): Obj {
  if (!gates?.length) return {};
  const featureGates: Record<string, string> = {};
  for (const entry of gates) {
    const [name, enabled] = parseFeatureGate(entry);
    featureGates[name] = String(enabled);
  }
  const block = (): Obj => ({ featureGates: { ...featureGates } });
  return {
    kubeAPIServer: block(),
    kubeControllerManager: block(),
    kubeProxy: block(),
    kubeScheduler: block(),
    kubeletFeatureGates: { ...featureGates },
  };
}

function capitalised(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1).toLowerCase();
}

/**
 * `spec.api` (kops: `setupAPI`, upup/pkg/fi/cloudup/new_cluster.go): a load balancer when one is
 * asked for, in private topology, or when there is no DNS; otherwise the API is reached by DNS.
 * AWS load balancers default to the network class.
 */
export function apiSpec(options: CreateClusterOptions, topology: string, dns: string, cloud: string): Obj {
  // Empty strings count as unset, as in kops's options struct.
  const wantsLB =
    Boolean(options.apiLoadBalancerType) ||
    Boolean(options.apiSSLCertificate) ||
    topology === 'private' ||
    dns === 'None';
  if (!wantsLB) return { dns: {} };
  const type = options.apiLoadBalancerType || 'public';
  if (type !== 'public' && type !== 'internal') {
    throw new StateStoreError(
      'InvalidArgument',
      `apiLoadBalancerType: unknown API load balancer type ${JSON.stringify(type)} (public or internal)`,
    );
  }
  const lb: Obj = { type: capitalised(type) };
  if (options.apiSSLCertificate) lb.sslCertificate = options.apiSSLCertificate;
  if (options.apiLoadBalancerClass) lb.class = capitalised(options.apiLoadBalancerClass);
  else if (cloud === 'aws') lb.class = 'Network';
  return { loadBalancer: lb };
}

/** `--authorization`: RBAC unless AlwaysAllow (case-insensitive, as kops compares). */
export function authorizationSpec(value: string | undefined): Obj {
  const mode = (value ?? '').toLowerCase();
  if (mode === 'alwaysallow') return { alwaysAllow: {} };
  if (mode === '' || mode === 'rbac') return { rbac: {} };
  throw new StateStoreError(
    'InvalidArgument',
    `authorization: unknown authorization mode ${JSON.stringify(value)} (RBAC or AlwaysAllow)`,
  );
}

/** kops's `GuessCloudForPath` (pkg/clouds/supported.go): the cloud a state store's scheme implies. */
export function guessCloudForPath(path: string | undefined): string | undefined {
  const schemes: [string, string][] = [
    ['azureblob://', 'azure'],
    ['do://', 'digitalocean'],
    ['hos://', 'hetzner'],
    ['gs://', 'gce'],
    ['linode://', 'linode'],
    ['scw://', 'scaleway'],
    ['swift://', 'openstack'],
    ['s3://', 'aws'],
  ];
  // kops also reads HCLOUD_TOKEN / LINODE_TOKEN for s3:// stores; a pure function cannot, so s3 means AWS.
  return schemes.find(([prefix]) => path?.startsWith(prefix))?.[1];
}
