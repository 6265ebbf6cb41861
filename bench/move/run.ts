/**
 * Move benchmark: statestore's moveStateStore vs `aws s3 sync` and `rclone copy` (default and
 * expert-tuned), all against the same local S3 server (s3rver, two buckets), and vs `cp -r` /
 * rclone between local folders; plus the server's own CopyObject ceiling and the peak RSS of
 * moving one large object both ways in a child process. Rounds are interleaved; rows report
 * medians.
 *
 *   npx tsx bench/move/run.ts [--scale 1] [--big-mib 1024] [--concurrency N] [--repeat 3]
 *     [--shapes mixed,one,many,file] [--only statestore,aws,rclone,tuned,ceiling,local,rss]
 *
 * --scale multiplies the file counts; record the scale you ran.
 */
import { CopyObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { startS3rver } from '../../test/servers/s3rver.js';
import { S3RVER_CREDENTIALS } from '../../test/servers/s3rver.js';
import { printMedians, ratio, record } from './report.js';
import { peakRss } from './rss.js';
import { seedFolder, seedS3, SHAPE_LABELS, type SeededFile, type ShapeName } from './shapes.js';
import { awsSync, cpRecursive, hasCommand, RCLONE_TUNED, rcloneCopy, rcloneLocal } from './tools.js';

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
const HAS = { aws: hasCommand('aws'), rclone: hasCommand('rclone') };

/**
 * The server's own ceiling: bare CopyObject requests, bucket to bucket, 64 at a time. With
 * `createOnly`, each carries `If-None-Match: *` as statestore's copies do (the condition that
 * keeps a move from replacing a file another writer created meanwhile), which the test server
 * answers with an extra metadata read.
 */
async function ceiling(client: S3Client, files: SeededFile[], prefix: string, createOnly = false): Promise<number> {
  const limit = pLimit(64);
  const started = performance.now();
  await Promise.all(
    files.map((file) =>
      limit(() =>
        client.send(
          new CopyObjectCommand({
            Bucket: 'dst',
            Key: `${prefix}/${file.key}`,
            CopySource: `src/${file.key}`,
            ...(createOnly ? { IfNoneMatch: '*' } : {}),
          }),
        ),
      ),
    ),
  );
  return (performance.now() - started) / 1000;
}

async function timeMove(from: string, to: string, openOptions: OpenVfsOptions, digestFolder: string): Promise<number> {
  const started = performance.now();
  await moveStateStore({
    from,
    to,
    openOptions,
    digestFolder,
    ...(CONCURRENCY === undefined ? {} : { concurrency: CONCURRENCY }),
  });
  return (performance.now() - started) / 1000;
}

/** A copy and its no-op rerun into the same destination. */
async function twice(row: string, run: () => Promise<number>): Promise<void> {
  record(row, await run());
  record(`${row} rerun`, await run());
}

interface Context {
  endpoint: string;
  client: S3Client;
  openOptions: OpenVfsOptions;
  seeded: Map<ShapeName, SeededFile[]>;
  work: string;
}

/** One round of every tool on one S3 shape; `tag` gives the round its own destination prefixes. */
async function s3Round(ctx: Context, shape: ShapeName, tag: string): Promise<void> {
  const { endpoint } = ctx;
  const src = `src/${shape}`;
  const row = (name: string) => `${shape}: ${name}`;
  if (ONLY.has('statestore'))
    await twice(row('statestore move'), () =>
      timeMove(`s3://${src}`, `s3://dst/ss-${shape}${tag}`, ctx.openOptions, ctx.work),
    );
  if (ONLY.has('tuned') && HAS.rclone) {
    for (const n of [32, 64])
      await twice(row(`rclone tuned ${n}`), () =>
        rcloneCopy(endpoint, src, `dst/rt${n}-${shape}${tag}`, n, RCLONE_TUNED),
      );
  }
  if (ONLY.has('aws') && HAS.aws) {
    await twice(row('aws s3 sync default'), () => awsSync(endpoint, src, `dst/aws10-${shape}${tag}`));
    await twice(row('aws s3 sync 32'), () => awsSync(endpoint, src, `dst/aws32-${shape}${tag}`, 32));
  }
  // The untuned rclone rows (a HEAD per object on a rerun): kept on the mixed shape, as before.
  if (ONLY.has('rclone') && HAS.rclone && shape === 'mixed') {
    await twice(row('rclone default'), () => rcloneCopy(endpoint, src, `dst/rclone4-${shape}${tag}`));
    await twice(row('rclone 32'), () => rcloneCopy(endpoint, src, `dst/rclone32-${shape}${tag}`, 32));
  }
  if (ONLY.has('ceiling'))
    record(
      row('server ceiling (CopyObject x64)'),
      await ceiling(ctx.client, ctx.seeded.get(shape)!, `ceiling-${shape}${tag}`),
    );
  if (ONLY.has('ceiling'))
    record(
      row('server ceiling, create-only (CopyObject If-None-Match x64)'),
      await ceiling(ctx.client, ctx.seeded.get(shape)!, `ceiling-c-${shape}${tag}`, true),
    );
}

/** One round on the file -> file shape. */
async function fileRound(ctx: Context, tag: string): Promise<void> {
  const src = path.join(ctx.work, 'file-src');
  const dst = (name: string) => path.join(ctx.work, `${name}${tag}`);
  if (ONLY.has('statestore'))
    await twice('file: statestore move', () =>
      timeMove(`file://${src}`, `file://${dst('ss')}`, ctx.openOptions, path.join(ctx.work, 'digests')),
    );
  if (ONLY.has('local')) {
    record('file: cp -r', await cpRecursive(src, dst('cp')));
    if (HAS.rclone) {
      await twice('file: rclone local default', () => rcloneLocal(src, dst('rl4')));
      await twice('file: rclone local 32', () => rcloneLocal(src, dst('rl32'), 32));
    }
  }
}

function printRatios(): void {
  process.stdout.write(
    '\nratios (peer time / statestore time; > 1: statestore faster), peer = the fastest of the listed\n',
  );
  const tuned = (shape: string, rerun = '') => [32, 64].map((n) => `${shape}: rclone tuned ${n}${rerun}`);
  for (const shape of SHAPES.filter((s) => s !== 'file')) {
    const mine = `${shape}: statestore move`;
    ratio(`${shape}: vs tuned rclone`, tuned(shape), mine, shape === 'mixed' ? undefined : 1.5);
    ratio(`${shape}: rerun vs tuned rclone rerun`, tuned(shape, ' rerun'), `${mine} rerun`, 3);
    ratio(`${shape}: vs aws s3 sync`, [`${shape}: aws s3 sync default`, `${shape}: aws s3 sync 32`], mine);
    ratio(
      `${shape}: rerun vs aws s3 sync rerun`,
      [`${shape}: aws s3 sync default rerun`, `${shape}: aws s3 sync 32 rerun`],
      `${mine} rerun`,
    );
    ratio(`${shape}: vs rclone untuned`, [`${shape}: rclone default`, `${shape}: rclone 32`], mine);
    ratio(`${shape}: fraction of the CopyObject ceiling`, [`${shape}: server ceiling (CopyObject x64)`], mine, 0.9);
  }
  if (SHAPES.includes('file')) {
    ratio(
      'file: vs rclone local',
      ['file: rclone local default', 'file: rclone local 32'],
      'file: statestore move',
      1.5,
    );
    ratio('file: vs cp -r', ['file: cp -r'], 'file: statestore move');
    ratio(
      'file: rerun vs rclone local rerun',
      ['file: rclone local default rerun', 'file: rclone local 32 rerun'],
      'file: statestore move rerun',
      3,
    );
  }
}

async function main(): Promise<void> {
  process.stdout.write(
    `scale ${SCALE}; shapes ${SHAPES.map((s) => SHAPE_LABELS[s]).join(' | ')}; big object ${BIG_MIB} MiB; statestore concurrency ${CONCURRENCY ?? 'default'}; rounds ${REPEAT}\n`,
  );
  if (!HAS.rclone) process.stdout.write('rclone not found (apt-get install -y rclone): its rows are skipped\n');
  if (!HAS.aws) process.stdout.write('aws CLI not found: its rows are skipped\n');
  const server = await startS3rver({ buckets: ['src', 'dst'] });
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
  const openOptions: OpenVfsOptions = {
    env: {},
    s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' },
  };
  const work = await mkdtemp(path.join(tmpdir(), 'bench-move-'));
  const ctx: Context = { endpoint: server.endpoint, client, openOptions, seeded: new Map(), work };
  try {
    for (const shape of SHAPES) {
      if (shape === 'file') await seedFolder(path.join(work, 'file-src'), SCALE);
      else ctx.seeded.set(shape, await seedS3(client, shape, shape, SCALE));
    }
    for (let round = 1; round <= REPEAT; round++) {
      process.stdout.write(`round ${round} of ${REPEAT}\n`);
      for (const shape of SHAPES)
        await (shape === 'file' ? fileRound(ctx, `-${round}`) : s3Round(ctx, shape, `-${round}`));
    }
    if (REPEAT > 1) printMedians(REPEAT);
    printRatios();
    if (!ONLY.has('rss')) return;
    const rss = await peakRss(server.endpoint, client, BIG_MIB);
    for (const [direction, result] of [
      ['s3 -> file', rss.download],
      ['file -> s3', rss.upload],
    ] as const) {
      process.stdout.write(
        `\npeak RSS moving ${BIG_MIB} MiB ${direction}: ${(result.maxRss / 1024 / 1024).toFixed(0)} MB (target < 100), ${result.seconds.toFixed(2)} s, ${result.copied} bytes copied`,
      );
    }
    process.stdout.write('\n');
  } finally {
    client.destroy();
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
