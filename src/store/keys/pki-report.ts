import { X509Certificate } from 'node:crypto';
import { pemBlocks } from './pem.js';
import { olderFirst, type Keyset, type KeysetItem } from './keysets.js';

/**
 * Certificate expiry and rotation stage of every keyset of a cluster (kops #8773), read from the
 * key store. The stages follow kops's rotation procedure (kops: docs/operations/rotate-secrets.md
 * "Rotating keypairs": 1. create and stage, 3. promote, 5. distrust).
 */

/** One key of a keyset, as the report shows it. */
export interface PkiKeyReport {
  /** The key's id in its keyset (decimal). */
  id: string;
  /** False once distrusted. */
  trusted: boolean;
  /** When it was distrusted (RFC 3339). */
  distrustTimestamp?: string;
  /** The key that signs. */
  primary: boolean;
  /** Whether the keyset holds its private key (a certificate added alone has none). */
  hasPrivateKey: boolean;
  /** The certificate's subject (`CN=...`). */
  subject?: string;
  /** The certificate's validity (ISO 8601, UTC). */
  notBefore?: string;
  /** The certificate's validity (ISO 8601, UTC). */
  notAfter?: string;
  /** Whole days left, truncated: negative once expired (-5 five days after). */
  daysLeft?: number;
  /** notAfter is past. */
  expired?: boolean;
}

/**
 * Where a keyset stands in kops's rotation: `idle` (one trusted key: nothing in progress),
 * `created` (a newer trusted key is staged, not yet primary: next `promote`), `promoted` (the
 * primary is the newest, older keys are still trusted: next `distrust`), `no-primary` (no trusted
 * key with a private key: kops cannot sign with this keyset).
 */
export type RotationStage = 'idle' | 'created' | 'promoted' | 'no-primary';

/** The next step of kops's procedure for a keyset in this stage. */
export const NEXT_STEP: Record<RotationStage, 'create' | 'promote' | 'distrust' | undefined> = {
  idle: 'create',
  created: 'promote',
  promoted: 'distrust',
  'no-primary': undefined,
};

/** One keyset in the report. */
export interface PkiKeysetReport {
  /** The keyset's name (`kubernetes-ca`, `service-account`, `etcd-manager-ca-main` ...). */
  name: string;
  /** The key that signs, as kops picks it. */
  primaryId?: string;
  /** Every key, distrusted ones included, in stored order. */
  keys: PkiKeyReport[];
  /** Where the keyset stands in kops's rotation. */
  stage: RotationStage;
  /** The staged key (`created`) or the trusted keys older than the primary (`promoted`). */
  pendingIds: string[];
  /** Distrusted keys still in the keyset (kops keeps them; they are no longer trusted anywhere). */
  distrustedIds: string[];
  /** The earliest expiry of a trusted key (ISO 8601), what an expiry check watches. */
  earliestNotAfter?: string;
}

/** `StateStore.pkiReport`'s answer. */
export interface PkiReport {
  /** The cluster reported on. */
  cluster: string;
  /** When the days were counted (ISO 8601). */
  at: string;
  /** Every keyset of the cluster's key store (`pki/private/`), by name. */
  keysets: PkiKeysetReport[];
}

const DAY_MS = 86_400_000;

interface Validity {
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

function validityOf(item: KeysetItem): Validity | undefined {
  const block =
    item.certificate === undefined ? undefined : pemBlocks(item.certificate).find((b) => b.type === 'CERTIFICATE');
  if (block === undefined) return undefined;
  const cert = new X509Certificate(block.der);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

function keyReport(item: KeysetItem, primaryId: string | undefined, now: Date): PkiKeyReport {
  const report: PkiKeyReport = {
    id: item.id,
    trusted: item.distrustTimestamp === undefined,
    ...(item.distrustTimestamp === undefined ? {} : { distrustTimestamp: item.distrustTimestamp }),
    primary: item.id === primaryId,
    hasPrivateKey: item.privateKey !== undefined,
  };
  const validity = validityOf(item);
  if (validity === undefined) return report;
  const left = validity.notAfter.getTime() - now.getTime();
  return {
    ...report,
    subject: validity.subject,
    notBefore: validity.notBefore.toISOString(),
    notAfter: validity.notAfter.toISOString(),
    daysLeft: Math.trunc(left / DAY_MS),
    expired: left <= 0,
  };
}

/**
 * The stage of one keyset. "Newer" and "older" compare when a certificate was issued (notBefore),
 * not ids: keysets from kops before 1.22 have random 128-bit serials as ids, which sort above every
 * key kops makes now (kops's own `promote keypair` without an id then finds nothing newer).
 */
export function rotationStage(keyset: Keyset): { stage: RotationStage; pendingIds: string[] } {
  const primary = keyset.keys.find((item) => item.id === keyset.primaryId);
  if (primary === undefined || primary.privateKey === undefined || validityOf(primary) === undefined)
    return { stage: 'no-primary', pendingIds: [] };
  const others = keyset.keys.filter((item) => item.distrustTimestamp === undefined && item.id !== primary.id);
  const issued = (item: KeysetItem) => validityOf(item)?.notBefore.getTime() ?? -Infinity;
  // Issued in the same second: the id decides, as kops's ids grow with time.
  const newer = (a: KeysetItem, b: KeysetItem) => issued(a) - issued(b) || olderFirst(a.id, b.id);
  const staged = others.filter((item) => item.privateKey !== undefined && newer(item, primary) > 0);
  staged.sort((a, b) => newer(b, a));
  if (staged.length > 0) return { stage: 'created', pendingIds: [staged[0]!.id] };
  const older = others.filter((item) => newer(item, primary) < 0).map((item) => item.id);
  return older.length > 0 ? { stage: 'promoted', pendingIds: older } : { stage: 'idle', pendingIds: [] };
}

/** The report of one keyset at `now`. */
export function keysetReport(keyset: Keyset, now: Date): PkiKeysetReport {
  const keys = keyset.keys.map((item) => keyReport(item, keyset.primaryId, now));
  const trustedExpiries = keys
    .filter((key) => key.trusted && key.notAfter !== undefined)
    .map((key) => key.notAfter!)
    .sort();
  return {
    name: keyset.name,
    ...(keyset.primaryId === undefined ? {} : { primaryId: keyset.primaryId }),
    keys,
    ...rotationStage(keyset),
    distrustedIds: keys.filter((key) => !key.trusted).map((key) => key.id),
    ...(trustedExpiries.length === 0 ? {} : { earliestNotAfter: trustedExpiries[0] }),
  };
}

/** A trusted key whose certificate expires within the window {@link expiringWithin} was given. */
export interface ExpiringKey {
  /** The keyset's name (`kubernetes-ca`, `service-account`, ...). */
  keyset: string;
  /** The key's id in the keyset. */
  id: string;
  /** When its certificate expires (ISO 8601). */
  notAfter: string;
}

/** Keysets whose trusted keys expire before `now + withinMs` (already expired ones included). */
export function expiringWithin(report: PkiReport, withinMs: number): ExpiringKey[] {
  const limit = Date.parse(report.at) + withinMs;
  return report.keysets.flatMap((keyset) =>
    keyset.keys
      .filter((key) => key.trusted && key.notAfter !== undefined && Date.parse(key.notAfter) <= limit)
      .map((key) => ({ keyset: keyset.name, id: key.id, notAfter: key.notAfter! })),
  );
}
