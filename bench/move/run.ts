/**
 * Move benchmark: statestore's moveStateStore vs `aws s3 sync` and `rclone copy` (default and
 * expert-tuned), all against the same local S3 server (s3rver, or Ceph RADOS Gateway with
 * `--server rgw`; two buckets), and vs `cp -r` / rclone between local folders; plus the server's
 * own CopyObject ceiling and the peak RSS of moving one large object both ways in a child
 * process. Every tool, statestore included (bench/move/rss-child.ts, importing the built dist/), runs
 * as a child process under GNU time: wall, CPU (user + system) and peak RSS of that process.
 * Rounds are interleaved; rows report medians.
 *
 *   npx tsx bench/move/run.ts [--server s3rver|rgw] [--scale 1] [--big-mib 1024] [--concurrency N]
 *     [--repeat 3] [--shapes mixed,one,many,file,kops,deep] [--transfers 32,64] [--cpu-prof DIR]
 *     [--only statestore,listing,copyobject,aws,rclone,tuned,ceiling,costs,local,rss] [--requests]
 *     [--baseline-child BUNDLE] [--baseline-s3 JSON] [--baseline-env K=V,...] [--s3 JSON]
 *     [--seed 29] [--file-root DIR[,DIR...]]
 *
 * --scale multiplies the file counts (the kops shape: its clusters); record the scale you ran.
 * --cpu-prof writes a V8 CPU profile of every statestore child into DIR; --requests prints the
 * HTTP requests each statestore child sent, by kind. `listing`: statestore's move with
 * `createOnly: 'listing'` (copies server-side where the server cannot condition them, checked
 * against the destination's listing only). `copyobject` (RGW only): statestore with
 * the `aws` dialect, create-only copies as CopyObjects RGW does not condition (unsafe there).
 * `costs` (RGW; also with `ceiling`): bare requests of each kind, the server's CPU over each, and
 * the many shape's bound from them (bound.ts). On RGW every row also gets the server's CPU over it.
 * --baseline-child: a child bundled from another commit (`bundleChild()` of rss.ts, run in a
 * checkout of it, built: the child imports that checkout's dist/index.js); each statestore row has
 * the same move by that child beside it, a tool of its own in the round's order: before/after figures
 * in the same rounds. --s3: options of the S3 stores statestore opens, as JSON;
 * --baseline-s3: the baseline rows with these S3 options instead (the same bundle, unless
 * --baseline-child names another); --baseline-env: with these environment variables (e.g.
 * STATESTORE_S3_REQUESTS=sdk: the S3 requests through the SDK, to compare with the direct path).
 * --seed: the seed of the tools' order, which changes from round to round (order.ts: each tool
 * takes each place of a round once over a cycle of rounds, printed); --file-root: the folders the
 * file shape runs in (default os.tmpdir(); `/tmp,/dev/shm` prints ext4's rows and tmpfs's;
 * file-root.ts says why and how each round starts settled).
 */
