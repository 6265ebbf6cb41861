import { StateStoreError } from '../vfs/errors.js';

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_NAME = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

/**
 * Checks a cluster name as kops does: a lowercase DNS name (labels of letters, digits and `-`, at
 * most 63 characters each, 253 in all). Being a DNS name, it can never contain `/` or `..`, so it
 * cannot escape its prefix in the store.
 */
export function validateClusterName(name: unknown): asserts name is string {
  checkDnsName(name, 'cluster name');
}

/** Instance group names follow the same rule (they become keys under `instancegroup/`). */
export function validateInstanceGroupName(name: unknown): asserts name is string {
  checkDnsName(name, 'instance group name');
}

function checkDnsName(name: unknown, what: string): void {
  const ok = typeof name === 'string' && name.length <= 253 && DNS_NAME.test(name) && name.split('.').every((label) => label.length <= 63);
  if (!ok) {
    const shown = typeof name === 'string' ? JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name) : `(${typeof name})`;
    throw new StateStoreError('InvalidArgument', `invalid ${what} ${shown}: must be a lowercase DNS name (letters, digits, "-" and ".")`);
  }
}

/**
 * Checks a keyset name (`pki/private/<name>/keyset.yaml`). For now the DNS-name rule of instance
 * groups; kops's own rule for keyset ids replaces it (see docs/kops-compatibility.md, "Names").
 */
export function validateKeysetName(name: unknown): asserts name is string {
  checkDnsName(name, 'keyset name');
}
