// A 20k-line config diff (5,000 subnets), 3 and 200 changes: first call and median of 5.
// Run after `npm run build`: `node bench/diff/run.mjs`.
import { diffConfig, stringifyYaml } from '../../dist/index.js';
const subnets = Array.from({ length: 5000 }, (_, i) => ({
  name: `subnet-${i}`,
  zone: 'us-east-1a',
  type: 'Private',
  cidr: `10.${i % 250}.${i % 200}.0/24`,
}));
const a = {
  apiVersion: 'kops.k8s.io/v1alpha2',
  kind: 'Cluster',
  metadata: { name: 'a.example.com' },
  spec: { subnets },
};
console.log('lines', stringifyYaml(a).split('\n').length);
for (const changes of [3, 200]) {
  const b = structuredClone(a);
  for (let c = 0; c < changes; c++) b.spec.subnets[(c * 97) % 5000].zone = 'us-east-1b';
  const times = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    diffConfig(a, b);
    times.push(performance.now() - t);
  }
  console.log(
    `${changes} changes: first ${times[0].toFixed(0)} ms, median ${times.sort((x, y) => x - y)[2].toFixed(0)} ms`,
  );
}