import {
  CopyObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { startRgw } from '../../test/servers/rgw.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../../test/servers/s3rver.js';
import { closeFileRoots, createProbe, openFileRoots, settle, type FileRoot } from './file-root.js';
import { printManyBound, REQUEST_ROWS } from './bound.js';
import { fullCycle, roundOrder } from './order.js';
import { printMedians, ratio, record, type Measure } from './report.js';
import { rawCeiling, rawList, rawRequests } from './raw-s3.js';
import { serverCpuByName, serverCpuReader, withServerCpu, type ServerCpu } from './server-cpu.js';
import { bundleChild, peakRss } from './rss.js';
import { seedFolder, seedRequests, seedS3, SHAPE_LABELS, type SeededFile, type ShapeName } from './shapes.js';
import {
  awsSync,
  cpRecursive,
  hasCommand,
  RCLONE_TUNED,
  rcloneCopy,
  rcloneLocal,
  timed,
  type Server,
} from './tools.js';

const USAGE = `npx tsx bench/move/run.ts [--server s3rver|rgw] [--scale 1] [--big-mib 1024] [--concurrency N]
  [--repeat 3] [--shapes mixed,one,many,file,kops,deep] [--transfers 32,64] [--cpu-prof DIR]
  [--only statestore,listing,copyobject,aws,rclone,tuned,ceiling,costs,local,rss] [--requests]
  [--baseline-child BUNDLE] [--baseline-s3 JSON] [--baseline-env K=V,...] [--s3 JSON]
  [--seed 29] [--file-root DIR[,DIR...]]
(what each flag does: the comment at the top of bench/move/run.ts; the figures: bench/README.md)`;
const FLAGS = new Set(
  'server scale big-mib concurrency repeat shapes transfers cpu-prof only requests baseline-child baseline-s3 baseline-env s3 seed file-root'.split(
    ' ',
  ),
);
// --help prints the usage; a flag this bench does not know stops it before any server starts
// (a mistyped flag would otherwise run the whole default bench, minutes long).
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const unknownFlag = process.argv.slice(2).find((a) => a.startsWith('--') && !FLAGS.has(a.slice(2)));
if (unknownFlag !== undefined) {
  process.stderr.write(`bench/move: unknown flag ${unknownFlag}\n${USAGE}\n`);
  process.exit(2);
}

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1]!;
};
const SCALE = Number(arg('scale', '1'));
const BIG_MIB = Number(arg('big-mib', '1024'));
/** Unset: moveStateStore's own default (what a user gets without tuning). */
const CONCURRENCY = process.argv.includes('--concurrency') ? Number(arg('concurrency', '')) : undefined;
const ONLY = new Set(arg('only', 'statestore,aws,rclone,tuned,ceiling,local,rss').split(','));
const SHAPES = arg('shapes', 'mixed,one,many,file').split(',') as ShapeName[];
const REPEAT = Math.max(1, Number(arg('repeat', '1')));
const SERVER = arg('server', 's3rver') as 's3rver' | 'rgw';
const TRANSFERS = arg('transfers', '32,64').split(',').map(Number);
/** Options of the S3 stores statestore opens (`--s3 '{"checksum":"when_required"}'`), over the server's. */
const S3_OPTIONS = JSON.parse(arg('s3', '{}')) as NonNullable<OpenVfsOptions['s3']>;
/** A statestore child bundled from another commit (rss.ts bundleChild): its rows run beside the current one's. */
const BASELINE_CHILD = process.argv.includes('--baseline-child') ? path.resolve(arg('baseline-child', '')) : undefined;
/** S3 options of the baseline rows instead (`--baseline-s3 '{"checksum":"when_required"}'`): the current child unless --baseline-child. */
const BASELINE_S3 = process.argv.includes('--baseline-s3')
  ? (JSON.parse(arg('baseline-s3', '{}')) as NonNullable<OpenVfsOptions['s3']>)
  : undefined;
