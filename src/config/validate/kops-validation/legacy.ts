// kops pkg/apis/kops/validation/legacy.go (@268927e, Apache-2.0, Copyright The Kubernetes
// Authors): ValidateCluster (the checks that "don't match the apimachinery style", then
// newValidateCluster), validateServiceAccountIssuerDiscovery and DeepValidate's own rules, over
// the internal views of spec.ts. kops runs ValidateCluster at every write of a cluster
// (vfsclientset/cluster.go:102, cluster.go:30), so index.ts's kopsClusterErrors runs it.
// Rules (error constructors): 30 of 31. Not ported: 245 (a memfs:// discovery store that is not
// cluster-readable): kops's own tests mark memfs readable and its fixtures use memfs://, which is
// read here as those tests read it. BuildVfsPath's checks of kops's environment (S3_ENDPOINT for
// do://, linode://, hos://, scw://; AZURE_STORAGE_ACCOUNT unset) are the kops client's, not the
// cluster's: those schemes are read as their paths. featureflag ExperimentalClusterDNS is off, as
// by default. DeepValidate's group counts (277, 291, 295: plain errors, no field) are in
// deepValidateGroupCounts; 303 is deepValidateInstanceGroup.
import { append, forbidden, goQuote, invalid, required, type ErrorList } from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import { belongsTo, netContains, parseCIDRGo, parseIP, type GoIPNet } from './go-net.js';
import { compareSemver, parseGoUrl, parseSemver, parseSemverTolerant, type SemVer } from './go-values.js';
import { gceValidateInstanceGroup } from './gce.js';
import { getCloudProvider } from './helpers.js';
import type { View } from './spec.js';
import { validateNodeLocalDNS } from './validation-addons.js';
import { newValidateCluster } from './validation.js';

const VERSION_URL = /\/v1\.(\d+)\./;

/** kops pkg/apis/kops/util/versions.go `ParseKubernetesVersion`: tolerant semver, or `/v1.N.` in a URL. */
export function parseKubernetesVersion(version: string): SemVer | undefined {
  const sv = parseSemverTolerant(version);
  if (typeof sv !== 'string') return sv;
  const match = VERSION_URL.exec(version);
  return match === null ? undefined : { major: 1, minor: Number(match[1]), patch: 0, pre: '' };
}

// kops legacy.go:37 ValidateCluster
export function validateCluster(c: View, strict: boolean): ErrorList {
  const fieldSpec = FieldPath.of('spec');
  const spec = c.get('spec');
  // A large part of the rest of the validation logic depends on a valid kubernetes version.
  const versionText = spec.get('kubernetesVersion').str();
  if (versionText === '') return [required(fieldSpec.child('kubernetesVersion'), '', 'legacy.go:47')];
  const k8sVersion = parseKubernetesVersion(versionText);
  if (k8sVersion === undefined)
    return [
      invalid(
        fieldSpec.child('kubernetesVersion'),
        versionText,
        'unable to determine kubernetes version',
        'legacy.go:52',
      ),
    ];
  const allErrs: ErrorList = [];
  if (strict) append(allErrs, strictComponents(spec, fieldSpec));
  append(allErrs, validateClusterCIDR(spec, fieldSpec));
  if (spec.get('kubeDNS').present) append(allErrs, validateKubeDNS(spec, fieldSpec));
  append(allErrs, validateComponentCloudProviders(c, k8sVersion, fieldSpec, strict));
  append(allErrs, newValidateCluster(c, strict));
  const said = spec.get('serviceAccountIssuerDiscovery');
  append(allErrs, validateServiceAccountIssuerDiscovery(said, fieldSpec.child('serviceAccountIssuerDiscovery')));
  return allErrs;
}

const STRICT_COMPONENTS: [string, string][] = [
  ['kubelet', 'legacy.go:58'],
  ['controlPlaneKubelet', 'legacy.go:61'],
  ['kubeControllerManager', 'legacy.go:64'],
  ['kubeDNS', 'legacy.go:67'],
  ['kubeScheduler', 'legacy.go:70'],
  ['kubeAPIServer', 'legacy.go:73'],
  ['kubeProxy', 'legacy.go:76'],
];

// legacy.go:57-77: a completed spec configures every component.
function strictComponents(spec: View, fieldSpec: FieldPath): ErrorList {
  return STRICT_COMPONENTS.filter(([name]) => !spec.get(name).present).map(([name, rule]) =>
    required(fieldSpec.child(name), `${name} not configured`, rule),
  );
}

