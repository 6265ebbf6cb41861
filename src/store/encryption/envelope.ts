import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { isStateStoreError, StateStoreError } from '../../errors.js';
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
/**
 * The longest envelope a read accepts, in characters. Sealing refuses a value whose envelope would
 * be longer, so nothing is written that could not be read back (issue #14 item 2).
 */
export const MAX_ENVELOPE_CHARS = 16 * 1024 * 1024;
const MAX_TOKEN = MAX_ENVELOPE_CHARS;
/** Room for the prefix, the header (key id, wrapped key), nonce, tag and the four dots. */
const ENVELOPE_OVERHEAD_CHARS = 64 * 1024;

/** Turns the caller's option into a provider (raw or base64 keys become a {@link localKeyProvider}). */
export function toKeyProvider(option: EncryptionOption): KeyProvider {
  if (typeof option === 'object' && !(option instanceof Uint8Array) && 'generateDataKey' in option) return option;
  return localKeyProvider(option);
}

/**
 * True when a stored material string is shaped like a statestore envelope rather than kops's plain
 * base64: it starts with `ssenc` (any version, any case) or holds a `.`, which standard base64
 * never does. A tampered prefix (`ssenc2.`, `xsenc1.`, `ssenc1-`) therefore still counts as an
 * envelope, fails to open, and is reported as IntegrityError instead of being decoded as base64
 * (Node's lenient decoder would skip the `.` and `-` and return garbage: issue #14 item 1).
 */
export function isEnvelope(material: string): boolean {
  return /^ssenc/i.test(material) || material.includes('.');
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes kops's plain base64 material strictly: standard alphabet, padded, canonical (the spare
 * bits of the last character zero), as Go's `encoding/json` writes a `[]byte`
 * (`base64.StdEncoding`). Anything else is IntegrityError: Node's `Buffer.from(s, 'base64')`
 * would silently skip foreign characters and hand back other bytes.
 */
export function decodeBase64Strict(material: string, what: string): Uint8Array {
  if (!STD_BASE64.test(material))
    throw new StateStoreError('IntegrityError', `${what} is not valid base64 (kops writes standard, padded base64)`);
  const bytes = Buffer.from(material, 'base64');
  if (bytes.toString('base64') !== material)
    throw new StateStoreError('IntegrityError', `${what} is not canonical base64`);
  return new Uint8Array(bytes);
}

/** How {@link openStoredValue} treats a value. */
export interface OpenStoredValueOptions {
  /** Opens envelopes; when set, the store encrypts. */
  provider?: KeyProvider;
  /** With a provider, still accept kops's plain base64 (default: IntegrityError, see StateStoreOptions.allowPlaintext). */
  allowPlaintext?: boolean;
}

/**
 * Turns a stored material string (a secret's `Data`, a keyset item's material) into its bytes:
 * an envelope is opened (InvalidArgument without a provider, IntegrityError when it fails); plain
 * base64 is decoded strictly, and refused with IntegrityError in an encrypting store unless
 * `allowPlaintext`. `what` names the value in messages; `context` is the object's name sealed in.
 */
export async function openStoredValue(
  material: string,
  context: string,
  what: string,
  options: OpenStoredValueOptions = {},
): Promise<Uint8Array> {
  const { provider } = options;
  if (isEnvelope(material)) {
    if (provider === undefined) {
      // A well-formed envelope just needs the key; anything else shaped like one is damage.
      if (!material.startsWith(ENVELOPE_PREFIX))
        throw new StateStoreError(
          'IntegrityError',
          `${what} is neither kops's base64 nor a statestore envelope (altered?)`,
        );
      throw new StateStoreError(
        'InvalidArgument',
        `${what} is encrypted: open the store with an encryption key or key provider`,
      );
    }
    return openEnvelope(material, provider, context).catch((err: unknown) => {
      if (isStateStoreError(err)) throw new StateStoreError(err.code, `${what}: ${err.message}`, { cause: err });
      throw err;
    });
  }
  if (provider !== undefined && options.allowPlaintext !== true) {
    throw new StateStoreError(
      'IntegrityError',
      `${what} is not encrypted, but this store encrypts (someone may have replaced it; open the store with allowPlaintext: true to migrate)`,
    );
  }
  return decodeBase64Strict(material, what);
}

