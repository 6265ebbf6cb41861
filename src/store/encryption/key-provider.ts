import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StateStoreError } from '../../errors.js';

/** A fresh data key: the plaintext to encrypt one object with, and its wrapped form stored beside it. */
export interface DataKey {
  /** Names the key-encryption key that wrapped it; stored in the envelope, never secret. */
  keyId: string;
  /** 32 bytes for AES-256-GCM. Used once, then dropped. */
  plaintext: Uint8Array;
  /** The data key encrypted by the key-encryption key. */
  wrapped: Uint8Array;
}

/**
 * Where data keys come from: the seam for a cloud KMS (AWS KMS `GenerateDataKey`/`Decrypt`, Cloud
 * KMS, Key Vault wrapKey/unwrapKey) or a key held by the caller ({@link localKeyProvider}).
 * `context` names the object being encrypted (its key in the store); a provider may bind it as
 * additional authenticated data or an encryption context.
 *
 * A provider that cannot unwrap a key (wrong key, tampered wrapped key) should throw a
 * StateStoreError with code IntegrityError (any other error it throws is reported as one).
 * Return a fresh buffer each time: statestore zeroes the plaintext data key once it is used.
 */
export interface KeyProvider {
  /**
   * A fresh 32-byte data key for the object named `context`, and its wrapped form (as AWS KMS
   * `GenerateDataKey` returns). Called once per value written.
   */
  generateDataKey(context: string): Promise<DataKey>;
  /**
   * The plaintext data key that `wrapped` holds, unwrapped with the key `keyId` names, for the
   * object named `context` (the same context it was generated for). Called once per value read.
   */
  decryptDataKey(keyId: string, wrapped: Uint8Array, context: string): Promise<Uint8Array>;
}

/** Keys held by the caller: one or several (for rotation), each 32 bytes, raw or base64. */
export interface LocalKeys {
  /** The id new data keys are wrapped with. */
  current: string;
  /** Every key that may still be needed to decrypt, by id (ids are stored in the clear). */
  keys: Readonly<Record<string, Uint8Array | string>>;
}

const KEY_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

/** Accepts 32 raw bytes or their base64 (standard or URL-safe); the key itself never reaches a message. */
export function toKeyBytes(key: Uint8Array | string, what: string): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key.trim(), 'base64') : Buffer.from(key);
  if (bytes.length !== DATA_KEY_BYTES) {
    throw new StateStoreError(
      'InvalidArgument',
      `${what} must be ${DATA_KEY_BYTES} bytes (AES-256), got ${bytes.length}`,
    );
  }
  return bytes;
}

/**
 * A {@link KeyProvider} over keys the caller holds: each object gets its own random data key,
 * wrapped with AES-256-GCM under the current key-encryption key (the key id and the object's
 * name are authenticated with it). Several keys allow rotation: new writes use `current`, reads
 * find the key by the id stored in the envelope.
 *
 * @example
 * ```ts
 * import { localKeyProvider } from 'kops-statestore';
 * declare const oldKey: string, newKey: string; // 32 bytes each, base64
 *
 * const provider = localKeyProvider(process.env.STATESTORE_KEY!); // one base64 key
 * const rotated = localKeyProvider({ current: 'k2', keys: { k1: oldKey, k2: newKey } });
 * ```
 */
export function localKeyProvider(keys: Uint8Array | string | LocalKeys): KeyProvider {
  const spec: LocalKeys =
    typeof keys === 'string' || keys instanceof Uint8Array ? { current: 'local', keys: { local: keys } } : keys;
  const table = new Map<string, Buffer>();
  for (const [id, key] of Object.entries(spec.keys)) {
    if (!KEY_ID.test(id))
      throw new StateStoreError(
        'InvalidArgument',
        `invalid key id ${JSON.stringify(id.slice(0, 40))}: letters, digits, ".", "_", ":" and "-"`,
      );
    table.set(id, toKeyBytes(key, `key "${id}"`));
  }
  const current = table.get(spec.current);
  if (current === undefined)
    throw new StateStoreError('InvalidArgument', `the current key id "${spec.current}" is not among the keys`);
  return {
    async generateDataKey(context) {
      const plaintext = randomBytes(DATA_KEY_BYTES);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(wrapAad(spec.current, context));
      const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { keyId: spec.current, plaintext, wrapped: Buffer.concat([iv, sealed, cipher.getAuthTag()]) };
    },
    async decryptDataKey(keyId, wrapped, context) {
      const kek = table.get(keyId);
      if (kek === undefined)
        throw new StateStoreError(
          'IntegrityError',
          `data key was wrapped with key "${keyId}", which this key provider does not hold`,
        );
      if (wrapped.length !== IV_BYTES + DATA_KEY_BYTES + TAG_BYTES)
        throw new StateStoreError('IntegrityError', 'wrapped data key has the wrong length');
      const buffer = Buffer.from(wrapped);
      try {
        const decipher = createDecipheriv('aes-256-gcm', kek, buffer.subarray(0, IV_BYTES));
        decipher.setAAD(wrapAad(keyId, context));
        decipher.setAuthTag(buffer.subarray(IV_BYTES + DATA_KEY_BYTES));
        return Buffer.concat([decipher.update(buffer.subarray(IV_BYTES, IV_BYTES + DATA_KEY_BYTES)), decipher.final()]);
      } catch (err) {
        throw new StateStoreError(
          'IntegrityError',
          `cannot unwrap the data key with key "${keyId}": wrong key, or the envelope was altered`,
          { cause: err },
        );
      }
    },
  };
}

// The wrapped key is bound to its key id and to the object it protects, so it cannot be moved.
function wrapAad(keyId: string, context: string): Buffer {
  return Buffer.from(`statestore-wrap-v1\n${keyId}\n${context}`, 'utf8');
}
