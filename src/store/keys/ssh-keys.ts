import { createHash } from 'node:crypto';
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { WriteOptions } from '../../vfs/types.js';
import type { StoreLocation } from '../locations.js';
import type { AddSshPublicKeyResult, DeleteResult } from '../results.js';
import { readCapped } from '../capped-read.js';

/** An SSH public key of the cluster's admin user (`ssh/public/admin/<fingerprint>` under the key store). */
export interface SshPublicKey {
  /** The file name: kops's MD5 fingerprint of the key, hex without colons. */
  fingerprint: string;
  /** The key in authorized_keys form (`ssh-rsa AAAA... comment`), trimmed. */
  publicKey: string;
}

/** kops: upup/pkg/fi/vfs_castore.go buildSSHPublicKeyPath. */
function adminFolder(location: StoreLocation): string {
  return `${location.prefix}ssh/public/admin/`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The id kops files an SSH public key under (kops: pkg/sshcredentials/fingerprint.go): the MD5 of
 * the key in SSH wire format (the base64 blob of an authorized_keys line, which golang.org/x/crypto/ssh
 * parses and marshals back), as hex; kops writes it without the colons. InvalidArgument when the
 * text is not an authorized_keys line.
 */
export function sshFingerprint(publicKey: string): string {
  const blob = authorizedKeyBlob(publicKey);
  return createHash('md5').update(blob).digest('hex');
}

// ssh.ParseAuthorizedKey: the first line that is not blank or a comment; `options keytype base64 comment`
// with the options optional. The blob must name the same algorithm as the line does.
function authorizedKeyBlob(text: string): Buffer {
  const invalid = (why: string) =>
    new StateStoreError('InvalidArgument', `publicKey is not an SSH public key in authorized_keys form (${why})`);
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (line === undefined) throw invalid('no key line');
  const fields = line.split(/\s+/);
  for (let i = 0; i + 1 < fields.length; i++) {
    const type = fields[i]!;
    const data = fields[i + 1]!;
    if (!BASE64.test(data) || data.length < 8) continue;
    const blob = Buffer.from(data, 'base64');
    if (blob.length < 4) continue;
    const length = blob.readUInt32BE(0);
    if (length + 4 <= blob.length && blob.subarray(4, 4 + length).toString('latin1') === type) return blob;
  }
  throw invalid('no key type followed by its base64 key data');
}

/**
 * Stores an SSH public key as kops's `AddSSHPublicKey` does (kops: upup/pkg/fi/vfs_castore.go):
 * the bytes as given, at `ssh/public/admin/<fingerprint>`. Returns the fingerprint and the file's version.
 */
export async function addSshPublicKey(
  location: StoreLocation,
  publicKey: string,
  options: WriteOptions = {},
): Promise<AddSshPublicKeyResult> {
  if (typeof publicKey !== 'string') throw new StateStoreError('InvalidArgument', 'publicKey must be a string');
  const fingerprint = sshFingerprint(publicKey.trim());
  const { version } = await location.vfs.write(`${adminFolder(location)}${fingerprint}`, publicKey, {
    contentType: 'application/octet-stream',
    ...options,
  });
  return { fingerprint, version };
}

/**
 * Deletes the admin SSH public keys. With no fingerprint, all of them, as kops's
 * `DeleteSSHCredential` does (`kops delete sshpublickey`); with one, only that file (NotFound when absent).
 */
export async function deleteSshPublicKeys(
  location: StoreLocation,
  fingerprint?: string,
  signal?: AbortSignal,
): Promise<DeleteResult> {
  const folder = adminFolder(location);
  if (fingerprint !== undefined) {
    const normalized = typeof fingerprint === 'string' ? fingerprint.replace(/:/g, '').toLowerCase() : '';
    if (!/^[0-9a-f]{32}$/.test(normalized))
      throw new StateStoreError(
        'InvalidArgument',
        `fingerprint must be an MD5 fingerprint (32 hex digits, colons allowed), got ${JSON.stringify(String(fingerprint).slice(0, 60))}`,
      );
    const key = `${folder}${normalized}`;
    // Vfs.delete is idempotent; a caller naming one key wants to hear that it was not there.
    await location.vfs.stat(key, { signal }).catch((err: unknown) => {
      if (isStateStoreError(err, 'NotFound'))
        throw new StateStoreError('NotFound', `SSH public key ${normalized} not found`, { key, cause: err });
      throw err;
    });
    await location.vfs.delete(key, { signal });
    return { deleted: 1 };
  }
  const keys: string[] = [];
  for await (const info of location.vfs.listAll({ prefix: folder, signal })) keys.push(info.key);
  for (const key of keys) await location.vfs.delete(key, { signal });
  return { deleted: keys.length };
}

/** The admin SSH public keys kops keeps for the cluster (kops: upup/pkg/fi/vfs_castore.go FindSSHPublicKeys). */
export async function listSshPublicKeys(location: StoreLocation, signal?: AbortSignal): Promise<SshPublicKey[]> {
  const prefix = adminFolder(location);
  const keys: SshPublicKey[] = [];
  for await (const info of location.vfs.listAll({ prefix, signal })) {
    const body = (await readCapped(location.vfs, info.key, { signal })).body;
    keys.push({ fingerprint: info.key.slice(prefix.length), publicKey: Buffer.from(body).toString('utf8').trim() });
  }
  return keys;
}
