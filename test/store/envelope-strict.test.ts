/**
 * Strict stored values (issue #14 items 1 and 2): a tampered envelope prefix is IntegrityError,
 * never garbage; plain base64 is decoded canonically; an encrypting store refuses plain values
 * unless allowPlaintext; nothing is sealed that a read would refuse. On memory and file stores.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { Vfs } from '../../src/vfs/types.js';
import { isStateStoreError } from '../../src/errors.js';
import { openStateStore } from '../../src/store/open.js';
import {
  decodeBase64Strict,
  ENVELOPE_PREFIX,
  isEnvelope,
  MAX_ENVELOPE_CHARS,
  openStoredValue,
  sealEnvelope,
} from '../../src/store/encryption/envelope.js';
import { localKeyProvider } from '../../src/store/encryption/key-provider.js';
import { fileTarget, memoryTarget, stopAll } from '../backends/targets.js';
import { loadTree, TREES } from './trees.js';
import { errorCode } from '../helpers/index.js';

afterAll(stopAll);

const KEY = randomBytes(32);
const tree = TREES[0]!;
const cluster = tree.cluster;

/** Every one-character change of the `ssenc1.` prefix, and a few wholesale ones. */
function tamperedPrefixes(token: string): string[] {
  const body = token.slice(ENVELOPE_PREFIX.length);
  const out = new Set<string>();
  for (let i = 0; i < ENVELOPE_PREFIX.length; i++) {
    for (const c of ['2', '0', 'x', 'S', '.', '-', '_', 'A', '+', '/']) {
      const prefix = ENVELOPE_PREFIX.slice(0, i) + c + ENVELOPE_PREFIX.slice(i + 1);
      if (prefix !== ENVELOPE_PREFIX) out.add(prefix + body);
    }
    out.add(ENVELOPE_PREFIX.slice(0, i) + ENVELOPE_PREFIX.slice(i + 1) + body); // a character dropped
  }
  for (const prefix of ['ssenc2.', 'ssenc10.', 'SSENC1.', 'ssenc1-', 'ssenc.', '']) out.add(prefix + body);
  return [...out];
}

describe('decodeBase64Strict and isEnvelope', () => {
  it('accepts exactly what Go writes for a []byte (standard, padded, canonical)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(Buffer.from(decodeBase64Strict(text, 'v'))).toEqual(Buffer.from(bytes));
        expect(isEnvelope(text)).toBe(false);
      }),
    );
    for (const bad of ['YR==', 'YWJ', 'YW Jj', 'YW.Jj', 'YW-J', 'YW_J', 'YWJj\n', '=YWJ', 'YQ===']) {
      expect(() => decodeBase64Strict(bad, 'v')).toThrow(expect.objectContaining({ code: 'IntegrityError' }));
    }
  });

  it('treats anything with a "." or an ssenc prefix as an envelope', () => {
    for (const text of tamperedPrefixes(`${ENVELOPE_PREFIX}aGVhZA.aXY.Y3Q.dGFn`)) expect(isEnvelope(text)).toBe(true);
  });
});