const cidrOf = (text: string): GoIPNet | undefined => (text === '' ? undefined : parseCIDRGo(text)?.net);

// legacy.go:89-101: kubeControllerManager.clusterCIDR within nonMasqueradeCIDR.
function validateClusterCIDR(spec: View, fieldSpec: FieldPath): ErrorList {
  const nonMasquerade = spec.get('networking', 'nonMasqueradeCIDR').str();
  const clusterCIDRString = spec.get('kubeControllerManager', 'clusterCIDR').str();
  if (clusterCIDRString === '') return [];
  const path = fieldSpec.child('kubeControllerManager', 'clusterCIDR');
  const clusterCIDR = parseCIDRGo(clusterCIDRString);
  if (clusterCIDR === undefined)
    return [
      invalid(path, clusterCIDRString, 'cluster had an invalid kubeControllerManager.clusterCIDR', 'legacy.go:96'),
    ];
  const nonMasqueradeCIDR = cidrOf(nonMasquerade);
  if (nonMasqueradeCIDR !== undefined && !belongsTo(nonMasqueradeCIDR, clusterCIDR.net)) {
    const detail = `kubeControllerManager.clusterCIDR ${goQuote(clusterCIDRString)} must be a subnet of nonMasqueradeCIDR ${goQuote(nonMasquerade)}`;
    return [forbidden(path, detail, 'legacy.go:98')];
  }
  return [];
}

// legacy.go:103-152: the custom kubedns options.
function validateKubeDNS(spec: View, fieldSpec: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const kubeDNS = spec.get('kubeDNS');
  const address = kubeDNS.get('serverIP').str();
  if (address !== '') append(allErrs, validateDNSServerIP(spec, address, fieldSpec));
  kubeDNS
    .get('upstreamNameservers')
    .strings()
    .forEach((x, i) => {
      if (parseIP(x) === undefined)
        allErrs.push(
          invalid(
            fieldSpec.child('kubeDNS', 'upstreamNameservers').index(i),
            x,
            'Invalid nameserver given, should be a valid ip address',
            'legacy.go:137',
          ),
        );
    });
  for (const [domain, nameservers] of kubeDNS.get('stubDomains').entries()) {
    const path = fieldSpec.child('kubeDNS', 'stubDomains').key(domain);
    if (nameservers.length <= 0)
      allErrs.push(invalid(path, domain, 'No nameservers specified for the stub domain', 'legacy.go:144'));
    nameservers.strings().forEach((x, i) => {
      if (parseIP(x) === undefined)
        allErrs.push(
          invalid(path.index(i), x, 'Invalid nameserver given, should be a valid ip address', 'legacy.go:148'),
        );
    });
  }
  return allErrs;
}

// legacy.go:105-131: kubeDNS.serverIP, the kubelets' clusterDNS, NodeLocalDNS.
function validateDNSServerIP(spec: View, address: string, fieldSpec: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const kubeDNS = spec.get('kubeDNS');
  const ip = parseIP(address);
  if (ip === undefined) {
    const path = fieldSpec.child('kubeDNS', 'serverIP');
    allErrs.push(invalid(path, address, 'Cluster had an invalid kubeDNS.serverIP', 'legacy.go:109'));
  } else {
    const range = spec.get('networking', 'serviceClusterIPRange').str();
    const serviceClusterIPRange = cidrOf(range);
    if (serviceClusterIPRange !== undefined && !netContains(serviceClusterIPRange, ip.bytes)) {
      const detail = `ServiceClusterIPRange ${goQuote(range)} must contain the DNS Server IP ${goQuote(address)}`;
      allErrs.push(forbidden(fieldSpec.child('kubeDNS', 'serverIP'), detail, 'legacy.go:112'));
    }
    // featureflag.ExperimentalClusterDNS is off (kops's default).
    const kubelets: [string, string, string][] = [
      ['kubelet', 'Kubelet', 'legacy.go:116'],
      ['controlPlaneKubelet', 'ControlPlaneKubelet', 'legacy.go:119'],
    ];
    for (const [name, label, rule] of kubelets) {
      if (isExperimentalClusterDNS(spec.get(name), kubeDNS)) {
        const detail = `${label} ClusterDNS did not match cluster kubeDNS.serverIP or nodeLocalDNS.localIP`;
        allErrs.push(forbidden(fieldSpec.child(name, 'clusterDNS'), detail, rule));
      }
    }
  }
  // @ check that NodeLocalDNS addon is configured correctly
  if (kubeDNS.get('nodeLocalDNS', 'enabled').bool() === true) {
    const provider = kubeDNS.get('provider').str();
    if (provider !== 'CoreDNS' && provider !== '') {
      const detail = 'KubeDNS provider must be set to CoreDNS if NodeLocalDNS addon is enabled';
      allErrs.push(forbidden(fieldSpec.child('kubeDNS', 'provider'), detail, 'legacy.go:127'));
    }
    append(allErrs, validateNodeLocalDNS(spec, fieldSpec.child('spec')));
  }
  return allErrs;
}

