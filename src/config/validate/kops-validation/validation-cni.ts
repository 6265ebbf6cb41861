// kops validation.go (@268927e) 1246-1336 (the networking options of validateNetworking) and
// 1341-1501 (flannel, cilium, gcp, kindnet); calico, 1716-1896, is in validation-calico.ts.
// Rules (error constructors and IsValidValue calls): 13 of 13 in 1246-1339; 27 of 27 in 1341-1501.
import { append, forbidden, invalid, required, type ErrorList } from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import { parseIP } from './go-net.js';
import { parseSemver } from './go-values.js';
import {
  configuredNetworkingOptions,
  getCloudProvider,
  isCertManagerEnabled,
  isIPv6Only,
  isValidValue,
  kubeProxyEnabled,
} from './helpers.js';
import type { View } from './spec.js';
import { validateNetworkingCalico } from './validation-calico.js';

const REMOVED: [string, string, string, string][] = [
  ['weave', 'weave', 'Weave is no longer supported', 'validation.go:1275'],
];

// validation.go:1250-1336, the part of validateNetworking after the topology.
export function validateNetworkingCNIs(cluster: View, v: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const spec = cluster.get('spec');
  const ipv6 = isIPv6Only(spec);
  if (v.get('classic').present)
    allErrs.push(invalid(fldPath, 'classic', 'classic networking is not supported', 'validation.go:1251'));
  if (v.get('kubenet').present && ipv6)
    allErrs.push(forbidden(fldPath.child('kubenet'), 'Kubenet does not support IPv6', 'validation.go:1256'));
  if (v.get('external').present)
    allErrs.push(
      forbidden(fldPath.child('external'), 'external is not supported for Kubernetes >= 1.26', 'validation.go:1261'),
    );
  if (v.get('kopeio').present && ipv6)
    allErrs.push(forbidden(fldPath.child('kopeio'), 'Kopeio does not support IPv6', 'validation.go:1266'));
  for (const [name, child, detail, rule] of REMOVED)
    if (v.get(name).present) allErrs.push(forbidden(fldPath.child(child), detail, rule));
  if (v.get('flannel').present)
    append(allErrs, validateNetworkingFlannel(cluster, v.get('flannel'), fldPath.child('flannel')));
  if (v.get('calico').present)
    append(allErrs, validateNetworkingCalico(spec, v.get('calico'), fldPath.child('calico')));
  if (v.get('canal').present)
    allErrs.push(
      forbidden(fldPath.child('canal'), 'Canal is not supported for Kubernetes >= 1.28', 'validation.go:1287'),
    );
  if (v.get('kubeRouter').present) {
    if (kubeProxyEnabled(spec))
      allErrs.push(
        forbidden(
          fldPath.root().child('spec', 'kubeProxy', 'enabled'),
          'kube-router requires kubeProxy to be disabled',
          'validation.go:1292',
        ),
      );
    if (ipv6)
      allErrs.push(forbidden(fldPath.child('kubeRouter'), 'kube-router does not support IPv6', 'validation.go:1296'));
  }
  if (v.get('romana').present)
    allErrs.push(forbidden(fldPath.child('romana'), 'support for Romana has been removed', 'validation.go:1301'));
  append(allErrs, validateLaterCNIs(cluster, v, fldPath, ipv6));
  return allErrs;
}

// validation.go:1304-1336: amazonVPC to kindnet, and one option only.
function validateLaterCNIs(cluster: View, v: View, fldPath: FieldPath, ipv6: boolean): ErrorList {
  const allErrs: ErrorList = [];
  if (v.get('amazonVPC').present) {
    if (getCloudProvider(cluster) !== 'aws')
      allErrs.push(
        forbidden(
          fldPath.child('amazonVPC'),
          'amazon-vpc-routed-eni networking is supported only in AWS',
          'validation.go:1306',
        ),
      );
    if (ipv6)
      allErrs.push(
        forbidden(
          fldPath.child('amazonVPC'),
          'amazon-vpc-routed-eni networking does not support IPv6',
          'validation.go:1310',
        ),
      );
  }
  if (v.get('cilium').present)
    append(allErrs, validateNetworkingCilium(cluster, v.get('cilium'), fldPath.child('cilium')));
  if (v.get('lyftvpc').present)
    allErrs.push(forbidden(fldPath.child('lyftvpc'), 'support for LyftVPC has been removed', 'validation.go:1319'));
  if (v.get('gcp').present) append(allErrs, validateNetworkingGCP(cluster, fldPath.child('gcp')));
  if (v.get('kindnet').present) append(allErrs, validateNetworkingKindnet(v.get('kindnet'), fldPath.child('kindnet')));
  const options = configuredNetworkingOptions(v);
  if (options.length > 1) {
    for (const option of options)
      allErrs.push(
        forbidden(
          fldPath.child(option),
          `only one networking option permitted, found ${options.join(', ')}`,
          'validation.go:1334',
        ),
      );
  }
  return allErrs;
}

