/**
 * Client CPU per copied object of a `createOnly: 'listing'` move on Ceph RGW, this tree's child
 * against another's, in alternating order: a quicker A/B than run.ts for a change to the copy path
 * (no peer tools, no reruns). The source is seeded once; each move goes to a fresh destination.
 *
 *   npx tsx bench/move/copy-probe.ts [--shape one|many] [--rounds 6] [--baseline-child BUNDLE]
 *     [--node-flags '--max-lazy,...'] [--out DIR] [--s3 JSON] [--baseline-s3 JSON]
 *
 * Prints per round and as medians: the child's wall, its CPU (GNU time: the whole process, its
 * start-up and V8's compiler threads included) and the move's own CPU (`process.cpuUsage()` after
 * the import), µs per object. `--node-flags`: comma-separated node flags for both children;
 * `--out DIR`: each child's stdout kept there (what a `--trace-*` flag prints); `--s3`: options of
 * the stores over RGW's (`'{"dialect":"rgw"}'`: no dialect probe); `--baseline-s3`: the baseline's
 * instead (this tree's child unless `--baseline-child`).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startRgw } from '../../test/servers/rgw.js';
import { bundleChild } from './rss.js';
import { seedS3, type ShapeName } from './shapes.js';
import { timed } from './tools.js';

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1]!;
};
const SHAPE = arg('shape', 'one') as ShapeName;
const ROUNDS = Number(arg('rounds', '6'));
const BASELINE = process.argv.includes('--baseline-child') ? path.resolve(arg('baseline-child', '')) : undefined;
const FLAGS = arg('node-flags', '')
  .split(',')
  .filter((flag) => flag !== '');
const OUT = process.argv.includes('--out') ? path.resolve(arg('out', '')) : undefined;
const S3 = JSON.parse(arg('s3', '{}')) as Record<string, unknown>;
const BASELINE_S3 = process.argv.includes('--baseline-s3')
  ? (JSON.parse(arg('baseline-s3', '{}')) as Record<string, unknown>)
  : undefined;

interface Sample {
  wall: number;
  cpu: number;
  moveCpu: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const perObject = (seconds: number, objects: number) => `${Math.round((seconds / objects) * 1e6)}`.padStart(4);

function describe(sample: Sample, objects: number): string {
  return `wall ${sample.wall.toFixed(2)} s  cpu ${perObject(sample.cpu, objects)} us/object  move cpu ${perObject(sample.moveCpu, objects)} us/object`;
}

async function main(): Promise<void> {
  const rgw = await startRgw();
  try {
    await rgw.createBucket('src');
    await rgw.createBucket('dst');
    const client = new S3Client({
      endpoint: rgw.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: rgw.s3.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const objects = (await seedS3(client, SHAPE, SHAPE, 1)).length;
    client.destroy();
    const own = await bundleChild();
    const children: Array<[string, string]> = [['this', own]];
    if (BASELINE !== undefined || BASELINE_S3 !== undefined) children.push(['baseline', BASELINE ?? own]);
    const work = await mkdtemp(path.join(tmpdir(), 'copy-probe-'));
    const samples = new Map<string, Sample[]>(children.map(([name]) => [name, []]));
    process.stdout.write(`${SHAPE}: ${objects} objects; rounds ${ROUNDS}; node flags ${FLAGS.join(' ') || 'none'}\n`);
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternating order: each child goes first in every other round.
      const order = round % 2 === 1 ? children : [...children].reverse();
      for (const [name, child] of order) {
        let stdout = '';
        const measure = await timed(
          process.execPath,
          [...FLAGS, child, `s3://src/${SHAPE}`, `s3://dst/${name}-${round}`, work],
          {
            ...process.env,
            BENCH_OPEN_OPTIONS: JSON.stringify({
              env: {},
              s3: { ...rgw.s3, ...(name === 'baseline' ? (BASELINE_S3 ?? S3) : S3) },
            }),
            BENCH_NO_BASELINE: '1',
            BENCH_CREATE_ONLY: 'listing',
          },
          (text) => (stdout = text),
        );
        const result = JSON.parse(stdout.trim().split('\n').pop()!) as { cpuSeconds: number; files: number };
        if (OUT !== undefined) await writeFile(path.join(OUT, `${name}-${round}.txt`), stdout);
        const sample = { wall: measure.seconds, cpu: measure.cpu ?? Number.NaN, moveCpu: result.cpuSeconds };
        samples.get(name)!.push(sample);
        process.stdout.write(
          `round ${round} ${name.padEnd(8)} ${describe(sample, objects)}  (${result.files} copied, load ${loadavg()[0]!.toFixed(2)})\n`,
        );
      }
    }
    for (const [name, list] of samples) {
      const of = (field: keyof Sample) => median(list.map((sample) => sample[field]));
      const medians = { wall: of('wall'), cpu: of('cpu'), moveCpu: of('moveCpu') };
      process.stdout.write(`median ${name.padEnd(8)} ${describe(medians, objects)}\n`);
    }
  } finally {
    await rgw.stop();
  }
}

await main();