describe.each([memoryTarget, fileTarget].map((t) => [t.name, t]))('strict stored values on %s', (_name, target) => {
  let vfs: Vfs;
  beforeEach(async () => {
    ({ vfs } = await target.fresh());
    await loadTree(vfs, tree);
  });
  afterEach(() => vfs.close());

  it('a tampered envelope prefix in a secret is IntegrityError, with or without the key, never garbage', async () => {
    const store = await openStateStore(vfs, { encryption: KEY });
    await store.putSecret(cluster, 'kube', 'admin-token');
    const stored = JSON.parse(Buffer.from((await vfs.read(`${cluster}/secrets/kube`)).body).toString()) as {
      Data: string;
    };
    const plainStore = await openStateStore(vfs);
    for (const token of tamperedPrefixes(stored.Data)) {
      await vfs.write(`${cluster}/secrets/tampered`, JSON.stringify({ Data: token }));
      expect([token, await errorCode(store.getSecret(cluster, 'tampered'))]).toEqual([token, 'IntegrityError']);
      expect([token, await errorCode(plainStore.getSecret(cluster, 'tampered'))]).toEqual([token, 'IntegrityError']);
    }
  });

  it('a tampered envelope prefix on a private key is IntegrityError (keysets go through isEnvelope/openEnvelope)', async () => {
    const migrating = await openStateStore(vfs, { encryption: KEY, allowPlaintext: true });
    const fixture = await migrating.getKeyset(cluster, 'kubernetes-ca');
    await migrating.putKeyset(cluster, { ...fixture, name: 'sealed-ca' });
    const key = `${cluster}/pki/private/sealed-ca/keyset.yaml`;
    const text = Buffer.from((await vfs.read(key)).body).toString();
    expect(text).toContain(`privateMaterial: ${ENVELOPE_PREFIX}`);
    for (const prefix of ['ssenc2.', 'ssenc1-', 'xsenc1.']) {
      await vfs.write(key, text.replace(`privateMaterial: ${ENVELOPE_PREFIX}`, `privateMaterial: ${prefix}`));
      expect([prefix, await errorCode(migrating.getKeyset(cluster, 'sealed-ca'))]).toEqual([prefix, 'IntegrityError']);
    }
  });

  it('an encrypting store refuses a plain secret (IntegrityError) unless allowPlaintext, which is how a store migrates', async () => {
    await vfs.write(
      `${cluster}/secrets/kubelet`,
      JSON.stringify({ Data: Buffer.from('kops-token').toString('base64') }),
    );
    expect(await errorCode((await openStateStore(vfs, { encryption: KEY })).getSecret(cluster, 'kubelet'))).toBe(
      'IntegrityError',
    );
    expect(
      await errorCode(
        (await openStateStore(vfs, { encryption: KEY, allowPlaintext: false })).getSecret(cluster, 'kubelet'),
      ),
    ).toBe('IntegrityError');
    // A store without encryption reads kops's plain secrets as always.
    expect(Buffer.from(await (await openStateStore(vfs)).getSecret(cluster, 'kubelet')).toString()).toBe('kops-token');
    // The migration SECURITY.md describes: read with allowPlaintext, rewrite, then the strict store reads it.
    const migrating = await openStateStore(vfs, { encryption: KEY, allowPlaintext: true });
    for (const name of await migrating.listSecrets(cluster)) {
      await migrating.putSecret(cluster, name, await migrating.getSecret(cluster, name), { overwrite: true });
    }
    expect(
      Buffer.from(await (await openStateStore(vfs, { encryption: KEY })).getSecret(cluster, 'kubelet')).toString(),
    ).toBe('kops-token');
  });

  it('refuses to seal a secret larger than a read accepts (InvalidArgument), writing nothing', async () => {
    const store = await openStateStore(vfs, { encryption: KEY });
    const tooBig = new Uint8Array(Math.ceil((MAX_ENVELOPE_CHARS * 3) / 4));
    const err = await store.putSecret(cluster, 'huge', tooBig).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
    expect(await errorCode(vfs.stat(`${cluster}/secrets/huge`))).toBe('NotFound');
    // One megabyte seals and reads back.
    const big = randomBytes(1024 * 1024);
    await store.putSecret(cluster, 'big', big);
    expect(Buffer.from(await store.getSecret(cluster, 'big')).equals(big)).toBe(true);
  });
});

it('openStoredValue: a well-formed envelope without a provider is InvalidArgument (needs the key)', async () => {
  const token = await sealEnvelope(Buffer.from('x'), localKeyProvider(KEY), 'c');
  expect(await errorCode(openStoredValue(token, 'c', 'v'))).toBe('InvalidArgument');
  expect(await errorCode(openStoredValue(token.replace('ssenc1.', 'ssenc9.'), 'c', 'v'))).toBe('IntegrityError');
  expect(Buffer.from(await openStoredValue(token, 'c', 'v', { provider: localKeyProvider(KEY) })).toString()).toBe('x');
});