/** Seals `plaintext` for the object named `context` (its key in the store). */
export async function sealEnvelope(plaintext: Uint8Array, provider: KeyProvider, context: string): Promise<string> {
  // Checked before any key is made: the envelope's ciphertext alone is 4/3 of the plaintext.
  if (Math.ceil((plaintext.length * 4) / 3) + ENVELOPE_OVERHEAD_CHARS > MAX_TOKEN) {
    throw new StateStoreError(
      'InvalidArgument',
      `value too large to encrypt: ${plaintext.length} bytes; an envelope holds at most about ${Math.floor(((MAX_TOKEN - ENVELOPE_OVERHEAD_CHARS) * 3) / 4)} bytes`,
    );
  }
  const dataKey = await provider.generateDataKey(context);
  if (dataKey.plaintext.length !== DATA_KEY_BYTES)
    throw new StateStoreError(
      'InvalidArgument',
      `key provider returned a ${dataKey.plaintext.length}-byte data key; AES-256 needs ${DATA_KEY_BYTES}`,
    );
  const header = b64url(
    Buffer.from(JSON.stringify({ alg: ALG, kid: dataKey.keyId, wk: b64url(dataKey.wrapped) }), 'utf8'),
  );
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv);
  cipher.setAAD(contentAad(header, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const token = `${ENVELOPE_PREFIX}${header}.${b64url(iv)}.${b64url(ciphertext)}.${b64url(cipher.getAuthTag())}`;
  dataKey.plaintext.fill(0);
  // A provider's header could be larger than the room left for it: never write what cannot be read.
  if (token.length > MAX_TOKEN)
    throw new StateStoreError(
      'InvalidArgument',
      `encrypted value would be ${token.length} characters; reads accept at most ${MAX_TOKEN}`,
    );
  return token;
}

/** Opens an envelope sealed for `context`; IntegrityError when it was altered, truncated, moved or the key is wrong. */
export async function openEnvelope(token: string, provider: KeyProvider, context: string): Promise<Uint8Array> {
  const parts = parseToken(token);
  const dataKey = await provider.decryptDataKey(parts.keyId, parts.wrapped, context).catch((err: unknown) => {
    if (isStateStoreError(err)) throw err;
    throw new StateStoreError('IntegrityError', `key provider could not unwrap the data key (key "${parts.keyId}")`, {
      cause: err,
    });
  });
  if (dataKey.length !== DATA_KEY_BYTES)
    throw new StateStoreError('IntegrityError', 'unwrapped data key has the wrong length');
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, parts.iv);
    decipher.setAAD(contentAad(parts.header, context));
    decipher.setAuthTag(parts.tag);
    return new Uint8Array(Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]));
  } catch (err) {
    throw new StateStoreError(
      'IntegrityError',
      'encrypted value failed authentication: it was altered, truncated, or belongs to another object',
      { cause: err },
    );
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
  if (!token.startsWith(ENVELOPE_PREFIX)) throw broken(`it does not start with "${ENVELOPE_PREFIX}"`);
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
  if (typeof kid !== 'string' || typeof wk !== 'string' || !B64URL.test(wk))
    throw broken('header lacks its key id or wrapped key');
  const parsed = {
    header,
    keyId: kid,
    wrapped: strict(wk),
    iv: strict(iv),
    ciphertext: strict(ciphertext),
    tag: strict(tag),
  };
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
  if (bytes.toString('base64url') !== part)
    throw new StateStoreError('IntegrityError', 'malformed encrypted value: non-canonical base64url');
  return bytes;
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
