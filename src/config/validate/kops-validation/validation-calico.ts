// kops validation.go (@268927e) 1716-1896: validateNetworkingCalico and its helpers.
// Rules (error constructors and IsValidValue calls): 24 of 27. Not ported: 1730 (kops builds the
// crossSubnet error and drops it: it reports nothing, neither do we), 1831 (strings.Split never
// returns an empty list) and 1859 (the callers pass IP version 4 or 6 only): unreachable.
import { append, forbidden, invalid, type ErrorList } from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import { isIPv4, parseIP } from './go-net.js';
import { isIPv6Only, isValidValue, kubeProxyEnabled } from './helpers.js';
import type { View } from './spec.js';

const CALICO_ENUMS: [string, string[], string][] = [
  ['bpfExternalServiceMode', ['Tunnel', 'DSR'], 'validation.go:1740'],
  ['bpfLogLevel', ['Off', 'Info', 'Debug'], 'validation.go:1745'],
  ['chainInsertMode', ['insert', 'append'], 'validation.go:1750'],
];

// kops validation.go:1716 validateNetworkingCalico (`c` is the cluster's spec)
export function validateNetworkingCalico(c: View, v: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const ipv6 = isIPv6Only(c);
  const srcDst = v.get('awsSrcDstCheck').str();
  if (srcDst !== '') {
    if (ipv6 && srcDst !== 'DoNothing') {
      const detail = 'awsSrcDstCheck may only be "DoNothing" for IPv6 clusters';
      allErrs.push(forbidden(fldPath.child('awsSrcDstCheck'), detail, 'validation.go:1721'));
    } else {
      append(
        allErrs,
        isValidValue(fldPath.child('awsSrcDstCheck'), srcDst, ['Enable', 'Disable', 'DoNothing'], 'validation.go:1724'),
      );
    }
  }
  // validation.go:1728-1732: the crossSubnet error is built and dropped; kops reports nothing.
  if (v.get('bpfEnabled').bool() === true && kubeProxyEnabled(c)) {
    const detail = 'calico in BPF mode (spec.networking.calico.bpfEnabled=true) requires kubeProxy to be disabled';
    allErrs.push(forbidden(FieldPath.of('spec', 'kubeProxy', 'enabled'), detail, 'validation.go:1735'));
  }
  for (const [name, valid, rule] of CALICO_ENUMS) {
    const value = v.get(name).str();
    if (value !== '') append(allErrs, isValidValue(fldPath.child(name), value, valid, rule));
  }
  append(allErrs, validateCalicoEncapsulation(c, v, fldPath, ipv6));
  return allErrs;
}

