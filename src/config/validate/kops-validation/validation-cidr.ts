// kops validation.go:490-555 (@268927e): parseCIDR, validateCIDR, validateIPv6CIDR.
// Rules (error constructors): 6 of 6.
import { append, forbidden, invalid, type ErrorList } from '../field/errors.js';
import type { FieldPath } from '../field/path.js';
import {
  formatIP,
  formatIPNet,
  isIPv4,
  isIPv6CIDR,
  overlap,
  parseCIDRGo,
  parseIP,
  sameIP,
  type GoIPNet,
} from './go-net.js';

// kops validation.go:492 validateCIDR
export function validateCIDR(fieldPath: FieldPath, cidr: string): ErrorList {
  return parseCIDR(fieldPath, cidr)[1];
}

// kops validation.go:500 parseCIDR
export function parseCIDR(fieldPath: FieldPath, cidr: string): [GoIPNet | undefined, ErrorList] {
  const allErrs: ErrorList = [];
  const parsed = parseCIDRGo(cidr);
  if (parsed === undefined) {
    let detail = 'Could not be parsed as a CIDR';
    if (!cidr.includes('/')) {
      const ip = parseIP(cidr);
      if (ip !== undefined) {
        if (isIPv4(ip) && !cidr.includes(':')) detail += ` (did you mean "${cidr}/32")`;
        else detail += ` (did you mean "${cidr}/64")`;
      }
    }
    allErrs.push(invalid(fieldPath, cidr, detail, 'validation.go:516'));
    return [undefined, allErrs];
  }
  if (!sameIP(parsed.ip.bytes, parsed.net.ip)) {
    const detail = `Network contains bits outside prefix (did you mean "${formatIP(parsed.net.ip)}/${parsed.net.ones}")`;
    allErrs.push(invalid(fieldPath, cidr, detail, 'validation.go:520'));
  }
  return [parsed.net, allErrs];
}

// kops validation.go:530 validateIPv6CIDR
export function validateIPv6CIDR(
  fieldPath: FieldPath,
  cidr: string,
  serviceClusterIPRange: GoIPNet | undefined,
): ErrorList {
  const allErrs: ErrorList = [];
  if (cidr.startsWith('/')) {
    // kops upup/pkg/fi/utils/net.go ParseCIDRNotation: `/64#0`, "the first /64".
    const match = /^\/(\d+)#([a-f0-9]+)$/.exec(cidr);
    if (match === null) {
      const detail = `IPv6 CIDR subnet is not parsable: unable to parse CIDR subnet string "${cidr}" using "^/(\\\\d+)#([a-f0-9]+)$"`;
      allErrs.push(invalid(fieldPath, cidr, detail, 'validation.go:536'));
      return allErrs;
    }
    const newSize = Number(match[1]);
    if (newSize < 0 || newSize > 128)
      allErrs.push(
        invalid(fieldPath, cidr, 'IPv6 CIDR subnet size must be a value between 0 and 128', 'validation.go:540'),
      );
  } else {
    const [subnetCIDR, errs] = parseCIDR(fieldPath, cidr);
    append(allErrs, errs);
    if (!isIPv6CIDR(cidr)) allErrs.push(invalid(fieldPath, cidr, 'Network is not an IPv6 CIDR', 'validation.go:547'));
    if (overlap(subnetCIDR, serviceClusterIPRange)) {
      const detail = `ipv6CIDR "${cidr}" must not overlap serviceClusterIPRange "${formatIPNet(serviceClusterIPRange!)}"`;
      allErrs.push(forbidden(fieldPath, detail, 'validation.go:550'));
    }
  }
  return allErrs;
}
