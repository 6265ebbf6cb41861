/**
 * `export` leaves out every secret and key location the config names, wherever it points, the
 * live lease and etcd backups, and writes 0600 files in 0700 folders (issue #25.3); with
 * `--include-secrets` the plain values go to the export's own default folders, never to a store
 * the exported config names (built bin).
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeStore, MINIMAL, requireBuiltCli, run, tempDir } from './harness.js';
import { exportExclusions } from '../../src/store/export-exclusions.js';

const cluster = MINIMAL.cluster;
const SECRET = 'TOP-SECRET-VALUE-7f3a';
const KEY = 'PRIVATE-KEY-MATERIAL-91c2';
const LEASE = 'LEASE-OWNER-TOKEN-55aa';
const ETCD = 'ETCD-SNAPSHOT-BYTES-0bd4';

function put(dir: string, key: string, body: string, mode = 0o644): void {
  const file = path.join(dir, ...key.split('/'));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body, { mode });
  chmodSync(file, mode);
}

/** Every file under `dir`, with its mode, and every folder's mode. */
function walk(dir: string): { files: Map<string, number>; folders: Map<string, number> } {
  const files = new Map<string, number>();
  const folders = new Map<string, number>();
  const visit = (folder: string) => {
    folders.set(folder, statSync(folder).mode & 0o777);
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) visit(full);
      else files.set(full, statSync(full).mode & 0o777);
    }
  };
  visit(dir);
  return { files, folders };
}

/** A store whose config keeps secrets, keys and etcd backups in folders of the cluster's own choosing. */
function hostileStore(): { dir: string; url: string } {
  const store = makeStore([MINIMAL]);
  const configFile = path.join(store.dir, cluster, 'config');
  const text = readFileSync(configFile, 'utf8');
  const fields = `  secretStore: ${store.url}/${cluster}/vault\n` + `  keyStore: ${store.url}/${cluster}/keys\n`;
  writeFileSync(configFile, text.replace('\nspec:\n', `\nspec:\n${fields}`));
  const secretJson = JSON.stringify({ Data: Buffer.from(SECRET).toString('base64') });
  put(store.dir, `${cluster}/vault/admin`, secretJson);
  put(store.dir, `${cluster}/secrets/kube`, secretJson);
  put(store.dir, `${cluster}/keys/private/ca/keyset.yaml`, `privateMaterial: ${KEY}\n`);
  put(store.dir, `${cluster}/pki/private/old/keyset.yaml`, `privateMaterial: ${KEY}\n`);
  put(store.dir, `${cluster}/backups/statestore/lease`, `{"owner":"${LEASE}"}`);
  put(store.dir, `${cluster}/backups/etcd/main/2026-01-01/etcd.backup.gz`, ETCD);
  return store;
}

