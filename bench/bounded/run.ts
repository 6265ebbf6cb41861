/**
 * The big-input cases of issue #25 (items 7 and 8), timed on a memfs:// store holding the
 * `minimal` kops tree:
 * - a 15,000-key `spec.cloudLabels` (a 264 KB config): `mergeConfig` adding it, `parseYaml` of the
 *   stored text (median of 9 after 2 warm-ups, wall and CPU), `getCluster`, a merge adding one
 *   label, then one adding `--more` labels (60,000 by default);
 * - a 200,000-line string value: `diffConfig`, `mergeConfig`, `diffVersions`, `rollback`.
 *
 *   npx tsx bench/bounded/run.ts [--keys 15000] [--more 60000] [--lines 200000]
 *
 * Before the fix, run the same file against commit 8b31589's src/ (it only uses APIs that exist
 * there; the 200,000-line cases then print the RangeError). Figures go to docs/reliability.md by
 * hand; nothing here is asserted.
 */
import { openVfs } from '../../src/backends/registry.js';
import { diffConfig } from '../../src/config/diff/diff-config.js';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { openStateStore } from '../../src/store/open.js';
import type { HistoryEntry } from '../../src/store/history/types.js';
import { loadTree, TREES } from '../../test/store/trees.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

async function timed(label: string, run: () => unknown): Promise<void> {
  const started = performance.now();
  try {
    await run();
    console.log(`${label}: ${Math.round(performance.now() - started)} ms`);
  } catch (err) {
    console.log(`${label}: ${(err as Error).name}: ${(err as Error).message.slice(0, 120)}`);
  }
}

function medianParse(text: string): string {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < 11; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    parseYaml(text);
    walls.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  const median = (values: number[]) => Math.round(values.slice(2).sort((a, b) => a - b)[4]!);
  return `${median(walls)} ms wall, ${median(cpus)} ms CPU (medians of 9)`;
}

/** A memfs:// store holding the `minimal` tree, and its cluster's name. */
async function freshStore() {
  const vfs = await openVfs(`memfs://bench-bounded-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const tree = TREES[0]!;
  await loadTree(vfs, tree);
  return { vfs, store: await openStateStore(vfs), name: tree.cluster };
}

async function manyKeys(keys: number, more: number): Promise<void> {
  const labels = (prefix: string, count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, `v${i}`]));
  const { vfs, store, name } = await freshStore();
  await timed(`mergeConfig adding ${keys} labels`, () =>
    store.mergeConfig(name, { spec: { cloudLabels: labels('k', keys) } }),
  );
  const text = Buffer.from((await vfs.read(`${name}/config`)).body).toString('utf8');
  console.log(`parseYaml of the ${text.length}-byte config: ${medianParse(text)}`);
  await timed('getCluster', () => store.getCluster(name));
  await timed('mergeConfig adding 1 label', () => store.mergeConfig(name, { spec: { cloudLabels: { one: 'more' } } }));
  await timed(`mergeConfig adding ${more} labels`, () =>
    store.mergeConfig(name, { spec: { cloudLabels: labels('n', more) } }),
  );
  await store.close();
}

async function longValue(lines: number): Promise<void> {
  const { store, name } = await freshStore();
  const huge = Array.from({ length: lines }, (_, i) => `line ${i}`).join('\n');
  const config = (await store.getCluster(name)).value;
  await timed(`diffConfig, ${lines}-line value`, () =>
    diffConfig(config, { ...config, spec: { ...config.spec, additionalPolicies: { node: huge } } }),
  );
  await timed(`mergeConfig, ${lines}-line value`, () =>
    store.mergeConfig(name, { spec: { additionalPolicies: { node: huge } } }),
  );
  const history: HistoryEntry[] = [];
  for await (const entry of store.history(name, { kind: 'config' })) history.push(entry);
  await timed('diffVersions of that write', () => store.diffVersions(name, history[0]!));
  await timed('rollback of that write', () => store.rollback(name, history[0]!));
  await store.close();
}

async function main(): Promise<void> {
  await manyKeys(arg('keys', 15_000), arg('more', 60_000));
  await longValue(arg('lines', 200_000));
}

await main();
