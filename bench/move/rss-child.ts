/**
 * Moves one store in its own process and prints, as JSON, its peak RSS (bytes), where the memory
 * went and the move's own time and CPU (after the import), so the parent's own memory and work
 * do not count. argv: <from-url> <to-url> <work-dir>; env BENCH_OPEN_OPTIONS: the openOptions as
 * JSON (the S3 server), BENCH_CONCURRENCY: moveStateStore's concurrency (unset: its default),
 * BENCH_CREATE_ONLY: its createOnly (`listing`; unset: its default, `per-file`).
 */
import http from 'node:http';
// The package's public API: bundleChild (rss.ts) points this import at the built dist/index.js, so
// the child loads and runs what users get (the import's cost and the build's lazy parts included).
import { moveStateStore, openVfs, type OpenVfsOptions } from '../../src/index.js';

const [from, to, work] = process.argv.slice(2) as [string, string, string];
const openOptions = JSON.parse(process.env['BENCH_OPEN_OPTIONS'] ?? '{}') as OpenVfsOptions;
const concurrency = process.env['BENCH_CONCURRENCY'] ? { concurrency: Number(process.env['BENCH_CONCURRENCY']) } : {};
const createOnly = process.env['BENCH_CREATE_ONLY'] === 'listing' ? { createOnly: 'listing' as const } : {};
const requests = countRequests();
const afterImport = process.memoryUsage().rss;
// The baseline the move starts from: both backends (and the S3 SDK) loaded, nothing moved yet.
// Left out of the move rows (BENCH_NO_BASELINE): their CPU is the process's, as a peer tool's is.
if (process.env['BENCH_NO_BASELINE'] !== '1')
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
const result = await moveStateStore({
  from,
  to,
  digestFolder: `${work}/digests`,
  openOptions,
  ...concurrency,
  ...createOnly,
});
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
const copied = result.clusters.reduce((sum, cluster) => sum + cluster.bytesCopied, 0);
const files = result.clusters.reduce((sum, cluster) => sum + cluster.copied, 0);
// resourceUsage().maxRSS is in KiB on Linux.
process.stdout.write(
  JSON.stringify({
    maxRss: process.resourceUsage().maxRSS * 1024,
    copied,
    files,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    afterImport,
    baseline,
    peaks,
    requests: Object.fromEntries(requests),
  }) + '\n',
);

/**
 * Counts the HTTP requests the move sends, by method, query parameters and conditions (every
 * request of the SDK goes through an agent): how many requests a copied object costs.
 */
function countRequests(): Map<string, number> {
  const counts = new Map<string, number>();
  // Node's own method, missing from its types.
  type AddRequest = (this: http.Agent, request: http.ClientRequest, ...rest: unknown[]) => void;
  const agent = http.Agent.prototype as unknown as { addRequest: AddRequest };
  const addRequest = agent.addRequest;
  agent.addRequest = function (this: http.Agent, request: http.ClientRequest, ...rest: unknown[]) {
    const query = (request.path.split('?')[1] ?? '')
      .split('&')
      .map((pair) => pair.split('=')[0])
      .filter((name) => name !== '' && name !== 'x-id')
      .join('&');
    const conditions = ['if-none-match', 'if-match', 'x-amz-copy-source'].filter((h) => request.hasHeader(h));
    const key = [request.method, query, conditions.join(',')].filter((part) => part !== '').join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
    addRequest.call(this, request, ...rest);
  };
  return counts;
}
