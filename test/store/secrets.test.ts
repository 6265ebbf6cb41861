/**
 * kops's secrets through the StateStore, on memory and file stores: every name kops uses (including
 * `system:*`), kops's exact `{"Data":"<base64>"}` bytes, Go's decoding rules, deleteSecret, and the
 * names refused (kops: upup/pkg/fi/secrets.go, upup/pkg/fi/secrets/vfs_secretstore*.go,
 * pkg/tokens/wellknown.go, cmd/kops/delete_secret.go).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Vfs } from '../../src/vfs/types.js';
import { isStateStoreError } from '../../src/errors.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import { validateSecretName } from '../../src/store/secrets.js';
import { fileTarget, memoryTarget, stopAll } from '../backends/targets.js';
import { errorCode, REPO_ROOT } from '../helpers/index.js';
import { loadTree, TREES } from './trees.js';

afterAll(stopAll);

/** pkg/tokens/wellknown.go, GetKubernetesAuthTokens_Deprecated(). */
const KOPS_TOKENS = [
  'kubelet',
  'kube-proxy',
  'system:scheduler',
  'system:controller_manager',
  'system:logging',
  'system:monitoring',
  'system:dns',
  'kube',
  'admin',
];
const TOKENS_DIR = path.join(REPO_ROOT, 'test/fixtures/secrets/tokens');
const FIXTURES = new Map(readdirSync(TOKENS_DIR).map((name) => [name, readFileSync(path.join(TOKENS_DIR, name))]));
const tree = TREES[0]!;
const cluster = tree.cluster;

async function keysUnder(vfs: Vfs, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of vfs.listAll({ prefix })) keys.push(info.key);
  return keys;
}

const tokenOf = (fixture: Buffer) =>
  Buffer.from((JSON.parse(fixture.toString('utf8')) as { Data: string }).Data, 'base64').toString('utf8');

it('has a fixture for every name of GetKubernetesAuthTokens_Deprecated', () => {
  expect([...FIXTURES.keys()].sort()).toEqual([...KOPS_TOKENS].sort());
});

describe.each([memoryTarget, fileTarget].map((t) => [t.name, t]))('secrets on %s', (_name, target) => {
  let vfs: Vfs;
  let store: StateStore;
  beforeEach(async () => {
    ({ vfs } = await target.fresh());
    await loadTree(vfs, tree);
    store = await openStateStore(vfs);
  });
  afterEach(() => vfs.close());

  it("lists, reads and writes every secret name kops uses, in kops's exact bytes", async () => {
    for (const [name, body] of FIXTURES) await vfs.write(`${cluster}/secrets/${name}`, body);
    const listed = await store.listSecrets(cluster);
    for (const name of KOPS_TOKENS) expect(listed).toContain(name);
    for (const [name, body] of FIXTURES) {
      const token = tokenOf(body);
      expect(token).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(Buffer.from(await store.getSecret(cluster, name)).toString('utf8')).toBe(token);
      // Rewritten, each is kops's file byte for byte (json.Marshal: no spaces, no newline).
      await store.putSecret(cluster, name, token, { overwrite: true });
      expect(Buffer.from((await vfs.read(`${cluster}/secrets/${name}`)).body).equals(body)).toBe(true);
    }
    // Written fresh into another cluster's store, too.
    const other = 'fresh.example.com';
    for (const [name, body] of FIXTURES) {
      const written = await store.putSecret(other, name, Buffer.from(tokenOf(body), 'utf8'));
      const read = await vfs.read(`${other}/secrets/${name}`);
      expect(Buffer.from(read.body).equals(body)).toBe(true);
      expect(written).toEqual({ version: read.info.version }); // a write reports the version it stored
    }
    expect((await store.listSecrets(other)).sort()).toEqual([...KOPS_TOKENS].sort());
  });

  it('deletes a secret (kops delete secret); deleting a missing one succeeds', async () => {
    await vfs.write(`${cluster}/secrets/system:dns`, FIXTURES.get('system:dns')!);
    await store.deleteSecret(cluster, 'system:dns');
    expect(await errorCode(store.getSecret(cluster, 'system:dns'))).toBe('NotFound');
    expect(await store.listSecrets(cluster)).not.toContain('system:dns');
    await store.deleteSecret(cluster, 'system:dns');
  });

  it('refuses names that are empty or would leave the secrets folder, naming the field, writing nothing', async () => {
    const before = await keysUnder(vfs, '');
    for (const name of ['', '.', '..', 'a/b', '../config', '..\\x', 'a\\b', 'a\0b', 'x'.repeat(256), '\uD800']) {
      for (const call of [
        store.putSecret(cluster, name, 'v', { overwrite: true }),
        store.getSecret(cluster, name),
        store.deleteSecret(cluster, name),
      ]) {
        const err = await call.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
        expect((err as Error).message).toContain('secret name');
      }
    }
    expect(await keysUnder(vfs, '')).toEqual(before);
    expect(() => validateSecretName('system:controller_manager')).not.toThrow();
    expect(() => validateSecretName('x'.repeat(255))).not.toThrow();
  });

  it('decodes as kops (Go encoding/json) does: case-insensitive "Data", null or absent is empty', async () => {
    const put = (name: string, body: string) => vfs.write(`${cluster}/secrets/${name}`, body);
    await put('lower', '{"data":"YQ=="}');
    await put('spaced', '{ "Data" : "YWJj" }\n');
    await put('null', '{"Data":null}');
    await put('absent', '{}');
    expect(Buffer.from(await store.getSecret(cluster, 'lower')).toString()).toBe('a');
    expect(Buffer.from(await store.getSecret(cluster, 'spaced')).toString()).toBe('abc');
    expect((await store.getSecret(cluster, 'null')).length).toBe(0);
    expect((await store.getSecret(cluster, 'absent')).length).toBe(0);
    await put('number', '{"Data":5}');
    await put('array', '["YQ=="]');
    await put('text', 'not json');
    for (const name of ['number', 'array', 'text'])
      expect(await errorCode(store.getSecret(cluster, name))).toBe('InvalidArgument');
  });

  it('decodes base64 strictly: foreign characters, missing padding or non-canonical bits are IntegrityError, not other bytes', async () => {
    for (const [name, data] of [
      ['junk', 'YW*Jj'],
      ['unpadded', 'YQ'],
      ['noncanonical', 'YR=='],
      ['urlsafe', 'a-_b'],
      ['newline', 'YWJj\n'],
    ] as const) {
      await vfs.write(`${cluster}/secrets/${name}`, JSON.stringify({ Data: data }));
      expect(await errorCode(store.getSecret(cluster, name))).toBe('IntegrityError');
    }
  });

  it('lists only the objects directly in the secrets folder (kops lists with ReadDir)', async () => {
    await vfs.write(`${cluster}/secrets/nested/deeper`, '{"Data":"YQ=="}');
    await vfs.write(`${cluster}/secrets/kube`, FIXTURES.get('kube')!);
    const listed = await store.listSecrets(cluster);
    expect(listed).toContain('kube');
    expect(listed.some((name) => name.includes('/'))).toBe(false);
  });
});
