/**
 * What a cluster's config costs a move in CPU beyond its request (issue #29): the per-cluster path
 * of ClusterRun over N configs, in a fresh process (cold, as in a move): the bytes read are
 * decoded, the store fields read (scanStoreFields, else the full YAML parse), the store URLs
 * rewritten, the MD5s of both texts taken. `--full` forces the full parse (the path before the
 * scan). Prints the CPU (`process.cpuUsage()`) per config: all N, and the last half (warmer).
 *
 *   npx tsx bench/move/cluster-probe.ts [--configs 200] [--shape many|kops] [--full]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadavg } from 'node:os';
import { md5Hex } from '../../src/backends/common/bytes.js';
import { readSourceConfig, rewriteConfig } from '../../src/migrate/config-rewrite.js';
import { REPO_ROOT } from '../../test/helpers/repo-root.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const CONFIGS = Number(arg('configs', '200'));
const SHAPE = arg('shape', 'many');
const FULL = process.argv.includes('--full');
const FROM = 's3://src/many';
const TO = 's3://dst/statestore-1';

const COMPLEX = path.join(
  REPO_ROOT,
  'test/fixtures/kops/state-stores/complex/clusters.example.com/complex.example.com/config',
);
/** The bench's many-shape config (bench/move/shapes.ts), or kops's complex one for this cluster. */
function configOf(cluster: string): Buffer {
  if (SHAPE === 'many')
    return Buffer.from(
      `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${cluster}\nspec:\n  configBase: ${FROM}/${cluster}\n`,
    );
  const text = readFileSync(COMPLEX, 'utf8');
  return Buffer.from(text.split('memfs://clusters.example.com').join(FROM).split('complex.example.com').join(cluster));
}

const bodies = Array.from({ length: CONFIGS }, (_, i) => configOf(`c${String(i).padStart(3, '0')}.example.com`));
const micros: number[] = [];
let rewritten = 0;
bodies.forEach((body, i) => {
  const cluster = `c${String(i).padStart(3, '0')}.example.com`;
  const before = process.cpuUsage();
  const config = readSourceConfig(body, cluster, FROM, FULL);
  const { bytes, rewritten: fields } = rewriteConfig(config, TO);
  md5Hex(bytes);
  const used = process.cpuUsage(before);
  micros.push(used.user + used.system);
  rewritten += fields.length;
});
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const half = micros.slice(micros.length / 2);
process.stdout.write(
  `${FULL ? 'full parse' : 'scan'} ${SHAPE} x${CONFIGS}: mean ${mean(micros).toFixed(0)} µs, median ${median(micros).toFixed(0)} µs; ` +
    `last half mean ${mean(half).toFixed(0)} µs; total ${(micros.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} ms; ` +
    `${rewritten} fields rewritten; load ${loadavg()[0]!.toFixed(2)}\n`,
);
