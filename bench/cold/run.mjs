// Cold start: a fresh Node process imports the built package and validates one cluster.
// Run after `npm run build`: `node bench/cold/run.mjs [--cjs] [--runs 5] [--dist dist] [--groups]` (each run is
// its own process; --dist names another build's folder, e.g. one built with `npx tsup --out-dir`; --groups
// validates a cluster with 10 instance groups, built by clusterFromOptions before the clock starts, instead
// of a minimal Cluster).
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
const groups = process.argv.includes('--groups');
const config =
  "{ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', metadata: { name: 'a.example.com' }, spec: { kubernetesVersion: '1.30.0' } }";
// 7 zones, 3 of them with a control plane: 3 control-plane groups and 7 node groups. Everything a
// store's write checks: the cluster, each group, and the groups with the cluster (kops's cross rules,
// aws.go's group rules; the skipped list asked for, as `statestore validate` asks).
const zones = JSON.stringify([...'abcdefg'].map((z) => `us-east-1${z}`));
const build = groups
  ? `const { cluster, instanceGroups } = lib.clusterFromOptions({ clusterName: 'a.example.com', cloud: 'aws', zones: ${zones}, controlPlaneZones: ${zones}.slice(0, 3), kubernetesVersion: 'v1.32.0' });`
  : '';
const validate = groups
  ? `lib.validateClusterConfig(cluster); for (const g of instanceGroups) lib.validateInstanceGroup(g);
     const issues = lib.validateClusterWithInstanceGroups(cluster, instanceGroups, { skipped: [] });
     if (instanceGroups.length !== 10 || issues.length > 0) throw new Error('not the 10 valid groups: ' + JSON.stringify(issues));`
  : `lib.validateClusterConfig(${config});`;
// Wall times, and the CPU time of the process (user + system) for the same spans: on a shared
// machine the CPU time is the steadier figure.
const script = `
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = performance.now(), c0 = cpu();
const lib = ${cjs ? `require(${JSON.stringify(entry)})` : `await import(${JSON.stringify(entry)})`};
${build}
const t1 = performance.now(), c1 = cpu();
${validate}
const t2 = performance.now(), c2 = cpu();
console.log(JSON.stringify({ importMs: t1 - t0, firstValidationMs: t2 - t1, totalMs: t2 - t0, importCpuMs: c1 - c0, validationCpuMs: c2 - c1, totalCpuMs: c2 - c0, startCpuMs: c0, processCpuMs: c2 }));`;
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
// process.cpuUsage() counts from the process's start: node's own start (before the script's first
// line) is what every command pays before anything of ours runs.
console.log(
  `  whole process CPU: ${median('processCpuMs').toFixed(1)} ms, of which node's start ${median('startCpuMs').toFixed(1)} ms`,
);
