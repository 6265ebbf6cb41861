// Cold start: a fresh Node process imports the built package and validates one cluster.
// Run after `npm run build`: `node bench/cold/run.mjs [--cjs] [--runs 5] [--dist dist]` (each run is its own
// process; --dist names another build's folder, e.g. one built with `npx tsup --out-dir`).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cjs = process.argv.includes('--cjs');
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
const distAt = process.argv.indexOf('--dist');
const dist = distAt > 0 ? path.resolve(process.argv[distAt + 1]) : path.join(root, 'dist');
const entry = path.join(dist, cjs ? 'index.cjs' : 'index.js');
const config =
  "{ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', metadata: { name: 'a.example.com' }, spec: { kubernetesVersion: '1.30.0' } }";
// Wall times, and the CPU time of the process (user + system) for the same spans: on a shared
// machine the CPU time is the steadier figure.
const script = `
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = performance.now(), c0 = cpu();
const { validateClusterConfig } = ${cjs ? `require(${JSON.stringify(entry)})` : `await import(${JSON.stringify(entry)})`};
const t1 = performance.now(), c1 = cpu();
validateClusterConfig(${config});
const t2 = performance.now(), c2 = cpu();
console.log(JSON.stringify({ importMs: t1 - t0, firstValidationMs: t2 - t1, totalMs: t2 - t0, importCpuMs: c1 - c0, validationCpuMs: c2 - c1, totalCpuMs: c2 - c0 }));`;
const rows = [];
for (let i = 0; i < runs; i++) {
  const out = execFileSync(process.execPath, cjs ? ['-e', script] : ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  rows.push(JSON.parse(out));
}
const median = (key) => rows.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
console.log(
  `${cjs ? 'require' : 'import'} of ${path.relative(root, entry)}, medians of ${runs} fresh processes (node ${process.version}):`,
);
console.log(
  `  import ${median('importMs').toFixed(1)} ms, first validation ${median('firstValidationMs').toFixed(1)} ms, total ${median('totalMs').toFixed(1)} ms`,
);
console.log(
  `  CPU: import ${median('importCpuMs').toFixed(1)} ms, first validation ${median('validationCpuMs').toFixed(1)} ms, total ${median('totalCpuMs').toFixed(1)} ms`,
);
