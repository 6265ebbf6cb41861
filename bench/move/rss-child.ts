/**
 * Moves one store in its own process and prints, as JSON, its peak RSS (bytes) and where the
 * memory went, so the parent's own memory does not count. argv: <from-url> <to-url> <s3-endpoint> <work-dir>
 */
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { S3RVER_CREDENTIALS } from '../../test/servers/s3rver.js';

const [from, to, endpoint, work] = process.argv.slice(2) as [string, string, string, string];
const openOptions = { env: {}, s3: { endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' } };
const afterImport = process.memoryUsage().rss;
// The baseline the move starts from: both backends (and the S3 SDK) loaded, nothing moved yet.
for (const url of [from, to]) await (await openVfs(url, openOptions)).close();
const baseline = process.memoryUsage().rss;

// Sampled, so the peaks are approximate; they tell live buffers and heap from the rest of RSS
// (code, freed memory the allocator keeps). 50 ms adds a few hundred samples, no measurable load.
const peaks = { heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  for (const field of Object.keys(peaks) as Array<keyof typeof peaks>)
    peaks[field] = Math.max(peaks[field], usage[field]);
}, 50);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const result = await moveStateStore({ from, to, digestFolder: `${work}/digests`, openOptions });
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
const copied = result.clusters.reduce((sum, cluster) => sum + cluster.bytesCopied, 0);
// resourceUsage().maxRSS is in KiB on Linux.
process.stdout.write(
  JSON.stringify({
    maxRss: process.resourceUsage().maxRSS * 1024,
    copied,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    afterImport,
    baseline,
    peaks,
  }) + '\n',
);
