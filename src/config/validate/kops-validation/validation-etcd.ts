// kops validation.go (@268927e) 1503-1714: IAM policies, etcd clusters, Azure blob accounts.
// Rules (error constructors and IsValidValue calls): 21 of 22 (validation.go:1694 needs a minimal
// version no caller passes).
import { append, forbidden, invalid, required, type ErrorList } from '../field/errors.js';
import type { FieldPath } from '../field/path.js';
import { parseArnResource, parseGoUrl, parseSemver } from './go-values.js';
import { ALL_INSTANCE_GROUP_ROLES, isValidValue } from './helpers.js';
import type { View } from './spec.js';

/** kops `InstanceGroupRole.ToLowerString` of every role. */
const LOWER_ROLES = ALL_INSTANCE_GROUP_ROLES.map((r) => (r === 'ControlPlane' ? 'control-plane' : r.toLowerCase()));

// kops validation.go:1503 validateAdditionalPolicy
export function validateAdditionalPolicy(role: string, policy: string, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [...isValidValue(fldPath, role, LOWER_ROLES, 'validation.go:1510')];
  let statements: unknown[] = [];
  try {
    const parsed: unknown = JSON.parse(policy);
    // Go's json.Unmarshal into a slice refuses anything but a JSON list.
    if (!Array.isArray(parsed))
      throw new Error(`json: cannot unmarshal ${typeof parsed} into Go value of type []*iam.Statement`);
    statements = parsed;
  } catch (err) {
    const detail = `policy was not valid JSON: error parsing IAM statements: ${(err as Error).message}`;
    allErrs.push(invalid(fldPath.key(role), policy, detail, 'validation.go:1514'));
  }
  statements.forEach((statement, i) => {
    const fldEffect = fldPath.key(role).index(i).child('Effect');
    const effect = new ViewLike(statement).effect();
    if (effect === '')
      allErrs.push(required(fldEffect, 'Effect must be specified for IAM policy', 'validation.go:1521'));
    else append(allErrs, isValidValue(fldEffect, effect, ['Allow', 'Deny'], 'validation.go:1523'));
  });
  return allErrs;
}

class ViewLike {
  constructor(private readonly value: unknown) {}
  effect(): string {
    const v = this.value;
    return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).Effect === 'string'
      ? ((v as Record<string, unknown>).Effect as string)
      : '';
  }
}

// kops validation.go:1530 validateExternalPolicies
export function validateExternalPolicies(role: string, policies: string[], fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [...isValidValue(fldPath, role, LOWER_ROLES, 'validation.go:1537')];
  for (const policy of policies) {
    const parsed = parseArnResource(policy);
    if ('error' in parsed || !parsed.resource.startsWith('policy/')) {
      const detail = 'Policy must be a valid AWS ARN such as arn:aws:iam::123456789012:policy/KopsExamplePolicy';
      allErrs.push(invalid(fldPath.child(role), policy, detail, 'validation.go:1542'));
    }
  }
  return allErrs;
}

// kops validation.go:1550 validateEtcdClusterSpec
export function validateEtcdClusterSpec(spec: View, fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  append(
    allErrs,
    isValidValue(
      fieldPath.child('name'),
      spec.get('name').str(),
      ['cilium', 'main', 'events', 'leases'],
      'validation.go:1553',
    ),
  );
  const provider = spec.get('provider').str();
  if (provider !== '')
    append(allErrs, isValidValue(fieldPath.child('provider'), provider, ['Manager'], 'validation.go:1556'));
  const members = spec.get('etcdMembers').list();
  if (members.length === 0) {
    allErrs.push(required(fieldPath.child('etcdMembers'), 'No members defined in etcd cluster', 'validation.go:1559'));
  } else if (members.length % 2 === 0) {
    // Not technically a requirement, but doesn't really make sense to allow
    const detail =
      'Should be an odd number of control-plane-zones for quorum. Use --zones and --control-plane-zones to declare node zones and control-plane zones separately';
    allErrs.push(invalid(fieldPath.child('etcdMembers'), members.length, detail, 'validation.go:1562'));
  }
  if (spec.get('image').str() !== '' && spec.get('version').str() === '')
    allErrs.push(required(fieldPath.child('version'), 'version must be set when image is set', 'validation.go:1565'));
  append(allErrs, validateEtcdVersion(spec, fieldPath));
  members.forEach((m, i) => append(allErrs, validateEtcdMemberSpec(m, fieldPath.child('etcdMembers').index(i))));
  return allErrs;
}

