/**
 * What a cluster costs a move beyond its files, without any HTTP (issue #29): memfs:// ->
 * memfs:// moves of the many shape (200 clusters x 9 files + config) and the one shape (1 cluster
 * x 1,999 files + config), alternated in one process, the CPU of each (`process.cpuUsage()`);
 * round 1 is cold, as a move in a fresh process is. `--src DIR` imports the package from another
 * checkout's `src/` (a `git archive` of main, for an A/B at the same load).
 *
 *   npx tsx bench/move/cluster-memfs-probe.ts [--rounds 4] [--src ../other/src]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const ROUNDS = Number(arg('rounds', '4'));
const SRC = arg('src', path.join(import.meta.dirname, '../../src'));
const { openVfs, moveStateStore } = (await import(
  pathToFileURL(path.resolve(SRC, 'index.ts')).href
)) as typeof import('../../src/index.js');

const configOf = (base: string, cluster: string) =>
  `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${cluster}\nspec:\n  configBase: ${base}/${cluster}\n`;

async function seed(url: string, clusters: number, files: number) {
  const vfs = await openVfs(url);
  const body = Buffer.alloc(1024, 1);
  for (let c = 0; c < clusters; c++) {
    const cluster = `c${String(c).padStart(3, '0')}.example.com`;
    for (let f = 0; f < files; f++) await vfs.write(`${cluster}/pki/f${String(f).padStart(5, '0')}`, body);
    await vfs.write(`${cluster}/config`, configOf(url, cluster));
  }
  return vfs;
}

const shapes = [
  ['many', await seed(`memfs://probe-many-${process.pid}`, 200, 9)],
  ['one', await seed(`memfs://probe-one-${process.pid}`, 1, 1999)],
] as const;
const rounds: string[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const cells: string[] = [];
  for (const [name, from] of shapes) {
    const to = await openVfs(`memfs://probe-dst-${name}-${round}-${process.pid}`);
    const before = process.cpuUsage();
    await moveStateStore({ from, to });
    const used = process.cpuUsage(before);
    cells.push(`${name} ${((used.user + used.system) / 1000).toFixed(0)} ms`);
  }
  rounds.push(cells.join(', '));
}
process.stdout.write(`${SRC}: ${rounds.join(' | ')}\n`);
