/**
 * The top frames of V8 CPU profiles (`node --cpu-prof`, e.g. `bench/move/run.ts --cpu-prof DIR`):
 * self time by function and by package (node_modules/<name>, src/<folder>, node:internal), summed
 * over every profile given.
 *
 *   npx tsx bench/move/profile-top.ts [--top 25] [--inclusive URL-PATTERN] FILE.cpuprofile...
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const TOP = topAt === -1 ? 25 : Number(args[topAt + 1]);
const files = args.filter((arg, i) => arg.endsWith('.cpuprofile') && !['--top', '--inclusive'].includes(args[i - 1]!));
/** `--inclusive PATTERN`: also the total time (callees included) of frames whose URL matches. */
const inclusiveAt = args.indexOf('--inclusive');
const INCLUSIVE = inclusiveAt === -1 ? undefined : new RegExp(args[inclusiveAt + 1]!);
const byInclusive = new Map<string, number>();

/** Where a frame's code lives: a package, a source folder, Node's internals, or the engine. */
function packageOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1]!;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const source = /\/src\/(.+)\//.exec(url);
  return source ? `src/${source[1]}` : url.replace(/^.*\//, '');
}

// Piped into `head`: stop quietly when the reader has gone.
process.stdout.on('error', () => process.exit(0));

const byFrame = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    const frame = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}`;
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + micros);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    total += micros;
    if (INCLUSIVE === undefined) return;
    // Each frame of the sample's stack counted once (recursion would count it twice).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const { functionName: name, url: where } = nodes.get(at)!.callFrame;
      if (!INCLUSIVE.test(where)) continue;
      const key = name || '(anonymous)';
      if (seen.has(key)) continue;
      seen.add(key);
      byInclusive.set(key, (byInclusive.get(key) ?? 0) + micros);
    }
  });
}
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title} (self time, ${files.length} profile(s), ${(total / 1e6).toFixed(2)} s sampled)\n`);
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    process.stdout.write(
      `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}\n`,
    );
};
print('by package', byPackage);
print('by function', byFrame);
if (INCLUSIVE !== undefined) print(`inclusive, frames matching ${INCLUSIVE}`, byInclusive);
