/**
 * Moves one store in its own process and prints, as JSON, its peak RSS (bytes), where the memory
 * went and the move's own time and CPU (after the import), so the parent's own memory and work
 * do not count. argv: <from-url> <to-url> <work-dir>; env BENCH_OPEN_OPTIONS: the openOptions as
 * JSON (the S3 server), BENCH_CONCURRENCY: moveStateStore's concurrency (unset: its default).
 */
import http from 'node:http';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { Wire, type StreamIf, type WireRequest } from '../../src/backends/s3/direct/wire.js';

const [from, to, work] = process.argv.slice(2) as [string, string, string];
const openOptions = JSON.parse(process.env['BENCH_OPEN_OPTIONS'] ?? '{}') as OpenVfsOptions;
const concurrency = process.env['BENCH_CONCURRENCY'] ? { concurrency: Number(process.env['BENCH_CONCURRENCY']) } : {};
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
const result = await moveStateStore({ from, to, digestFolder: `${work}/digests`, openOptions, ...concurrency });
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
 * Counts the HTTP requests the move sends, by method, query parameters and conditions: those of
 * the SDK (through an http agent) and those of the direct path (its wire): how many requests a
 * copied object costs. Only when asked (BENCH_REQUESTS=1, run.ts --requests): the counting is the
 * bench's own work, not the move's, and would count in its CPU.
 */
function countRequests(): Map<string, number> {
  const counts = new Map<string, number>();
  if (process.env['BENCH_REQUESTS'] !== '1') return counts;
  const count = (method: string, path: string, has: (header: string) => boolean) => {
    const query = (path.split('?')[1] ?? '')
      .split('&')
      .map((pair) => pair.split('=')[0])
      .filter((name) => name !== '' && name !== 'x-id')
      .join('&');
    const conditions = ['if-none-match', 'if-match', 'x-amz-copy-source'].filter(has);
    const key = [method, query, conditions.join(',')].filter((part) => part !== '').join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  // Node's own method, missing from its types.
  type AddRequest = (this: http.Agent, request: http.ClientRequest, ...rest: unknown[]) => void;
  const agent = http.Agent.prototype as unknown as { addRequest: AddRequest };
  const addRequest = agent.addRequest;
  agent.addRequest = function (this: http.Agent, request: http.ClientRequest, ...rest: unknown[]) {
    count(request.method, request.path, (header) => request.hasHeader(header));
    addRequest.call(this, request, ...rest);
  };
  const send = Wire.prototype.send;
  Wire.prototype.send = function (this: Wire, request: WireRequest, ...rest: [AbortSignal?, StreamIf?]) {
    count(request.method, request.path, (header) => request.headers[header] !== undefined);
    return send.call(this, request, ...rest);
  };
  return counts;
}
