/**
 * One racer process for the file backend's cross-process race test. Runs `count` conditional
 * writes at once and prints one JSON line: which succeeded, and the codes of the ones that lost.
 * argv: <dir> <mode: create|cas> <version or -> <worker id> <count>
 */
import { openVfs } from '../../src/backends/registry.js';

async function main(): Promise<void> {
  const [dir, mode, version, worker, count] = process.argv.slice(2) as [string, string, string, string, string];
  const vfs = await openVfs(dir);
  const key = mode === 'create' ? 'race/create' : 'race/cas';
  const options = mode === 'create' ? { ifNoneMatch: '*' as const } : { ifMatch: version };
  const results = await Promise.allSettled(
    Array.from({ length: Number(count) }, (_, i) => vfs.write(key, `process-${worker}-${i}`, options)),
  );
  const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [`process-${worker}-${i}`] : []));
  const lost = results.flatMap((r) =>
    r.status === 'rejected' ? [(r.reason as { code?: string }).code ?? String(r.reason)] : [],
  );
  process.stdout.write(`${JSON.stringify({ won, lost })}\n`);
}

void main();