/** Environment of the baseline rows (`--baseline-env STATESTORE_S3_REQUESTS=sdk`): the current child unless --baseline-child. */
const BASELINE_ENV: Record<string, string> = Object.fromEntries(
  (process.argv.includes('--baseline-env') ? arg('baseline-env', '').split(',') : [])
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
/** The seed of the tools' order in each round (order.ts). */
const SEED = Number(arg('seed', '29'));
/** The folders the file shape runs in, each with its own rows. */
const FILE_ROOTS = arg('file-root', tmpdir())
  .split(',')
  .filter((dir) => dir !== '');
/** The request rows and the many shape's bound (bound.ts): on RGW, with the ceilings or alone (`--only costs`). */
const REQUEST_ROWS_ON = SERVER === 'rgw' && (ONLY.has('ceiling') || ONLY.has('costs'));
/** Reads RGW's CPU seconds (server-cpu.ts), once the server runs; s3rver: none (it runs in this process). */
const SERVER_CPU: { read: ServerCpu | undefined } = { read: undefined };
const CPU_PROF = process.argv.includes('--cpu-prof') ? path.resolve(arg('cpu-prof', 'profiles')) : undefined;
const HAS = { aws: hasCommand('aws'), rclone: hasCommand('rclone') };

/**
 * The server's own ceiling: bare CopyObject requests, bucket to bucket, 64 at a time, timed
 * in-process (CPU: this process's). With `createOnly`, each carries `If-None-Match: *` as
 * statestore's copies do (the condition that keeps a move from replacing a file another writer
 * created meanwhile), which s3rver answers with an extra metadata read; on RGW, which ignores
 * that condition on CopyObject, a create-only copy is what statestore sends there instead: a
 * GetObject and a PutObject with `If-None-Match: *`.
 */
async function ceiling(client: S3Client, files: SeededFile[], prefix: string, createOnly = false): Promise<Measure> {
  const limit = pLimit(64);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const copy = async (file: SeededFile) => {
    await client.send(
      new CopyObjectCommand({
        Bucket: 'dst',
        Key: `${prefix}/${file.key}`,
        CopySource: `src/${file.key}`,
        ...(createOnly ? { IfNoneMatch: '*' } : {}),
      }),
    );
  };
  const getPut = async (file: SeededFile) => {
    const got = await client.send(new GetObjectCommand({ Bucket: 'src', Key: file.key }));
    const body = await got.Body!.transformToByteArray();
    await client.send(
      new PutObjectCommand({ Bucket: 'dst', Key: `${prefix}/${file.key}`, Body: body, IfNoneMatch: '*' }),
    );
  };
  await Promise.all(files.map((file) => limit(() => (createOnly && SERVER === 'rgw' ? getPut(file) : copy(file)))));
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** One walk of the source's listing with the SDK (ListObjectsV2, 1,000 keys a page), in-process. */
async function sdkList(client: S3Client, prefix: string): Promise<Measure> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: 'src', Prefix: `${prefix}/`, ContinuationToken: token }),
    );
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/**
 * One statestore move in a child process (bundled rss-child.ts) under GNU time: the row is the
 * whole process, as a peer tool's; the `in-process` row is the move alone (after the import).
 */
async function timeMove(
  ctx: Context,
  row: string,
  from: string,
  to: string,
  objects: number,
  openOptions = ctx.openOptions,
  child = ctx.child,
  env: Record<string, string> = {},
): Promise<void> {
  let inProcess: { seconds: number; cpuSeconds: number; files: number; requests: Record<string, number> } | undefined;
  // BENCH_CPU_PROF_INTERVAL (µs, node's default 1000): finer samples for a short rerun.
  const interval = process.env['BENCH_CPU_PROF_INTERVAL'];
  const flags =
    CPU_PROF === undefined
      ? []
      : ['--cpu-prof', '--cpu-prof-dir', CPU_PROF, ...(interval ? [`--cpu-prof-interval=${interval}`] : [])];
  const measure = await withServerCpu(SERVER_CPU.read, () =>
    timed(
      process.execPath,
      [...flags, child, from, to, ctx.work],
      {
        ...process.env,
        BENCH_OPEN_OPTIONS: JSON.stringify(openOptions),
        BENCH_NO_BASELINE: '1',
        ...(process.argv.includes('--requests') ? { BENCH_REQUESTS: '1' } : {}),
        ...(CONCURRENCY === undefined ? {} : { BENCH_CONCURRENCY: String(CONCURRENCY) }),
        ...env,
      },
      (stdout) => (inProcess = JSON.parse(stdout.trim().split('\n').pop()!) as typeof inProcess),
    ),
  );
  record(row, measure, objects);
  record(`${row} in-process`, { seconds: inProcess!.seconds, cpu: inProcess!.cpuSeconds }, objects);
  if (process.argv.includes('--requests')) process.stdout.write(`  requests ${JSON.stringify(inProcess!.requests)}\n`);
}

/** A copy and its no-op rerun into the same destination. */
async function twice(row: string, objects: number, run: () => Promise<Measure>): Promise<void> {
  record(row, await withServerCpu(SERVER_CPU.read, run), objects);
  record(`${row} rerun`, await withServerCpu(SERVER_CPU.read, run));
}

/** One tool of a round: its name (printed in the round's order) and its rows. */
interface Step {
  name: string;
  run: () => Promise<void>;
}