// kops validation.go:1341 validateNetworkingFlannel
export function validateNetworkingFlannel(c: View, v: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  if (isIPv6Only(c.get('spec')))
    allErrs.push(forbidden(fldPath, 'Flannel does not support IPv6', 'validation.go:1345'));
  const backend = v.get('backend').str();
  if (backend === '')
    allErrs.push(required(fldPath.child('backend'), 'Flannel backend must be specified', 'validation.go:1349'));
  else append(allErrs, isValidValue(fldPath.child('backend'), backend, ['udp', 'vxlan'], 'validation.go:1351'));
  return allErrs;
}

// kops validation.go:1357 validateNetworkingCilium
export function validateNetworkingCilium(cluster: View, v: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const c = cluster.get('spec');
  const version = v.get('version').str();
  if (version !== '') {
    const versionFld = fldPath.child('version');
    if (!version.startsWith('v'))
      return [invalid(versionFld, version, "Cilium version must be prefixed with 'v'", 'validation.go:1364')];
    const parsed = parseSemver(version.slice(1));
    if (typeof parsed === 'string')
      allErrs.push(invalid(versionFld, version, 'Could not parse as semantic version', 'validation.go:1372'));
    // Go reads the zero Version's minor when the parse failed.
    if ((typeof parsed === 'string' ? 0 : parsed.minor) !== 18)
      allErrs.push(invalid(versionFld, version, 'Only version 1.18 is supported', 'validation.go:1376'));
    if (v.get('hubble', 'enabled').bool() === true && !isCertManagerEnabled(cluster))
      allErrs.push(
        forbidden(
          fldPath.child('hubble', 'enabled'),
          'Hubble requires that cert manager is enabled',
          'validation.go:1381',
        ),
      );
  }
  if (v.get('enableNodePort').bool() === true && kubeProxyEnabled(c)) {
    const detail = 'When Cilium NodePort is enabled, kubeProxy must be disabled';
    allErrs.push(forbidden(fldPath.root().child('spec', 'kubeProxy', 'enabled'), detail, 'validation.go:1387'));
  }
  const enums: [string, string[], string][] = [
    ['enablePolicy', ['default', 'always', 'never'], 'validation.go:1391'],
    ['tunnel', ['vxlan', 'geneve', 'disabled'], 'validation.go:1395'],
    ['monitorAggregation', ['low', 'medium', 'maximum'], 'validation.go:1399'],
  ];
  for (const [name, valid, rule] of enums) {
    const value = v.get(name).str();
    if (value !== '') append(allErrs, isValidValue(fldPath.child(name), value, valid, rule));
  }
  const identity = v.get('identityAllocationMode').str();
  if (identity !== '') {
    append(
      allErrs,
      isValidValue(fldPath.child('identityAllocationMode'), identity, ['crd', 'kvstore'], 'validation.go:1403'),
    );
    if (identity === 'kvstore' && v.get('etcdManaged').bool() !== true) {
      const detail = 'Cilium requires managed etcd to allocate identities on kvstore mode';
      allErrs.push(forbidden(fldPath.child('identityAllocationMode'), detail, 'validation.go:1406'));
    }
  }
  append(allErrs, validateCiliumDataPath(c, v, fldPath, getCloudProvider(cluster)));
  return allErrs;
}

