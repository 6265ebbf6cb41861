// kops pkg/apis/kops/validation/helpers.go (@268927e), and the methods of kops's internal Cluster
// type the rules call (pkg/apis/kops/cluster.go, networking.go, componentconfig.go,
// pkg/model/components/context.go), over the internal view of spec.ts.
// Error constructors: 1 of helpers.go's 1 (IsValidValue's NotSupported).
import { notSupported, type ErrorList } from '../field/errors.js';
import type { FieldPath } from '../field/path.js';
import { isIPv6CIDR } from './go-net.js';
import { parseGoUrl } from './go-values.js';
import type { View } from './spec.js';

// kops helpers.go:25 isValidAPIServersURL
export function isValidAPIServersURL(s: string): boolean {
  const u = parseGoUrl(s);
  return !('error' in u) && u.host !== '' && u.scheme !== '';
}

// kops helpers.go:37 IsValidValue (an absent value, Go's nil pointer, is valid). `rule`: the line
// calling it, which the error cites (IsValidValue makes it at helpers.go:53).
export function isValidValue(
  fldPath: FieldPath,
  v: string | undefined,
  validValues: readonly string[],
  rule: string,
): ErrorList {
  if (v === undefined || validValues.includes(v)) return [];
  return [notSupported(fldPath, v, validValues, rule)];
}

/** kops cluster.go `GetCloudProvider`: the label for metal, else the first cloud set. */
export function getCloudProvider(c: View): string {
  if (c.get('metadata', 'labels', 'alpha.kops.k8s.io/cloud').str() === 'metal') return 'metal';
  const provider = c.get('spec', 'cloudProvider');
  const order: [string, string][] = [
    ['aws', 'aws'],
    ['azure', 'azure'],
    ['do', 'digitalocean'],
    ['gce', 'gce'],
    ['hetzner', 'hetzner'],
    ['openstack', 'openstack'],
    ['scaleway', 'scaleway'],
    ['linode', 'linode'],
  ];
  return order.find(([key]) => provider.get(key).present)?.[1] ?? '';
}

const dnsType = (c: View) => c.get('spec', 'networking', 'topology', 'dns').str();

/** kops cluster.go `UsesPublicDNS`. */
export function usesPublicDNS(c: View): boolean {
  return dnsType(c) === '' || dnsType(c) === 'Public';
}

/** kops cluster.go `UsesPrivateDNS`. */
export function usesPrivateDNS(c: View): boolean {
  return dnsType(c) === 'Private';
}

/** kops cluster.go `UsesNoneDNS`. */
export function usesNoneDNS(c: View): boolean {
  return dnsType(c) === 'None';
}

/** kops cluster.go `IsIPv6Only`, of the internal spec. */
export function isIPv6Only(spec: View): boolean {
  return isIPv6CIDR(spec.get('networking', 'nonMasqueradeCIDR').str());
}

/** kops pkg/model/components/context.go `IsCertManagerEnabled`. */
export function isCertManagerEnabled(c: View): boolean {
  return c.get('spec', 'certManager', 'enabled').bool() === true;
}

/** kops networking.go `ConfiguredOptions`: the networking options set, sorted. */
export function configuredNetworkingOptions(networking: View): string[] {
  const names = ['classic', 'kubenet', 'external', 'cni', 'kopeio', 'weave', 'flannel', 'calico', 'kubeRouter'];
  names.push('romana', 'amazonVPC', 'cilium', 'lyftvpc', 'gcp', 'kindnet');
  return names.filter((name) => networking.get(name).present).sort();
}

/** Go's `kubeProxy != nil && (kubeProxy.Enabled == nil || *kubeProxy.Enabled)`. */
export function kubeProxyEnabled(spec: View): boolean {
  const kubeProxy = spec.get('kubeProxy');
  return kubeProxy.present && kubeProxy.get('enabled').bool() !== false;
}

/** kops's `AllInstanceGroupRoles` (pkg/apis/kops/instancegroup.go), in order. */
export const ALL_INSTANCE_GROUP_ROLES = [
  'ControlPlane',
  'APIServer',
  'Node',
  'Bastion',
  'Etcd',
  'Scheduler',
  'KubeControllerManager',
];