/**
 * statestore's copy and its no-op rerun (each row with its in-process figure), and with a baseline
 * (another bundle, other S3 options or environment) the same move by it into its own destination:
 * a step of its own, so that it takes every place of the round as the others do.
 */
function twiceMove(
  ctx: Context,
  row: string,
  from: string,
  to: string,
  objects: number,
  openOptions = ctx.openOptions,
  env: Record<string, string> = {},
): Step[] {
  const steps: Step[] = [
    {
      name: row,
      run: async () => {
        await timeMove(ctx, row, from, to, objects, openOptions, ctx.child, env);
        await timeMove(ctx, `${row} rerun`, from, to, objects, openOptions, ctx.child, env);
      },
    },
  ];
  if (BASELINE_CHILD === undefined && BASELINE_S3 === undefined && Object.keys(BASELINE_ENV).length === 0) return steps;
  const baseline = `${to}-baseline`;
  const child = BASELINE_CHILD ?? ctx.child;
  const options =
    BASELINE_S3 === undefined ? openOptions : { ...openOptions, s3: { ...openOptions.s3, ...BASELINE_S3 } };
  const baselineEnv = { ...env, ...BASELINE_ENV };
  steps.push({
    name: `${row} (baseline)`,
    run: async () => {
      await timeMove(ctx, `${row} (baseline)`, from, baseline, objects, options, child, baselineEnv);
      await timeMove(ctx, `${row} (baseline) rerun`, from, baseline, objects, options, child, baselineEnv);
    },
  });
  return steps;
}

/** A peer's copy and its rerun as one step. */
const twiceStep = (row: string, objects: number, run: () => Promise<Measure>): Step => ({
  name: row,
  run: () => twice(row, objects, run),
});

interface Context {
  server: Server;
  client: S3Client;
  /** The bundled statestore child (rss-child.ts). */
  child: string;
  openOptions: OpenVfsOptions;
  seeded: Map<ShapeName, SeededFile[]>;
  /** The request rows' source objects (`src/requests/...`, 3 KiB each), seeded on RGW with the ceilings. */
  requestKeys: string[];
  work: string;
}

/** The tools of one S3 shape in a round; `tag` gives the round its own destination prefixes. */
function s3Steps(ctx: Context, shape: ShapeName, tag: string): Step[] {
  const { server } = ctx;
  const src = `src/${shape}`;
  const row = (name: string) => `${shape}: ${name}`;
  const files = ctx.seeded.get(shape)!;
  const objects = files.length;
  const steps: Step[] = [];
  const add = (more: Step[]) => {
    for (const step of more) steps.push(step);
  };
  if (ONLY.has('statestore'))
    add(twiceMove(ctx, row('statestore move'), `s3://${src}`, `s3://dst/ss-${shape}${tag}`, objects));
  // The listing as the create-only check (MoveOptions.createOnly): on RGW one CopyObject per file
  // where the default sends a GET and a PUT If-None-Match; on s3rver (aws dialect) no change.
  if (ONLY.has('listing')) {
    const listing = { BENCH_CREATE_ONLY: 'listing' };
    const to = `s3://dst/sl-${shape}${tag}`;
    add(twiceMove(ctx, row('statestore move, listing'), `s3://${src}`, to, objects, ctx.openOptions, listing));
  }
  // What a move costs where create-only copies are plain CopyObjects (dialect aws). On RGW, which
  // ignores the condition there, that is an unconditional copy, as rclone's and aws's are: the
  // request statestore cannot safely send there, measured to tell its own cost from the GET + PUT.
  if (ONLY.has('copyobject') && SERVER === 'rgw') {
    const aws = { ...ctx.openOptions, s3: { ...ctx.openOptions.s3, dialect: 'aws' } };
    const to = `s3://dst/sc-${shape}${tag}`;
    add(twiceMove(ctx, row('statestore move, CopyObject'), `s3://${src}`, to, objects, aws));
  }
  if (ONLY.has('tuned') && HAS.rclone)
    for (const n of TRANSFERS)
      steps.push(
        twiceStep(row(`rclone tuned ${n}`), objects, () =>
          rcloneCopy(server, src, `dst/rt${n}-${shape}${tag}`, n, RCLONE_TUNED),
        ),
      );
  if (ONLY.has('aws') && HAS.aws) {
    steps.push(twiceStep(row('aws s3 sync default'), objects, () => awsSync(server, src, `dst/aws10-${shape}${tag}`)));
    steps.push(twiceStep(row('aws s3 sync 32'), objects, () => awsSync(server, src, `dst/aws32-${shape}${tag}`, 32)));
  }
  // The untuned rclone rows (a HEAD per object on a rerun): kept on the mixed shape, as before.
  if (ONLY.has('rclone') && HAS.rclone && shape === 'mixed') {
    steps.push(twiceStep(row('rclone default'), objects, () => rcloneCopy(server, src, `dst/rclone4-${shape}${tag}`)));
    steps.push(twiceStep(row('rclone 32'), objects, () => rcloneCopy(server, src, `dst/rclone32-${shape}${tag}`, 32)));
  }
  if (ONLY.has('ceiling')) steps.push({ name: row('ceilings'), run: () => ceilingRows(ctx, shape, tag) });
  return steps;
}

