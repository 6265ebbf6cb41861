import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/index.js';
import { COMPLEX, MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

describe('statestore get (built bin)', () => {
  let store: { dir: string; url: string };
  beforeAll(() => {
    requireBuiltCli();
    store = makeStore();
  });

  it('lists clusters as kops does (tabwriter columns, sorted), and as JSON', async () => {
    const table = await run(['get', 'clusters'], { state: store.url });
    expect(table.code).toBe(0);
    // kops: util/pkg/tables/format.go: tab padding to multiples of 8, rows sorted
    expect(table.stdout).toBe(
      'NAME\t\t\tCLOUD\tZONES\ncomplex.example.com\taws\tus-test-1a\nminimal.example.com\taws\tus-test-1a\n',
    );
    const json = await run(['get', 'clusters', '--json'], { state: store.url });
    const clusters = JSON.parse(json.stdout) as Array<{ metadata: { name: string } }>;
    expect(clusters.map((c) => c.metadata.name).sort()).toEqual([COMPLEX.cluster, MINIMAL.cluster]);
  });

  it('prints a cluster as its stored text with -o yaml (--full: the completed spec), and takes --state over KOPS_STATE_STORE', async () => {
    const [result, full] = await Promise.all([
      run(['--state', store.url, 'get', 'cluster', MINIMAL.cluster, '-o', 'yaml'], {
        env: { KOPS_STATE_STORE: 'file:///nonexistent-store' },
      }),
      run(['get', 'cluster', COMPLEX.cluster, '--full'], { state: store.url }),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(path.join(store.dir, MINIMAL.cluster, 'config'), 'utf8'));
    // --full: the completed spec kops update cluster wrote (getCompletedCluster)
    expect(full.stdout).toBe(readFileSync(path.join(store.dir, COMPLEX.cluster, 'cluster-completed.spec'), 'utf8'));
  });

  it('lists instance groups, secrets, keypairs and SSH keys', async () => {
    const state = { state: store.url };
    const [igs, igOut, secretsOut, keypairsOut, sshOut] = await Promise.all([
      run(['get', 'ig', '--name', COMPLEX.cluster], state),
      run(['get', 'instancegroups', '--name', COMPLEX.cluster, '-o', 'json'], state),
      run(['get', 'secrets', '--name', COMPLEX.cluster, '--json'], state),
      run(['get', 'keypairs', '--name', COMPLEX.cluster, '--json'], state),
      run(['get', 'sshpublickeys', '--name', COMPLEX.cluster, '--json'], state),
    ]);
    expect(igs.stdout.split('\n')[0]).toBe('NAME\t\t\tROLE\tMACHINETYPE\tMIN\tMAX\tZONES');
    expect(igs.stdout).toContain('nodes\t\t\tNode\tt2.medium\t2\t2\tus-test-1a');
    const igJson = JSON.parse(igOut.stdout) as unknown[];
    expect(igJson).toHaveLength(COMPLEX.igs.length);
    const secrets = JSON.parse(secretsOut.stdout) as string[];
    expect(secrets).toEqual(expect.arrayContaining(['admin']));
    const keypairs = JSON.parse(keypairsOut.stdout) as Array<{ name: string; primary: boolean }>;
    expect(keypairs.some((k) => k.name === 'kubernetes-ca' && k.primary)).toBe(true);
    const ssh = JSON.parse(sshOut.stdout) as Array<{ id: string; publicKey: string }>;
    expect(ssh[0]!.publicKey).toMatch(/^ssh-/);
  });

  it('exits 3 for a missing cluster, with the library message and no stack trace unless --debug', async () => {
    const empty = pathToFileURL(tempDir()).href;
    const [missing, none, noneJson] = await Promise.all([
      run(['get', 'cluster', 'nope.example.com'], { state: store.url }),
      run(['get', 'clusters'], { state: empty }),
      run(['get', 'clusters', '--json'], { state: empty }),
    ]);
    // kops: cmd/kops/get_cluster.go fails with "no clusters found"; scripts get an empty list
    expect([none.code, none.stderr, noneJson.code, noneJson.stdout]).toEqual([
      3,
      `error: no clusters found in state store ${empty}\n`,
      0,
      '[]\n',
    ]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(`error: cluster "nope.example.com" not found in state store ${store.url}\n`);
    const debug = await run(['get', 'cluster', 'nope.example.com', '--debug'], { state: store.url });
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('exits 4 for an invalid cluster name or store URL (the typed error)', async () => {
    const badName = await run(['get', 'cluster', 'UPPER_case!'], { state: store.url });
    expect(badName.code).toBe(4);
    expect(badName.stderr).toMatch(/^error: .*cluster name/i);
    const badUrl = await run(['get', 'clusters', '--state', 'nosuch://x']);
    expect(badUrl.code).toBe(4);
    expect(badUrl.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers an unknown verb or flag with a usage error (2) and the closest match', async () => {
    const [verb, sub, flag] = await Promise.all([
      run(['gte', 'clusters']),
      run(['get', 'clustres']),
      run(['get', 'clusters', '--jsn'], { state: store.url }),
    ]);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toContain('(Did you mean get?)');
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('Did you mean clusters?');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('(Did you mean --json?)');
  });

  it('prints help with examples and the exit codes (each verb: test/cli/program.test.ts), and --version', async () => {
    const [help, version] = await Promise.all([run(['--help']), run(['--version'])]);
    expect(version.stdout).toBe(
      `${(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`,
    );
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:\n  $ statestore get clusters');
    expect(help.stdout).toContain('Exit codes:');
  });

  it('writes no colour codes when piped, nor with NO_COLOR; --quiet silences messages', async () => {
    const piped = await run(['get', 'cluster', 'nope.example.com'], {
      state: store.url,
      env: { FORCE_COLOR: '1', NO_COLOR: '' },
    });
    expect(piped.stderr).not.toContain('\u001b[');
    const quiet = await run(['validate', 'cluster', MINIMAL.cluster, '--quiet'], { state: store.url });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });
});
