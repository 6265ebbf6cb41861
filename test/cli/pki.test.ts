import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMPLEX, makeStore, requireBuiltCli, run } from './harness.js';

/** Parsed CLI output or YAML, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side JSON walked by known paths
type Loose = any;

/** A fresh `ssh-rsa AAAA...` line (RFC 4253 wire format: string "ssh-rsa", mpint e, mpint n). */
function sshRsaPublicKey(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const field = (bytes: Buffer): Buffer =>
    Buffer.concat([Buffer.from([0, 0, (bytes.length >> 8) & 0xff, bytes.length & 0xff]), bytes]);
  const mpint = (b64url: string): Buffer => {
    const raw = Buffer.from(b64url, 'base64url');
    return field(raw[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
  };
  return `ssh-rsa ${Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]).toString('base64')} test@example`;
}

describe('statestore keypair, SSH key and secret verbs (built bin)', () => {
  let store: { dir: string; url: string };
  beforeAll(() => {
    requireBuiltCli();
    store = makeStore([COMPLEX]);
  });
  const json = async (args: string[], input?: string): Promise<Loose> => {
    const result = await run([...args, '--name', COMPLEX.cluster, '--json'], {
      state: store.url,
      ...(input === undefined ? {} : { input }),
    });
    expect({ args, code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
      args,
      code: 0,
      stderr: '',
    });
    return JSON.parse(result.stdout);
  };

  it('rotates a CA as kops does: create keypair, promote, distrust, trust', async () => {
    const before = (await json(['get', 'keypairs'])) as Array<{ id: string; primary: boolean }>;
    const old = before.find((item) => item.primary)!.id;
    const created = await json(['create', 'keypair', 'kubernetes-ca']);
    expect(created).toMatchObject({ keyset: 'kubernetes-ca', primary: false });
    expect(await json(['promote', 'keypair', 'kubernetes-ca', created.id])).toMatchObject({
      id: created.id,
      promoted: true,
    });
    expect(await json(['distrust', 'keypair', 'kubernetes-ca', old])).toEqual({
      keyset: 'kubernetes-ca',
      distrusted: [old],
    });
    const listed = (await json(['get', 'keypairs'])) as Array<{ id: string; primary: boolean }>;
    expect(listed).toEqual([expect.objectContaining({ id: created.id, primary: true })]); // distrusted keys are not listed, as in kops
    expect(await json(['trust', 'keypair', 'kubernetes-ca', old])).toEqual({ keyset: 'kubernetes-ca', trusted: [old] });
  });

  it('seals new private keys with STATESTORE_KEY; reading them needs the key', async () => {
    const key = { STATESTORE_KEY: Buffer.alloc(32, 7).toString('base64') };
    const sealed = makeStore([COMPLEX]);
    const created = await run(
      ['create', 'keypair', 'service-account', '--name', COMPLEX.cluster, '--primary', '--json'],
      { state: sealed.url, env: key },
    );
    expect(created.code).toBe(0);
    const stored = readFileSync(
      path.join(sealed.dir, COMPLEX.cluster, 'pki/private/service-account/keyset.yaml'),
      'utf8',
    );
    expect(stored).not.toContain('PRIVATE KEY');
    const [withKey, withoutKey] = await Promise.all([
      run(['get', 'keypairs', 'service-account', '--name', COMPLEX.cluster, '--json'], { state: sealed.url, env: key }),
      run(['get', 'keypairs', 'service-account', '--name', COMPLEX.cluster, '--json'], { state: sealed.url }),
    ]);
    expect(JSON.parse(withKey.stdout)).toEqual([
      expect.objectContaining({ name: 'service-account', primary: true, hasPrivate: true }),
    ]);
    expect(withoutKey.code).toBe(4);
    expect(withoutKey.stderr).toContain('is encrypted: open the store with an encryption key');
  });

  it("export --include-secrets writes sealed and plain values in kops's plain format", async () => {
    const key = { STATESTORE_KEY: Buffer.alloc(32, 9).toString('base64') };
    const sealed = makeStore([COMPLEX]);
    expect(
      (
        await run(['create', 'keypair', 'service-account', '--name', COMPLEX.cluster, '--primary'], {
          state: sealed.url,
          env: key,
        })
      ).code,
    ).toBe(0);
    const sealedText = readFileSync(
      path.join(sealed.dir, COMPLEX.cluster, 'pki/private/service-account/keyset.yaml'),
      'utf8',
    );
    expect(/privateMaterial: (\S+)/.exec(sealedText)![1]).toMatch(/^ssenc1\./);
    const to = path.join(makeStore([]).dir, 'export');
    const exported = await run(['export', COMPLEX.cluster, '--to', to, '--include-secrets', '--json'], {
      state: sealed.url,
      env: { ...key, STATESTORE_ALLOW_PLAINTEXT: '1' },
    });
    expect({ code: exported.code, stderr: exported.stderr }).toEqual({ code: 0, stderr: '' });
    const written = (JSON.parse(exported.stdout) as { written: string[] }).written;
    expect(written).toContain(`${COMPLEX.cluster}/pki/private/service-account/keyset.yaml`);
    // The exported keyset is kops's plain format: base64 PEM a kops reader decodes, no envelope.
    const plain = readFileSync(path.join(to, COMPLEX.cluster, 'pki/private/service-account/keyset.yaml'), 'utf8');
    const material = /privateMaterial: (\S+)/.exec(plain)![1]!;
    expect(Buffer.from(material, 'base64').toString('utf8')).toContain('PRIVATE KEY-----');
    // A secret kops wrote comes out byte for byte as kops's {"Data": ...}.
    const secret = written.find((k) => k.includes('/secrets/'))!;
    expect(readFileSync(path.join(to, secret), 'utf8')).toBe(readFileSync(path.join(sealed.dir, secret), 'utf8'));
    // Without the key, the sealed keyset cannot be exported: a typed refusal, not garbage.
    const refused = await run(['export', COMPLEX.cluster, '--to', `${to}-2`, '--include-secrets'], {
      state: sealed.url,
    });
    expect(refused.code).toBe(4);
  });

  it('adds an SSH key from stdin, deletes SSH keys and secrets', async () => {
    const { id } = await json(['create', 'sshpublickey', '-i', '-'], sshRsaPublicKey());
    expect((await json(['get', 'sshpublickeys'])).map((key: { id: string }) => key.id)).toContain(id);
    expect(await json(['delete', 'sshpublickey', '--id', id])).toEqual({ deleted: 1 });
    expect(await json(['delete', 'secret', 'admin'])).toEqual({ deleted: ['admin'] });
    const missing = await run(['get', 'secrets', 'admin', '--name', COMPLEX.cluster], { state: store.url });
    expect(missing.code).toBe(3);
  });
});