// validation.go:1753-1815, the rest of validateNetworkingCalico.
function validateCalicoEncapsulation(c: View, v: View, fldPath: FieldPath, ipv6: boolean): ErrorList {
  const allErrs: ErrorList = [];
  const mode = v.get('encapsulationMode').str();
  if (mode !== '') {
    append(
      allErrs,
      isValidValue(fldPath.child('encapsulationMode'), mode, ['ipip', 'vxlan', 'none'], 'validation.go:1755'),
    );
    const path = fldPath.child('encapsulationMode');
    if (mode !== 'none' && ipv6)
      allErrs.push(forbidden(path, 'IPv6 requires an encapsulationMode of "none"', 'validation.go:1760'));
    else if (mode === 'none' && !ipv6)
      allErrs.push(
        forbidden(path, 'encapsulationMode "none" is only supported for IPv6 clusters', 'validation.go:1765'),
      );
    if (mode !== 'vxlan' && c.get('cloudProvider', 'azure').present)
      allErrs.push(forbidden(path, 'Azure requires an encapsulationMode of "vxlan"', 'validation.go:1770'));
  }
  const tunnels: [string, string, string, string][] = [
    [
      'ipipMode',
      'ipip',
      `IP-in-IP encapsulation requires use of Calico's "ipip" encapsulation mode`,
      'validation.go:1779',
    ],
    [
      'vxlanMode',
      'vxlan',
      `VXLAN encapsulation requires use of Calico's "vxlan" encapsulation mode`,
      'validation.go:1789',
    ],
  ];
  for (const [name, needs, detail, rule] of tunnels) {
    const value = v.get(name).str();
    if (value === '') continue;
    append(allErrs, validateCalicoEncapsulationMode(value, fldPath.child(name)));
    if (value !== 'Never' && mode !== '' && mode !== needs) allErrs.push(forbidden(fldPath.child(name), detail, rule));
  }
  const v4 = v.get('ipv4AutoDetectionMethod').str();
  if (v4 !== '') append(allErrs, validateCalicoAutoDetectionMethod(fldPath.child('ipv4AutoDetectionMethod'), v4, 4));
  const v6 = v.get('ipv6AutoDetectionMethod').str();
  if (v6 !== '') append(allErrs, validateCalicoAutoDetectionMethod(fldPath.child('ipv6AutoDetectionMethod'), v6, 6));
  const backend = v.get('iptablesBackend').str();
  if (backend !== '')
    append(
      allErrs,
      isValidValue(fldPath.child('iptablesBackend'), backend, ['Auto', 'Legacy', 'NFT'], 'validation.go:1804'),
    );
  const typha = v.get('typhaReplicas').num() ?? 0;
  if (typha < 0) {
    const detail = `Unable to set number of Typha replicas to less than 0, you've specified ${typha}`;
    allErrs.push(invalid(fldPath.child('typhaReplicas'), typha, detail, 'validation.go:1809'));
  }
  if (v.get('wireguardEnabled').bool() === true && ipv6)
    allErrs.push(
      forbidden(fldPath.child('wireguardEnabled'), 'WireGuard is not supported on IPv6 clusters', 'validation.go:1814'),
    );
  return allErrs;
}

// kops validation.go:1820 validateCalicoAutoDetectionMethod
export function validateCalicoAutoDetectionMethod(fldPath: FieldPath, runtime: string, version: 4 | 6): ErrorList {
  const method = runtime.split('=');
  if (method.length > 2) return [invalid(fldPath, runtime, 'malformed autodetection method', 'validation.go:1834')];
  switch (method[0]) {
    case 'first-found':
      return [];
    case 'can-reach': {
      // Go indexes method[1] here; a bare "can-reach" panics in kops. Treated as no address.
      const ip = parseIP(method[1] ?? '');
      if (version === 4 && (ip === undefined || !isIPv4(ip)))
        return [invalid(fldPath, runtime, 'must be a valid IPv4 address', 'validation.go:1847')];
      if (version === 6 && (ip === undefined || isIPv4(ip)))
        return [invalid(fldPath, runtime, 'must be a valid IPv6 address', 'validation.go:1853')];
      return [];
    }
    case 'interface':
    case 'skip-interface':
      return interfaceRegexes(fldPath, runtime, method[0], method[1] ?? '');
    default:
      return [invalid(fldPath, runtime, 'unsupported autodetection method', 'validation.go:1885')];
  }
}

// validation.go:1860-1883: the "interface" and "skip-interface" branches.
function interfaceRegexes(fldPath: FieldPath, runtime: string, kind: string, list: string): ErrorList {
  const errs: ErrorList = [];
  const regexes = list.split(/\s*,\s*/);
  const rule = kind === 'interface' ? 'validation.go:1863' : 'validation.go:1875';
  if (regexes.length === 0 || regexes[0] === '') {
    const detail = `'${kind}=' must be followed by a comma separated list of interface regular expressions`;
    errs.push(invalid(fldPath, runtime, detail, rule));
  }
  for (const r of regexes) {
    try {
      new RegExp(r);
    } catch (err) {
      const detail = `regexp ${r} does not compile: ${(err as Error).message}`;
      errs.push(invalid(fldPath, runtime, detail, kind === 'interface' ? 'validation.go:1868' : 'validation.go:1880'));
    }
  }
  return errs;
}

// kops validation.go:1889 validateCalicoEncapsulationMode
function validateCalicoEncapsulationMode(mode: string, fldPath: FieldPath): ErrorList {
  return isValidValue(fldPath, mode, ['Always', 'CrossSubnet', 'Never'], 'validation.go:1893');
}
