import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { isStateStoreError, StateStoreError } from '../vfs/errors.js';
import { DATA_KEY_BYTES, localKeyProvider, type KeyProvider, type LocalKeys } from './key-provider.js';

/**
 * Envelope encryption for secrets and private keys: each value is sealed with AES-256-GCM under
 * its own random data key, and the data key is stored wrapped by a {@link KeyProvider}.
 *
 * The sealed value is one ASCII token, stored where kops keeps the base64 material (a secret's
 * `Data`, a keyset item's `privateMaterial`):
 *
 *     ssenc1.<header>.<iv>.<ciphertext>.<tag>        (each part base64url, header is JSON {alg, kid, wk})
 *
 * kops itself cannot read such a value, by design: `.` and `-` are not base64, so kops fails with
 * "illegal base64 data" instead of silently using garbage. Only statestore, with the key, reads it.
 *
 * The header and the object's name (its key in the store) are authenticated, so an altered, truncated
 * or moved value, or the wrong key, fails with IntegrityError; nothing of the plaintext or the keys
 * ever appears in a message.
 */
export const ENVELOPE_PREFIX = 'ssenc1.';

/** How a store encrypts: a {@link KeyProvider}, or keys the caller holds (see {@link localKeyProvider}). */
export type EncryptionOption = KeyProvider | Uint8Array | string | LocalKeys;

const ALG = 'A256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;
const MAX_TOKEN = 16 * 1024 * 1024;

/** Turns the caller's option into a provider (raw or base64 keys become a {@link localKeyProvider}). */
export function toKeyProvider(option: EncryptionOption): KeyProvider {
  if (typeof option === 'object' && !(option instanceof Uint8Array) && 'generateDataKey' in option) return option;
  return localKeyProvider(option);
}

/** True when a stored material string is a statestore envelope rather than kops's plain base64. */
export function isEnvelope(material: string): boolean {
  return material.startsWith(ENVELOPE_PREFIX);
}

/** Seals `plaintext` for the object named `context` (its key in the store). */
export async function sealEnvelope(plaintext: Uint8Array, provider: KeyProvider, context: string): Promise<string> {
  const dataKey = await provider.generateDataKey(context);
  if (dataKey.plaintext.length !== DATA_KEY_BYTES) throw new StateStoreError('InvalidArgument', `key provider returned a ${dataKey.plaintext.length}-byte data key; AES-256 needs ${DATA_KEY_BYTES}`);
  const header = b64url(Buffer.from(JSON.stringify({ alg: ALG, kid: dataKey.keyId, wk: b64url(dataKey.wrapped) }), 'utf8'));
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv);
  cipher.setAAD(contentAad(header, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const token = `${ENVELOPE_PREFIX}${header}.${b64url(iv)}.${b64url(ciphertext)}.${b64url(cipher.getAuthTag())}`;
  dataKey.plaintext.fill(0);
  return token;
}

/** Opens an envelope sealed for `context`; IntegrityError when it was altered, truncated, moved or the key is wrong. */
export async function openEnvelope(token: string, provider: KeyProvider, context: string): Promise<Uint8Array> {
  const parts = parseToken(token);
  const dataKey = await provider.decryptDataKey(parts.keyId, parts.wrapped, context).catch((err: unknown) => {
    if (isStateStoreError(err)) throw err;
    throw new StateStoreError('IntegrityError', `key provider could not unwrap the data key (key "${parts.keyId}")`, { cause: err });
  });
  if (dataKey.length !== DATA_KEY_BYTES) throw new StateStoreError('IntegrityError', 'unwrapped data key has the wrong length');
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, parts.iv);
    decipher.setAAD(contentAad(parts.header, context));
    decipher.setAuthTag(parts.tag);
    return new Uint8Array(Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]));
  } catch (err) {
    throw new StateStoreError('IntegrityError', 'encrypted value failed authentication: it was altered, truncated, or belongs to another object', { cause: err });
  } finally {
    dataKey.fill(0);
  }
}

interface TokenParts {
  header: string;
  keyId: string;
  wrapped: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function parseToken(token: string): TokenParts {
  const broken = (why: string) => new StateStoreError('IntegrityError', `malformed encrypted value: ${why}`);
  if (!isEnvelope(token)) throw broken(`it does not start with "${ENVELOPE_PREFIX}"`);
  if (token.length > MAX_TOKEN) throw broken('too large');
  const parts = token.slice(ENVELOPE_PREFIX.length).split('.');
  if (parts.length !== 4 || !parts.every((part) => B64URL.test(part))) throw broken('expected four base64url parts');
  const [header, iv, ciphertext, tag] = parts as [string, string, string, string];
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    throw broken('unreadable header');
  }
  const { alg, kid, wk } = (fields ?? {}) as { alg?: unknown; kid?: unknown; wk?: unknown };
  if (alg !== ALG) throw broken('unknown algorithm');
  if (typeof kid !== 'string' || typeof wk !== 'string' || !B64URL.test(wk)) throw broken('header lacks its key id or wrapped key');
  const parsed = { header, keyId: kid, wrapped: strict(wk), iv: strict(iv), ciphertext: strict(ciphertext), tag: strict(tag) };
  // Node accepts short GCM tags unless told otherwise; a truncated tag must not weaken the check.
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) throw broken('wrong nonce or tag length');
  return parsed;
}

// The ciphertext is bound to its header (algorithm, key id, wrapped key) and to the object's name.
function contentAad(header: string, context: string): Buffer {
  return Buffer.from(`statestore-envelope-v1\n${header}\n${context}`, 'utf8');
}

// base64url ignores the spare low bits of a last character; insisting on the canonical spelling
// means that every change to the token, not just most, is refused.
function strict(part: string): Buffer {
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.toString('base64url') !== part) throw new StateStoreError('IntegrityError', 'malformed encrypted value: non-canonical base64url');
  return bytes;
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