// kops legacy.go:314 isExperimentalClusterDNS
function isExperimentalClusterDNS(k: View, dns: View): boolean {
  const clusterDNS = k.get('clusterDNS').str();
  const nodeLocalDNS = dns.get('nodeLocalDNS');
  return (
    k.present &&
    clusterDNS !== dns.get('serverIP').str() &&
    nodeLocalDNS.present &&
    clusterDNS !== nodeLocalDNS.get('localIP').str()
  );
}

/** legacy.go:158-178: the cloud provider name each Kubernetes component is given, per kops cloud. */
const K8S_CLOUD_PROVIDERS: Record<string, string> = {
  aws: 'aws',
  gce: 'gce',
  digitalocean: 'external',
  hetzner: 'external',
  openstack: 'openstack',
  azure: 'azure',
  scaleway: 'external',
  linode: 'external',
};

const API_SERVER_CLOUD_PROVIDER_UNTIL = parseSemver('1.33.0-alpha.3') as SemVer;

// legacy.go:154-204: the components' cloudProvider matches the cluster's.
function validateComponentCloudProviders(
  c: View,
  k8sVersion: SemVer,
  fieldSpec: FieldPath,
  strict: boolean,
): ErrorList {
  const k8sCloudProvider = K8S_CLOUD_PROVIDERS[getCloudProvider(c)];
  // We already added an error above
  if (k8sCloudProvider === undefined) return [];
  const spec = c.get('spec');
  const checks: [string, string, boolean][] = [
    ['kubelet', 'legacy.go:183', true],
    ['controlPlaneKubelet', 'legacy.go:188', true],
    ['kubeAPIServer', 'legacy.go:194', compareSemver(k8sVersion, API_SERVER_CLOUD_PROVIDER_UNTIL) < 0],
    ['kubeControllerManager', 'legacy.go:200', true],
  ];
  const allErrs: ErrorList = [];
  for (const [name, rule, applies] of checks) {
    const component = spec.get(name);
    const cloudProvider = component.get('cloudProvider').str();
    if (!component.present || !(strict || cloudProvider !== '') || !applies) continue;
    if (cloudProvider !== 'external' && k8sCloudProvider !== cloudProvider)
      allErrs.push(forbidden(fieldSpec.child(name, 'cloudProvider'), 'Did not match cluster cloudProvider', rule));
  }
  return allErrs;
}

// kops legacy.go:214 validateServiceAccountIssuerDiscovery (kops's own paths: the discoveryStore
// and discoveryService errors name `serviceAccountIssuerDiscovery` twice, 228, 254, 261).
export function validateServiceAccountIssuerDiscovery(said: View, fieldSpec: FieldPath): ErrorList {
  if (!said.present) return [];
  const allErrs: ErrorList = [];
  const discoveryStore = said.get('discoveryStore').str();
  const discoveryService = said.get('discoveryService');
  if (discoveryStore !== '' && discoveryService.present) {
    const detail = 'Only one of discoveryStore or discoveryService may be specified';
    allErrs.push(forbidden(fieldSpec.child('discoveryStore'), detail, 'legacy.go:224'));
  }
  if (discoveryStore !== '') {
    const saidStoreField = fieldSpec.child('serviceAccountIssuerDiscovery', 'discoveryStore');
    const problem = discoveryStoreProblem(discoveryStore);
    if (problem !== undefined) allErrs.push(invalid(saidStoreField, discoveryStore, problem[0], problem[1]));
  }
  if (discoveryService.present && discoveryService.get('url').str() === '') {
    const saidServiceField = fieldSpec.child('serviceAccountIssuerDiscovery', 'discoveryService', 'url');
    allErrs.push(required(saidServiceField, 'discoveryService URL must be specified', 'legacy.go:256'));
  }
  if (said.get('enableAWSOIDCProvider').bool() === true && discoveryStore === '' && !discoveryService.present) {
    const enableOIDCField = fieldSpec.child('serviceAccountIssuerDiscovery', 'enableAWSOIDCProvider');
    const detail = 'AWS OIDC Provider requires a discoveryStore or discoveryService to be set';
    allErrs.push(forbidden(enableOIDCField, detail, 'legacy.go:263'));
  }
  return allErrs;
}