/** The server's ceilings and the bare listings of one shape (one step of the round). */
async function ceilingRows(ctx: Context, shape: ShapeName, tag: string): Promise<void> {
  const { server } = ctx;
  const files = ctx.seeded.get(shape)!;
  const objects = files.length;
  const row = async (name: string, measure: () => Promise<Measure>) =>
    record(`${shape}: ${name}`, await withServerCpu(SERVER_CPU.read, measure), objects);
  await row('server ceiling (CopyObject x64)', () => ceiling(ctx.client, files, `ceiling-${shape}${tag}`));
  await row(
    SERVER === 'rgw'
      ? 'server ceiling, create-only (GET + PUT If-None-Match x64)'
      : 'server ceiling, create-only (CopyObject If-None-Match x64)',
    () => ceiling(ctx.client, files, `ceiling-c-${shape}${tag}`, true),
  );
  await row('no SDK: CopyObject x64', () => rawCeiling(server, files, `raw-${shape}${tag}`, false));
  await row('listing, SDK (ListObjectsV2)', () => sdkList(ctx.client, shape));
  await row('listing, no SDK', async () => {
    const listed = await rawList(server, shape);
    if (listed.keys !== objects) throw new Error(`the listing without the SDK found ${listed.keys} of ${objects} keys`);
    return listed;
  });
  if (SERVER === 'rgw')
    await row('no SDK: GET + PUT If-None-Match x64', () => rawCeiling(server, files, `raw-c-${shape}${tag}`, true));
}

/** Size of the request rows' objects: a kops cluster's config is a few KiB. */
const REQUEST_BODY = 3 * 1024;

/**
 * The request rows (RGW, with the ceilings): N bare requests of each kind statestore and rclone
 * send on the many shape, 64 in flight, the server's CPU over each (bound.ts), and the server's
 * CPU when idle over 2 s; each a step of the round. N: the one shape's count (2,000 x --scale).
 */
function requestSteps(ctx: Context, tag: string): Step[] {
  const keys = ctx.requestKeys;
  const body = Buffer.alloc(REQUEST_BODY, 'k');
  const step = (name: string, measure: () => Promise<Measure>): Step => ({
    name,
    run: async () => {
      const before = serverCpuByName();
      record(name, await withServerCpu(SERVER_CPU.read, measure), keys.length);
      const after = serverCpuByName();
      const split = Object.keys(after).map(
        (comm) => `${comm} ${((after[comm]! - (before[comm] ?? 0)) * 1000).toFixed(0)} ms`,
      );
      process.stdout.write(`  server CPU by process: ${split.join(', ')}\n`);
    },
  });
  const files = keys.map((key) => ({ key, size: REQUEST_BODY }));
  return [
    step(REQUEST_ROWS.copy, () => rawRequests(ctx.server, 'copy', keys, `req-copy${tag}`)),
    step(REQUEST_ROWS.get, () => rawRequests(ctx.server, 'get', keys, `req-get${tag}`)),
    step(REQUEST_ROWS.put, () => rawRequests(ctx.server, 'put-if-none-match', keys, `req-put${tag}`, body)),
    step(REQUEST_ROWS.getPut, () => rawCeiling(ctx.server, files, `req-getput${tag}`, true)),
    {
      name: REQUEST_ROWS.idle,
      run: async () =>
        record(
          REQUEST_ROWS.idle,
          await withServerCpu(SERVER_CPU.read, async () => {
            await sleep(2000);
            return { seconds: 2 };
          }),
        ),
    },
  ];
}

