/** Envelope encryption: AES-256-GCM per value, data keys wrapped by a key provider. */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { isStateStoreError } from '../../src/errors.js';
import {
  ENVELOPE_PREFIX,
  isEnvelope,
  openEnvelope,
  sealEnvelope,
  toKeyProvider,
} from '../../src/store/encryption/envelope.js';
import { localKeyProvider, type KeyProvider } from '../../src/store/encryption/key-provider.js';

const KEY = randomBytes(32);
const provider = localKeyProvider(KEY);
const CONTEXT = 'prod.example.com/secrets/admin';
// What kops's Go decoder (encoding/base64 StdEncoding) accepts.
const GO_STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (!isStateStoreError(err)) throw err;
    expect(err.code).toBe(code);
    return err;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

describe('sealEnvelope / openEnvelope', () => {
  it('round-trips any bytes, with a fresh nonce and data key each time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (plaintext) => {
        const token = await sealEnvelope(plaintext, provider, CONTEXT);
        expect(isEnvelope(token)).toBe(true);
        expect(Buffer.from(await openEnvelope(token, provider, CONTEXT))).toEqual(Buffer.from(plaintext));
      }),
      { numRuns: 50 },
    );
    const a = await sealEnvelope(Buffer.from('same'), provider, CONTEXT);
    const b = await sealEnvelope(Buffer.from('same'), provider, CONTEXT);
    expect(a).not.toBe(b);
  });

  it('is a token kops cannot mistake for base64, and that shows nothing of the plaintext', async () => {
    const secret = 'hunter2-very-secret-value';
    const token = await sealEnvelope(Buffer.from(secret), provider, CONTEXT);
    expect(token.startsWith(ENVELOPE_PREFIX)).toBe(true);
    expect(GO_STD_BASE64.test(token)).toBe(false);
    expect(token).not.toContain(secret);
    expect(token).not.toContain(Buffer.from(secret).toString('base64'));
    expect(token).not.toContain(KEY.toString('base64url'));
  });

  it('refuses every single-character change to the token as IntegrityError', async () => {
    const token = await sealEnvelope(Buffer.from('a secret worth protecting'), provider, CONTEXT);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), async (at, replacement) => {
        fc.pre(token[at] !== replacement);
        const altered = token.slice(0, at) + replacement + token.slice(at + 1);
        await expectCode(openEnvelope(altered, provider, CONTEXT), 'IntegrityError');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every truncation as IntegrityError', async () => {
    const token = await sealEnvelope(Buffer.from('x'.repeat(100)), provider, CONTEXT);
    for (let length = ENVELOPE_PREFIX.length; length < token.length; length++) {
      await expectCode(openEnvelope(token.slice(0, length), provider, CONTEXT), 'IntegrityError');
    }
  });

  it('refuses the wrong key, an unknown key id, and a value moved to another object', async () => {
    const token = await sealEnvelope(Buffer.from('payload'), provider, CONTEXT);
    const wrong = await expectCode(openEnvelope(token, localKeyProvider(randomBytes(32)), CONTEXT), 'IntegrityError');
    expect(wrong.message).not.toContain(KEY.toString('base64'));
    await expectCode(
      openEnvelope(token, localKeyProvider({ current: 'other', keys: { other: randomBytes(32) } }), CONTEXT),
      'IntegrityError',
    );
    await expectCode(openEnvelope(token, provider, 'prod.example.com/secrets/kube'), 'IntegrityError');
  });

  it('rotates: old values open with the old key, new ones are sealed with the current one', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const old = await sealEnvelope(Buffer.from('old'), localKeyProvider({ current: 'k1', keys: { k1 } }), CONTEXT);
    const rotated = localKeyProvider({ current: 'k2', keys: { k1, k2 } });
    expect(Buffer.from(await openEnvelope(old, rotated, CONTEXT)).toString()).toBe('old');
    const fresh = await sealEnvelope(Buffer.from('new'), rotated, CONTEXT);
    expect(
      Buffer.from(await openEnvelope(fresh, localKeyProvider({ current: 'k2', keys: { k2 } }), CONTEXT)).toString(),
    ).toBe('new');
    await expectCode(openEnvelope(fresh, localKeyProvider({ current: 'k1', keys: { k1 } }), CONTEXT), 'IntegrityError');
  });

  it('accepts keys as base64 text, and refuses keys of the wrong size without echoing them', () => {
    const viaText = toKeyProvider(KEY.toString('base64'));
    expect(typeof viaText.generateDataKey).toBe('function');
    const short = randomBytes(16);
    let message = '';
    try {
      toKeyProvider(short.toString('base64'));
    } catch (err) {
      expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
      message = (err as Error).message;
    }
    expect(message).toMatch(/32 bytes/);
    expect(message).not.toContain(short.toString('base64'));
    expect(() => localKeyProvider({ current: 'missing', keys: { k1: KEY } })).toThrow(/current key id/);
    expect(() => localKeyProvider({ current: 'bad id', keys: { 'bad id': KEY } })).toThrow(/invalid key id/);
  });

  it('works with a pluggable provider (a KMS stand-in) and maps its failures to IntegrityError', async () => {
    const kek = randomBytes(32);
    const inner = localKeyProvider({ current: 'kms-key-1', keys: { 'kms-key-1': kek } });
    const calls: string[] = [];
    const kms: KeyProvider = {
      generateDataKey: async (context) => {
        calls.push(`generate ${context}`);
        return inner.generateDataKey(context);
      },
      decryptDataKey: async (keyId, wrapped, context) => {
        calls.push(`decrypt ${keyId} ${context}`);
        if (keyId === 'kms-key-1' && context.endsWith('/denied')) throw new Error('AccessDeniedException from KMS');
        return inner.decryptDataKey(keyId, wrapped, context);
      },
    };
    expect(toKeyProvider(kms)).toBe(kms);
    const token = await sealEnvelope(Buffer.from('via kms'), kms, CONTEXT);
    expect(Buffer.from(await openEnvelope(token, kms, CONTEXT)).toString()).toBe('via kms');
    expect(calls).toEqual([`generate ${CONTEXT}`, `decrypt kms-key-1 ${CONTEXT}`]);
    const denied = await sealEnvelope(Buffer.from('x'), kms, 'c/secrets/denied');
    await expectCode(openEnvelope(denied, kms, 'c/secrets/denied'), 'IntegrityError');
    const badProvider: KeyProvider = {
      ...kms,
      generateDataKey: async () => ({ keyId: 'k', plaintext: randomBytes(16), wrapped: randomBytes(8) }),
    };
    await expectCode(sealEnvelope(Buffer.from('x'), badProvider, CONTEXT), 'InvalidArgument');
    const shortUnwrap: KeyProvider = { ...kms, decryptDataKey: async () => randomBytes(16) };
    await expectCode(openEnvelope(token, shortUnwrap, CONTEXT), 'IntegrityError');
  });
});