describe('statestore export (built bin)', () => {
  beforeAll(requireBuiltCli);

  it('leaves out configured secret and key stores, the lease and etcd backups; writes 0600 / 0700', async () => {
    const store = hostileStore();
    const to = path.join(tempDir(), 'export');
    // A file of an earlier export, left world-readable: rewritten 0600.
    put(to, `${cluster}/kops-version.txt`, 'old', 0o644);
    const result = await run(['export', cluster, '--to', to, '--json'], { state: store.url });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const { skipped } = JSON.parse(result.stdout) as { skipped: string[] };
    expect(skipped).toEqual(
      expect.arrayContaining([
        `${cluster}/backups/etcd/main/2026-01-01/etcd.backup.gz`,
        `${cluster}/backups/statestore/lease`,
        `${cluster}/keys/private/ca/keyset.yaml`,
        `${cluster}/pki/private/old/keyset.yaml`,
        `${cluster}/secrets/kube`,
        `${cluster}/vault/admin`,
      ]),
    );
    for (const key of skipped)
      expect(key).toMatch(/\/(secrets|pki\/private|vault|keys\/private|backups\/etcd)\/|\/lease$/);
    // etcd-manager's control files (the etcd cluster's spec, no secret) are kept.
    const { files, folders } = walk(to);
    expect([...files.keys()]).toContain(path.join(to, cluster, 'backups/etcd/main/control/etcd-cluster-spec'));
    expect(files.size).toBeGreaterThan(3);
    for (const [file, mode] of files) {
      expect({ file, mode: mode.toString(8) }).toEqual({ file, mode: '600' });
      const body = readFileSync(file, 'utf8');
      for (const marker of [SECRET, Buffer.from(SECRET).toString('base64'), KEY, LEASE, ETCD])
        expect({ file, leaked: body.includes(marker) }).toEqual({ file, leaked: false });
    }
    // `to` itself is the caller's folder (made here by the test, 0755): left as it is.
    for (const [folder, mode] of folders)
      if (folder !== to) expect({ folder, mode: mode.toString(8) }).toEqual({ folder, mode: '700' });
  });

  it('--include-secrets writes plain values into the export, never into a store its config names', async () => {
    const store = makeStore([MINIMAL]);
    const vault = tempDir();
    const secretJson = JSON.stringify({ Data: Buffer.from(SECRET).toString('base64') });
    put(vault, 'admin', secretJson);
    const before = statSync(path.join(vault, 'admin'));
    const configFile = path.join(store.dir, cluster, 'config');
    writeFileSync(
      configFile,
      readFileSync(configFile, 'utf8').replace('\nspec:\n', `\nspec:\n  secretStore: ${pathToFileURL(vault).href}\n`),
    );
    const to = path.join(tempDir(), 'export');
    for (const attempt of [1, 2]) {
      const result = await run(['export', cluster, '--to', to, '--include-secrets', '--json'], { state: store.url });
      expect({ attempt, code: result.code, stderr: result.stderr }).toEqual({ attempt, code: 0, stderr: '' });
    }
    expect(readFileSync(path.join(to, cluster, 'secrets/admin'), 'utf8')).toBe(secretJson);
    expect(statSync(path.join(to, cluster, 'secrets/admin')).mode & 0o777).toBe(0o600);
    const after = statSync(path.join(vault, 'admin'));
    expect({ ino: after.ino, mtime: after.mtimeMs }).toEqual({ ino: before.ino, mtime: before.mtimeMs });
    expect(readdirSync(vault)).toEqual(['admin']);
  });

  it('--include-etcd-backups needs --include-secrets (they hold every Kubernetes Secret)', async () => {
    const store = makeStore([MINIMAL]);
    const result = await run(['export', cluster, '--to', path.join(tempDir(), 'x'), '--include-etcd-backups'], {
      state: store.url,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--include-secrets');
  });
});

describe('exportExclusions', () => {
  const url = 's3://bucket/state';
  it('maps every configured location to the folder of the cluster it lies in, or all of it', () => {
    const config = {
      spec: {
        secretStore: `${url}/${cluster}/instancegroup`,
        keyStore: 's3://elsewhere/keys',
        etcdClusters: [{ backups: { backupStore: `${url}/${cluster}/snapshots/main` } }, { name: 'events' }],
      },
    };
    expect(exportExclusions(url, cluster, config)).toEqual([
      { folder: 'secrets/', reason: 'secrets' },
      { folder: 'pki/private/', reason: 'private keys' },
      { folder: 'instancegroup/', reason: 'secrets' },
      { folder: 'backups/etcd/', reason: 'etcd backups', keep: /^[^/]+\/control\// },
      { folder: 'snapshots/main/', reason: 'etcd backups', keep: /^control\// },
    ]);
    expect(exportExclusions(url, cluster, { spec: { secretStore: url } })).toContainEqual({
      folder: '',
      reason: 'secrets',
    });
    expect(exportExclusions(url, cluster, config, true).map((e) => e.reason)).not.toContain('etcd backups');
  });
});