/** The tools of the file -> file shape on one root folder in a round (fresh destinations, `tag`). */
function fileSteps(ctx: Context, root: FileRoot, tag: string): Step[] {
  const src = path.join(root.work, 'file-src');
  const dst = (name: string) => path.join(root.work, `${name}${tag}`);
  const row = (name: string) => `${root.label}: ${name}`;
  const objects = 2000 * SCALE + 1;
  const steps: Step[] = [];
  if (ONLY.has('statestore'))
    for (const step of twiceMove(
      { ...ctx, work: root.work },
      row('statestore move'),
      `file://${src}`,
      `file://${dst('ss')}`,
      objects,
    ))
      steps.push(step);
  if (ONLY.has('local')) {
    steps.push({
      name: row('cp -r'),
      run: async () => record(row('cp -r'), await cpRecursive(src, dst('cp')), objects),
    });
    if (HAS.rclone) {
      steps.push(twiceStep(row('rclone local default'), objects, () => rcloneLocal(src, dst('rl4'))));
      steps.push(twiceStep(row('rclone local 32'), objects, () => rcloneLocal(src, dst('rl32'), 32)));
    }
  }
  return steps;
}

/**
 * Issue #29's targets ("Must show", `issues show 29`), the only ones printed. On RGW: statestore
 * >= 1.2x tuned rclone's wall on the realistic (kops), one and many shapes, reruns >= 2x rclone's,
 * client CPU per copied object <= rclone's, >= 0.9 of the CopyObject ceiling on the
 * many-small-files shapes (one, many). file:// -> file://: >= 1.0x rclone local, at its default
 * settings and at `--transfers 32` (each printed), reruns >= 2x. The S3 targets are stated for RGW;
 * on s3rver (kept for comparison, single-threaded) the same are printed. Issue #17's (1.5x, reruns
 * 3x, on s3rver and file://: the 1.5 and 3 printed before) are superseded. The mixed shape is no
 * shape of #29's: its ratios have no target.
 */
const TARGET = { wall: 1.2, rerun: 2, cpu: 1, ceiling: 0.9, fileWall: 1.0, fileRerun: 2 } as const;
const TARGET_SHAPES = new Set<ShapeName>(['kops', 'one', 'many']);
const SMALL_FILE_SHAPES = new Set<ShapeName>(['one', 'many']);

function printS3Ratios(shape: ShapeName): void {
  const tuned = (rerun = '') => TRANSFERS.map((n) => `${shape}: rclone tuned ${n}${rerun}`);
  const target = (value: number) => (TARGET_SHAPES.has(shape) ? value : undefined);
  const ceilingTarget = SMALL_FILE_SHAPES.has(shape) ? TARGET.ceiling : undefined;
  const aws = [`${shape}: aws s3 sync default`, `${shape}: aws s3 sync 32`];
  for (const [mode, mine] of [
    ['', `${shape}: statestore move`],
    ['listing mode ', `${shape}: statestore move, listing`],
  ] as const) {
    ratio(`${shape}: ${mode}vs tuned rclone`, tuned(), mine, target(TARGET.wall));
    ratio(`${shape}: ${mode}rerun vs tuned rclone rerun`, tuned(' rerun'), `${mine} rerun`, target(TARGET.rerun));
    ratio(`${shape}: ${mode}client CPU, tuned rclone / statestore`, tuned(), mine, target(TARGET.cpu), 'cpu');
    const ceilings = [
      [`${shape}: server ceiling (CopyObject x64)`, 'CopyObject ceiling'],
      [`${shape}: no SDK: CopyObject x64`, 'no-SDK CopyObject ceiling'],
    ];
    for (const [ceilingRow, name] of ceilings)
      ratio(`${shape}: ${mode}fraction of the ${name}`, [ceilingRow!], mine, ceilingTarget);
  }
  const mine = `${shape}: statestore move`;
  ratio(`${shape}: vs aws s3 sync`, aws, mine);
  ratio(
    `${shape}: rerun vs aws s3 sync rerun`,
    aws.map((row) => `${row} rerun`),
    `${mine} rerun`,
  );
  ratio(`${shape}: vs rclone untuned`, [`${shape}: rclone default`, `${shape}: rclone 32`], mine);
  ratio(`${shape}: client CPU, aws / statestore`, aws, mine, undefined, 'cpu');
}