const S3_SCHEMES = new Set(['s3', 'do', 'linode', 'hos', 'scw']);
const OTHER_SCHEMES = new Set(['memfs', 'gs', 'k8s', 'swift', 'azureblob']);

/**
 * legacy.go:229-249 over kops util/pkg/vfs/context.go `BuildVfsPath`: why the discovery store is
 * refused (detail, rule), or undefined. S3 paths (s3, do, linode, hos, scw) must name a bucket
 * without dots; GCS and memfs (as kops's tests read it) are accepted; anything else is not S3.
 */
function discoveryStoreProblem(p: string): [string, string] | undefined {
  const notS3: [string, string] = ['S3 is the only supported VFS for discoveryStore', 'legacy.go:248'];
  if (!p.includes('://') || p.startsWith('file://')) return notS3;
  const scheme = p.slice(0, p.indexOf('://'));
  if (!S3_SCHEMES.has(scheme) && !OTHER_SCHEMES.has(scheme)) return ['not a valid VFS path', 'legacy.go:231'];
  if (scheme === 'memfs') return undefined;
  const u = parseGoUrl(p);
  const host = 'error' in u ? '' : u.host.replace(/\/$/, '');
  const azureContainer = 'error' in u ? '' : (u.path.replace(/^\//, '').split('/')[0] ?? '');
  if ('error' in u || host === '' || (scheme === 'azureblob' && azureContainer === ''))
    return ['not a valid VFS path', 'legacy.go:231'];
  // S3 bucket should not contain dots because of the wildcard certificate
  if (S3_SCHEMES.has(scheme))
    return host.includes('.') ? ['Bucket name cannot contain dots', 'legacy.go:237'] : undefined;
  return scheme === 'gs' ? undefined : notS3;
}

/** One of DeepValidate's plain errors (no field): kops's text and its line. */
export interface DeepValidateError {
  message: string;
  rule: string;
}

const isControlPlane = (g: View) => g.get('spec', 'role').str() === 'ControlPlane';

// kops legacy.go:276-296 (DeepValidate): at least one group, one control-plane group and one
// other group (a bastion counts: kops counts every group that is not control plane).
export function deepValidateGroupCounts(groups: readonly View[]): DeepValidateError | undefined {
  if (groups.length === 0) return { message: 'must configure at least one InstanceGroup', rule: 'legacy.go:277' };
  const controlPlaneGroupCount = groups.filter(isControlPlane).length;
  if (controlPlaneGroupCount === 0)
    return { message: 'must configure at least one ControlPlane InstanceGroup', rule: 'legacy.go:291' };
  if (groups.length - controlPlaneGroupCount === 0)
    return { message: 'must configure at least one Node InstanceGroup', rule: 'legacy.go:295' };
  return undefined;
}

// kops legacy.go:301-304 (DeepValidate, per group beside CrossValidateInstanceGroup)
export function deepValidateInstanceGroup(g: View, cluster: View): ErrorList {
  // Additional cloud-specific validation rules
  if (getCloudProvider(cluster) === 'aws' || g.get('spec', 'volumes').length === 0) return [];
  const detail = 'instancegroup volumes are only available with aws at present';
  return [forbidden(FieldPath.of('spec', 'volumes'), detail, 'legacy.go:303')];
}

/**
 * What kops checks on a group with the cluster's cloud at hand, beside CrossValidateInstanceGroup:
 * gce.go's rules (instancegroup.go:189) and DeepValidate's (legacy.go:302).
 */
export function groupRulesWithCloud(g: View, cluster: View): ErrorList {
  const errors = getCloudProvider(cluster) === 'gce' ? gceValidateInstanceGroup(g) : [];
  return append(errors, deepValidateInstanceGroup(g, cluster));
}