// validation.go:1410-1465, the rest of validateNetworkingCilium.
function validateCiliumDataPath(c: View, v: View, fldPath: FieldPath, cloud: string): ErrorList {
  const allErrs: ErrorList = [];
  const lb = v.get('bpfLBAlgorithm').str();
  if (lb !== '')
    append(allErrs, isValidValue(fldPath.child('bpfLBAlgorithm'), lb, ['random', 'maglev'], 'validation.go:1411'));
  if (v.get('bpfLBSock').bool() !== true && v.get('bpfLBSockHostNSOnly').bool() === true) {
    const detail = 'bpfLBSockHostNSOnly requires bpfLBSock to be enabled';
    allErrs.push(forbidden(fldPath.child('bpfLBSockHostNSOnly'), detail, 'validation.go:1415'));
  }
  const encryption = v.get('enableEncryption').bool() === true;
  if (encryption && isIPv6Only(c))
    allErrs.push(
      forbidden(
        fldPath.child('enableEncryption'),
        'encryption is not supported on IPv6 clusters',
        'validation.go:1419',
      ),
    );
  const encryptionType = v.get('encryptionType').str();
  if (encryptionType !== '') {
    if (!encryption)
      allErrs.push(
        forbidden(fldPath.child('encryptionType'), 'encryptionType requires enableEncryption', 'validation.go:1424'),
      );
    append(
      allErrs,
      isValidValue(fldPath.child('encryptionType'), encryptionType, ['ipsec', 'wireguard'], 'validation.go:1427'),
    );
  }
  if (v.get('enableL7Proxy').bool() === true && v.get('installIptablesRules').bool() === false)
    allErrs.push(
      forbidden(fldPath.child('enableL7Proxy'), 'Cilium L7 Proxy requires installIptablesRules.', 'validation.go:1431'),
    );
  const ipam = v.get('ipam').str();
  if (ipam !== '') {
    append(
      allErrs,
      isValidValue(fldPath.child('ipam'), ipam, ['hostscope', 'kubernetes', 'crd', 'eni'], 'validation.go:1436'),
    );
    if (ipam === 'eni') {
      if (cloud !== 'aws')
        allErrs.push(forbidden(fldPath.child('ipam'), 'Cilum ENI IPAM is supported only in AWS', 'validation.go:1440'));
      if (isIPv6Only(c))
        allErrs.push(forbidden(fldPath.child('ipam'), 'Cilium ENI IPAM does not support IPv6', 'validation.go:1443'));
    }
  }
  append(allErrs, validateCiliumEtcdAndIngress(c, v, fldPath));
  return allErrs;
}

// validation.go:1448-1465: the managed etcd cluster and the ingress's load balancer mode.
function validateCiliumEtcdAndIngress(c: View, v: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  if (v.get('etcdManaged').bool() === true) {
    const hasCiliumCluster = c
      .get('etcdClusters')
      .list()
      .some((e) => e.get('name').str() === 'cilium');
    if (!hasCiliumCluster) {
      const detail = 'Cilium with managed etcd requires a dedicated etcd cluster';
      allErrs.push(required(fldPath.root().child('etcdClusters'), detail, 'validation.go:1457'));
    }
  }
  const ingress = v.get('ingress');
  const mode = ingress.get('defaultLoadBalancerMode').str();
  if (ingress.get('enabled').bool() === true && mode !== '')
    append(
      allErrs,
      isValidValue(
        fldPath.child('ingress', 'defaultLoadBalancerMode'),
        mode,
        ['shared', 'dedicated'],
        'validation.go:1463',
      ),
    );
  return allErrs;
}

// kops validation.go:1470 validateNetworkingGCP
export function validateNetworkingGCP(cluster: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  if (getCloudProvider(cluster) !== 'gce')
    allErrs.push(forbidden(fldPath, 'GCP networking is supported only when on GCP', 'validation.go:1476'));
  if (isIPv6Only(cluster.get('spec')))
    allErrs.push(forbidden(fldPath, 'GCP networking does not support IPv6', 'validation.go:1480'));
  return allErrs;
}

// kops validation.go:1486 validateNetworkingKindnet
export function validateNetworkingKindnet(v: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  if (v.get('masquerade', 'enabled').bool() !== true) return allErrs;
  for (const cidr of v.get('masquerade', 'nonMasqueradeCIDRs').strings()) {
    if (cidr === '') continue;
    // Go's netip.ParsePrefix: no host-bit check, but a strict syntax.
    const problem = netipPrefixProblem(cidr);
    if (problem !== undefined) allErrs.push(invalid(fldPath, cidr, problem, 'validation.go:1496'));
  }
  return allErrs;
}

function netipPrefixProblem(cidr: string): string | undefined {
  const slash = cidr.lastIndexOf('/');
  if (slash < 0) return `netip.ParsePrefix("${cidr}"): no '/'`;
  const ip = parseIP(cidr.slice(0, slash));
  if (ip === undefined) return `netip.ParsePrefix("${cidr}"): ParseAddr("${cidr.slice(0, slash)}"): unable to parse IP`;
  const bits = cidr.slice(slash + 1);
  const max = cidr.slice(0, slash).includes(':') ? 128 : 32;
  if (!/^(0|[1-9]\d*)$/.test(bits) || Number(bits) > max)
    return `netip.ParsePrefix("${cidr}"): bad bits after slash: "${bits}"`;
  return undefined;
}