// kops validation.go:1576 validateEtcdBackupStore (kops keys it by cluster name, as written)
export function validateEtcdBackupStore(specs: View[], fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const used = new Set<string>();
  for (const x of specs) {
    const name = x.get('name').str();
    if (used.has(name)) {
      const detail = 'the backup store must be unique for each etcd cluster';
      allErrs.push(forbidden(fieldPath.index(0).child('backupStore'), detail, 'validation.go:1581'));
    }
    used.add(name);
  }
  return allErrs;
}

// kops validation.go:1592 azureBlobAccount (vfs context.go buildAzureBlobPath's checks)
function azureBlobAccount(rawURL: string): { account: string } | { error: string } {
  const u = parseGoUrl(rawURL);
  if ('error' in u) return { error: `failed to parse "${rawURL}": ${u.error}` };
  const account = u.host.replace(/\/$/, '');
  if (account === '')
    return { error: `no storage account specified in "${rawURL}"; expected azureblob://<account>/<container>/<key>` };
  if (u.path.replace(/^\//, '').split('/')[0] === '')
    return { error: `no container specified in "${rawURL}"; expected azureblob://<account>/<container>/<key>` };
  return { account };
}

// kops validation.go:1611 validateAzureBlobAccountUniformity
export function validateAzureBlobAccountUniformity(spec: View, fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const csPath = fieldPath.child('configStore');
  const base = spec.get('configStore', 'base').str();
  let canonical = '';
  if (base.startsWith('azureblob://')) {
    const parsed = azureBlobAccount(base);
    if ('error' in parsed) return [invalid(csPath.child('base'), base, parsed.error, 'validation.go:1619')];
    canonical = parsed.account;
  }
  const others: [FieldPath, string][] = [
    [csPath.child('keypairs'), spec.get('configStore', 'keypairs').str()],
    [csPath.child('secrets'), spec.get('configStore', 'secrets').str()],
  ];
  spec
    .get('etcdClusters')
    .list()
    .forEach((ec, i) => {
      if (ec.get('backups').present)
        others.push([
          fieldPath.child('etcdClusters').index(i).child('backups', 'backupStore'),
          ec.get('backups', 'backupStore').str(),
        ]);
    });
  for (const [path, url] of others) {
    if (!url.startsWith('azureblob://')) continue;
    const parsed = azureBlobAccount(url);
    if ('error' in parsed) {
      allErrs.push(invalid(path, url, parsed.error, 'validation.go:1648'));
    } else if (canonical === '') {
      allErrs.push(
        invalid(path, url, 'azureblob:// URL requires configStore.base to also be azureblob://', 'validation.go:1652'),
      );
    } else if (parsed.account !== canonical) {
      const detail = `storage account "${parsed.account}" does not match configStore.base account "${canonical}"`;
      allErrs.push(invalid(path, url, detail, 'validation.go:1657'));
    }
  }
  return allErrs;
}

// kops validation.go:1666 validateEtcdStorage
export function validateEtcdStorage(specs: View[], fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const version = specs[0]!.get('version').str();
  specs.forEach((x, i) => {
    const v = x.get('version').str();
    if (v !== '' && v !== version) {
      const detail = `cluster: "${x.get('name').str()}", has a different storage version: "${v}", both must be the same`;
      allErrs.push(forbidden(fieldPath.index(i).child('version'), detail, 'validation.go:1671'));
    }
  });
  return allErrs;
}

// kops validation.go:1679 validateEtcdVersion (kops calls it without a minimal version)
function validateEtcdVersion(spec: View, fieldPath: FieldPath): ErrorList {
  const version = spec.get('version').str();
  if (version === '') return [];
  const sem = parseSemver(version.replace(/^v/, ''));
  if (typeof sem === 'string')
    return [invalid(fieldPath.child('version'), version, 'the storage version is invalid', 'validation.go:1688')];
  // validation.go:1693-1694: the minimum-version error needs a minimalVersion, which no caller passes.
  if (sem.major === 3) return [];
  return [
    invalid(
      fieldPath.child('version'),
      version,
      'unsupported storage version, we only support major version 3',
      'validation.go:1699',
    ),
  ];
}

// kops validation.go:1703 validateEtcdMemberSpec
function validateEtcdMemberSpec(spec: View, fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  if (spec.get('name').str() === '')
    allErrs.push(required(fieldPath.child('name'), 'etcdMember did not have name', 'validation.go:1706'));
  if (spec.get('instanceGroup').str() === '')
    allErrs.push(
      required(fieldPath.child('instanceGroup'), 'etcdMember did not have instanceGroup', 'validation.go:1710'),
    );
  return allErrs;
}