/** file:// -> file:// against each of rclone local's rows on its own (#29 names both). */
function printFileRatios(label: string): void {
  const mine = `${label}: statestore move`;
  for (const peer of ['default', '32']) {
    ratio(`${label}: vs rclone local ${peer}`, [`${label}: rclone local ${peer}`], mine, TARGET.fileWall);
    ratio(
      `${label}: rerun vs rclone local ${peer} rerun`,
      [`${label}: rclone local ${peer} rerun`],
      `${mine} rerun`,
      TARGET.fileRerun,
    );
  }
  ratio(`${label}: vs cp -r`, [`${label}: cp -r`], mine);
}

function printRatios(ctx: Context, fileRoots: FileRoot[]): void {
  process.stdout.write(
    "\nratios (peer time / statestore time; > 1: statestore faster), peer = the fastest of the listed; targets: issue #29's\n",
  );
  for (const shape of SHAPES.filter((s) => s !== 'file')) printS3Ratios(shape);
  if (REQUEST_ROWS_ON) {
    const many = SHAPES.includes('many') ? ctx.seeded.get('many') : undefined;
    const clusters = many?.filter((file) => file.key.endsWith('/config')).length ?? 0;
    printManyBound(many === undefined ? undefined : { objects: many.length, clusters });
  }
  for (const root of fileRoots) printFileRatios(root.label);
}

/** The S3 server of the run, with `src` and `dst` buckets. */
async function startServer(): Promise<{ server: Server; openOptions: OpenVfsOptions; stop: () => Promise<void> }> {
  if (SERVER === 'rgw') {
    const rgw = await startRgw();
    await rgw.createBucket('src');
    await rgw.createBucket('dst');
    process.stdout.write(`Ceph RADOS Gateway at ${rgw.endpoint}, started in ${rgw.startMs} ms\n`);
    return {
      server: { endpoint: rgw.endpoint, credentials: rgw.s3.credentials },
      openOptions: { env: {}, s3: { ...rgw.s3, ...S3_OPTIONS } },
      stop: () => rgw.stop(),
    };
  }
  const s3rver = await startS3rver({ buckets: ['src', 'dst'] });
  const credentials = { ...S3RVER_CREDENTIALS };
  return {
    server: { endpoint: s3rver.endpoint, credentials },
    openOptions: { env: {}, s3: { endpoint: s3rver.endpoint, credentials, region: 'us-east-1', ...S3_OPTIONS } },
    stop: () => s3rver.stop(),
  };
}

/** Samples the load average every 30 s (the machine is shared: every figure is read beside it). */
function sampleLoad(): () => string {
  const samples: number[] = [loadavg()[0]!];
  const timer = setInterval(() => samples.push(loadavg()[0]!), 30_000);
  return () => {
    clearInterval(timer);
    samples.push(loadavg()[0]!);
    return `load average (1 min) ${Math.min(...samples).toFixed(2)}-${Math.max(...samples).toFixed(2)}, ${samples.length} samples`;
  };
}

/** Runs one shape's tools in this round's order (order.ts), printed first. */
async function runSteps(label: string, steps: Step[], round: number): Promise<void> {
  const order = roundOrder(steps, round, SEED);
  if (order.length > 1)
    process.stdout.write(
      `${label} order (round ${round}; every place once in ${fullCycle(steps.length)} rounds): ${order.map((step) => step.name.slice(label.length + 2)).join(' > ')}\n`,
    );
  for (const step of order) await step.run();
}

