/**
 * Moves one store in its own process and prints, as JSON, its peak RSS (bytes), where the memory
 * went and the move's own time and CPU (after the import), so the parent's own memory and work
 * do not count. argv: <from-url> <to-url> <work-dir>; env BENCH_OPEN_OPTIONS: the openOptions as
 * JSON (the S3 server), BENCH_CONCURRENCY: moveStateStore's concurrency (unset: its default),
 * BENCH_CREATE_ONLY: its createOnly (`listing`; unset: its default, `per-file`).
 */
import net from 'node:net';
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

// Where the memory went, sampled every 50 ms, only when asked (BENCH_MEMORY_PEAKS=1): the sampler
// was 2% of a move's profile (bench/README.md, "Fair rounds"), and the peak RSS every row prints is
// the kernel's own (`resourceUsage().maxRSS` below, GNU time's %M for the whole child), which it
// does not change. The peaks tell live buffers and heap from the rest of RSS (code, freed memory
// the allocator keeps).
const peaks = { heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
const sampler =
  process.env['BENCH_MEMORY_PEAKS'] === '1'
    ? setInterval(() => {
        const usage = process.memoryUsage();
        for (const field of Object.keys(peaks) as Array<keyof typeof peaks>)
          peaks[field] = Math.max(peaks[field], usage[field]);
      }, 50)
    : undefined;
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
    ...(sampler === undefined ? {} : { peaks }),
    requests: Object.fromEntries(requests),
  }) + '\n',
);

/**
 * Counts the HTTP requests the move sends, by method, query parameters and conditions: those of
 * the SDK's and those of the direct path, as their heads are written to the socket: how many requests a
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
  // At the socket, where both paths write each request's head in one piece (the child imports the
  // built package, whose direct path is not this checkout's source: no class of it to patch).
  type Write = (this: net.Socket, chunk: unknown, ...rest: unknown[]) => boolean;
  const socket = net.Socket.prototype as unknown as { write: Write };
  const write = socket.write;
  socket.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
    const text =
      typeof chunk === 'string'
        ? chunk.slice(0, 8192)
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, 8192)).toString('latin1')
          : '';
    const line = /^(GET|HEAD|PUT|POST|DELETE) (\S+) HTTP\/1\.1\r\n/.exec(text);
    if (line !== null) {
      const end = text.indexOf('\r\n\r\n');
      const head = (end < 0 ? text : text.slice(0, end)).toLowerCase();
      count(line[1]!, line[2]!, (header) => head.includes(`\r\n${header}:`));
    }
    return write.call(this, chunk, ...rest);
  };
  return counts;
}
