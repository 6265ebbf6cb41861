/** `statestore history` and `statestore rollback` (the built bin, on a file:// store of kops's tree). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

const cluster = MINIMAL.cluster;
const configOf = (dir: string): string => readFileSync(path.join(dir, cluster, 'config'), 'utf8');

interface JsonEntry {
  id: string;
  operation: string;
  reason?: string;
  diff?: string;
}

describe('statestore history / rollback (built bin)', () => {
  beforeAll(requireBuiltCli);

  it('lists set changes, shows and diffs them, rolls back only with --yes', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const original = configOf(dir);
    for (const version of ['1.30.0', '1.31.0'])
      expect((await run(['set', 'cluster', cluster, `spec.kubernetesVersion=${version}`], { state: url })).code).toBe(
        0,
      );

    const table = await run(['history', 'cluster', cluster], { state: url });
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+TIME\s+OPERATION\s+DOCUMENT/);
    expect(table.stdout.split('\n').filter((line) => line.startsWith('config/'))).toHaveLength(2);

    const json = await run(['history', 'cluster', cluster, '-o', 'json', '--diff'], { state: url });
    const entries = JSON.parse(json.stdout) as JsonEntry[];
    expect(entries.map((e) => e.operation)).toEqual(['update', 'update']);
    expect(entries[0]!.diff).toContain('+  kubernetesVersion: 1.31.0');
    const first = entries[1]!.id;

    const shown = await run(['history', 'cluster', cluster, '--show', first], { state: url });
    expect(shown.stdout).toBe(original);

    const dry = await run(['rollback', 'cluster', cluster, '--to', first], { state: url });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('-  kubernetesVersion: 1.31.0');
    expect(dry.stderr).toContain('--yes');
    expect(configOf(dir)).not.toBe(original);

    const real = await run(['rollback', 'cluster', cluster, '--to', first, '--reason', 'undo', '--yes', '--json'], {
      state: url,
    });
    expect(real.code).toBe(0);
    // Two spec changes made generation 2; the rollback is the third, as kops's Update would count it.
    expect(JSON.parse(real.stdout)).toMatchObject({ dryRun: false, keptFields: ['/metadata/generation'] });
    expect(configOf(dir).replace('  generation: 3\n', '')).toBe(original);
    const after = JSON.parse(
      (await run(['history', 'cluster', cluster, '--json'], { state: url })).stdout,
    ) as JsonEntry[];
    expect(after[0]).toMatchObject({ operation: 'rollback', reason: 'undo' });

    // export copies the cluster's folder, history included (no change to export was needed).
    const exported = tempDir();
    expect((await run(['export', cluster, '--to', exported], { state: url })).code).toBe(0);
    const folder = path.join(exported, cluster, 'backups/statestore/history/config');
    expect(readdirSync(folder)).toHaveLength(3);
  });

  it('exits with the typed error codes: unknown entry 3, malformed 4, bad usage 2', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const before = configOf(dir);
    const unknown = await run(['rollback', 'cluster', cluster, '--to', 'config/0000000000000-00000000', '--yes'], {
      state: url,
    });
    expect(unknown.code).toBe(3);
    const malformed = await run(['rollback', 'cluster', cluster, '--to', '../../secrets/x', '--yes'], { state: url });
    expect(malformed.code).toBe(4);
    expect(malformed.stderr).toContain('malformed history entry id');
    const usage = await run(['history', 'ig', 'nodes'], { state: url });
    expect(usage.code).toBe(2);
    expect(configOf(dir)).toBe(before);
  });
});