/**
 * One round of the file shape on one root: the filesystem written back first, the cost of a create
 * probed and printed, the tools in this round's order into fresh folders; nothing is deleted until
 * the end of the run (file-root.ts: ext4's recently deleted inodes).
 */
async function fileRound(ctx: Context, root: FileRoot, round: number): Promise<void> {
  const tag = `-${round}`;
  await settle(root);
  record(
    `${root.label}: create probe (500 x open O_CREAT, in the bench)`,
    await createProbe(path.join(root.work, `probe${tag}`)),
  );
  await runSteps(root.label, fileSteps(ctx, root, tag), round);
}

async function main(): Promise<void> {
  process.stdout.write(
    `server ${SERVER}; scale ${SCALE}; shapes ${SHAPES.map((s) => SHAPE_LABELS[s]).join(' | ')}; big object ${BIG_MIB} MiB; statestore concurrency ${CONCURRENCY ?? 'default'}; rounds ${REPEAT}; tool order seed ${SEED} (--seed); ${new Date().toISOString()}; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  if (!HAS.rclone) process.stdout.write('rclone not found (apt-get install -y rclone): its rows are skipped\n');
  if (!HAS.aws) process.stdout.write('aws CLI not found: its rows are skipped\n');
  const load = sampleLoad();
  const { server, openOptions, stop } = await startServer();
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: server.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const work = await mkdtemp(path.join(tmpdir(), 'bench-move-'));
  const child = await bundleChild();
  const ctx: Context = { server, client, child, openOptions, seeded: new Map(), requestKeys: [], work };
  SERVER_CPU.read = serverCpuReader();
  if (SERVER === 'rgw')
    process.stdout.write(
      `server CPU: ${SERVER_CPU.read === undefined ? 'no RGW process found' : "RGW's radosgw, ceph-osd and ceph-mon (/proc/PID/stat)"}\n`,
    );
  const fileRoots = SHAPES.includes('file') ? await openFileRoots(FILE_ROOTS) : [];
  for (const root of fileRoots) process.stdout.write(`${root.label}: in ${root.work}, ${root.mount}\n`);
  try {
    for (const shape of SHAPES) {
      if (shape === 'file') for (const root of fileRoots) await seedFolder(path.join(root.work, 'file-src'), SCALE);
      else ctx.seeded.set(shape, await seedS3(client, shape, shape, SCALE));
    }
    if (REQUEST_ROWS_ON)
      ctx.requestKeys = await seedRequests(client, 'requests', Math.max(1, Math.round(2000 * SCALE)), REQUEST_BODY);
    for (let round = 1; round <= REPEAT; round++) {
      process.stdout.write(`round ${round} of ${REPEAT} (load ${loadavg()[0]!.toFixed(2)})\n`);
      for (const shape of SHAPES) {
        if (shape !== 'file') await runSteps(shape, s3Steps(ctx, shape, `-${round}`), round);
        else for (const root of fileRoots) await fileRound(ctx, root, round);
      }
      if (REQUEST_ROWS_ON) await runSteps('requests', requestSteps(ctx, `-${round}`), round);
    }
    if (REPEAT > 1) printMedians(REPEAT);
    printRatios(ctx, fileRoots);
    if (ONLY.has('rss')) printRss(await peakRss(server, client, BIG_MIB, child));
  } finally {
    process.stdout.write(`${load()}\n`);
    client.destroy();
    await stop();
    await rm(work, { recursive: true, force: true });
    await closeFileRoots(fileRoots);
    await rm(child, { force: true });
  }
}

function printRss(rss: Awaited<ReturnType<typeof peakRss>>): void {
  for (const [direction, result] of [
    ['s3 -> file', rss.download],
    ['file -> s3', rss.upload],
  ] as const) {
    process.stdout.write(
      `\npeak RSS moving ${BIG_MIB} MiB ${direction}: ${(result.maxRss / 1024 / 1024).toFixed(0)} MB (target < 100), ${result.seconds.toFixed(2)} s, ${result.copied} bytes copied`,
    );
  }
  process.stdout.write('\n');
}

await main();
