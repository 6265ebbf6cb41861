/**
 * Move benchmark: statestore's moveStateStore vs `aws s3 sync` vs `rclone copy`, all against the
 * same local S3 server (s3rver, two buckets), plus the server's own CopyObject ceiling and the
 * peak RSS of moving one large object s3 -> file in a child process. Prints ratios from one run.
 *
 *   npm run bench -- [--scale 1] [--big-mib 1024] [--concurrency N] [--only statestore,ceiling] [--repeat 3]
 *
 * --scale multiplies the file counts (2,000 x 1 KiB + 20 x 8 MiB at 1); record the scale you ran.
 */
import { CopyObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { openVfs } from '../../src/backends/registry.js';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../../test/servers/s3rver.js';
import { awsSync, hasCommand, rcloneCopy } from './tools.js';

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1]!;
};
const SCALE = Number(arg('scale', '1'));
const BIG_MIB = Number(arg('big-mib', '1024'));
/** Unset: moveStateStore's own default (what a user gets without tuning). */
const CONCURRENCY = process.argv.includes('--concurrency') ? Number(arg('concurrency', '')) : undefined;
const SMALL = Math.max(1, Math.round(2000 * SCALE));
const LARGE = Math.max(1, Math.round(20 * SCALE));
const CLUSTER = 'bench.example.com';
/** `--only statestore,ceiling` runs a subset (statestore, aws, rclone, ceiling, rss) while iterating. */
const ONLY = new Set(arg('only', 'statestore,aws,rclone,ceiling,rss').split(','));
/** Rounds of every tool, interleaved; ratios use each row's median (steadier on a shared machine). */
const REPEAT = Math.max(1, Number(arg('repeat', '1')));

const results: Array<{ name: string; seconds: number }> = [];
const record = (name: string, seconds: number): void => {
  results.push({ name, seconds });
  process.stdout.write(`${name.padEnd(40)} ${seconds.toFixed(2).padStart(8)} s\n`);
};

async function seed(client: S3Client): Promise<Array<{ key: string; size: number }>> {
  const files: Array<{ key: string; size: number }> = [];
  for (let i = 0; i < SMALL; i++) files.push({ key: `store/${CLUSTER}/secrets/small-${String(i).padStart(5, '0')}`, size: 1024 });
  for (let i = 0; i < LARGE; i++) files.push({ key: `store/${CLUSTER}/backups/large-${String(i).padStart(3, '0')}`, size: 8 * 1024 * 1024 });
  const limit = pLimit(16);
  await Promise.all(files.map((file) => limit(() => client.send(new PutObjectCommand({ Bucket: 'src', Key: file.key, Body: randomBytes(file.size) })))));
  const config = `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${CLUSTER}\nspec:\n  configBase: s3://src/store/${CLUSTER}\n`;
  await client.send(new PutObjectCommand({ Bucket: 'src', Key: `store/${CLUSTER}/config`, Body: config }));
  return files;
}

/** The server's own ceiling: bare CopyObject requests, bucket to bucket, 64 at a time. */
async function ceiling(client: S3Client, files: Array<{ key: string }>, prefix: string): Promise<number> {
  const limit = pLimit(64);
  const started = performance.now();
  await Promise.all(files.map((file) => limit(() => client.send(new CopyObjectCommand({ Bucket: 'dst', Key: `${prefix}/${file.key}`, CopySource: `src/${file.key}` })))));
  return (performance.now() - started) / 1000;
}

interface RssResult {
  maxRss: number;
  copied: number;
  seconds: number;
}

/** Peak RSS of a child process moving one BIG_MIB object s3 -> file, then file -> s3 (multipart upload). */
async function peakRss(endpoint: string, client: S3Client): Promise<{ download: RssResult; upload: RssResult }> {
  const source = await openVfs('s3://src/big', { env: {}, s3: { endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' } });
  const chunk = randomBytes(1024 * 1024);
  await source.writeStream(`big.example.com/backups/blob`, Readable.from((function* () { for (let i = 0; i < BIG_MIB; i++) yield chunk; })()));
  await client.send(new PutObjectCommand({ Bucket: 'src', Key: 'big/big.example.com/config', Body: 'kind: Cluster\nspec:\n  configBase: s3://src/big/big.example.com\n' }));
  await source.close();
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-rss-'));
  const child = path.join(import.meta.dirname, 'rss-child.ts');
  const move = async (from: string, to: string): Promise<RssResult> => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, from, to, endpoint], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as RssResult;
  };
  try {
    return { download: await move('s3://src/big', `file://${dir}`), upload: await move(`file://${dir}`, 's3://dst/big-back') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One round of every tool asked for; `suffix` gives each round its own destination prefixes. */
async function runRound(endpoint: string, client: S3Client, files: Array<{ key: string }>, openOptions: OpenVfsOptions, suffix: string): Promise<void> {
  const statestore = (): Promise<number> => {
    const started = performance.now();
    return moveStateStore({ from: 's3://src/store', to: `s3://dst/statestore${suffix}`, ...(CONCURRENCY === undefined ? {} : { concurrency: CONCURRENCY }), openOptions }).then(() => (performance.now() - started) / 1000);
  };
  if (ONLY.has('statestore')) {
    record('statestore move', await statestore());
    record('statestore rerun (no-op)', await statestore());
  }
  if (!ONLY.has('aws')) {
    // not asked for
  } else if (hasCommand('aws')) {
    record('aws s3 sync (default)', await awsSync(endpoint, 'src/store', `dst/aws10${suffix}`));
    record('aws s3 sync (default) rerun', await awsSync(endpoint, 'src/store', `dst/aws10${suffix}`));
    record('aws s3 sync (32)', await awsSync(endpoint, 'src/store', `dst/aws32${suffix}`, 32));
    record('aws s3 sync (32) rerun', await awsSync(endpoint, 'src/store', `dst/aws32${suffix}`, 32));
  } else process.stdout.write('aws CLI not found: skipped\n');
  if (!ONLY.has('rclone')) {
    // not asked for
  } else if (hasCommand('rclone')) {
    record('rclone copy (default)', await rcloneCopy(endpoint, 'src/store', `dst/rclone4${suffix}`));
    record('rclone copy (default) rerun', await rcloneCopy(endpoint, 'src/store', `dst/rclone4${suffix}`));
    record('rclone copy (32)', await rcloneCopy(endpoint, 'src/store', `dst/rclone32${suffix}`, 32));
    record('rclone copy (32) rerun', await rcloneCopy(endpoint, 'src/store', `dst/rclone32${suffix}`, 32));
  } else process.stdout.write('rclone not found (apt-get install -y rclone): skipped\n');
  if (ONLY.has('ceiling')) record('server ceiling (CopyObject x64)', await ceiling(client, files, `ceiling${suffix}`));
}

/** The median of a row's measurements. */
function time(name: string): number | undefined {
  const values = results.filter((result) => result.name === name).map((result) => result.seconds).sort((a, b) => a - b);
  if (values.length === 0) return undefined;
  const middle = Math.floor(values.length / 2);
  return values.length % 2 === 1 ? values[middle] : (values[middle - 1]! + values[middle]!) / 2;
}

async function main(): Promise<void> {
  process.stdout.write(`scale ${SCALE}: ${SMALL} x 1 KiB + ${LARGE} x 8 MiB; big object ${BIG_MIB} MiB; statestore concurrency ${CONCURRENCY ?? 'default'}\n`);
  const server = await startS3rver({ buckets: ['src', 'dst'] });
  const client = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  const openOptions = { env: {}, s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' } };
  try {
    const files = await seed(client);
    for (let round = 1; round <= REPEAT; round++) {
      if (REPEAT > 1) process.stdout.write(`round ${round} of ${REPEAT}\n`);
      await runRound(server.endpoint, client, files, openOptions, REPEAT > 1 ? `-${round}` : '');
    }
    if (REPEAT > 1) {
      process.stdout.write(`\nmedians of ${REPEAT} rounds\n`);
      for (const name of new Set(results.map((result) => result.name))) process.stdout.write(`${name.padEnd(40)} ${time(name)!.toFixed(2).padStart(8)} s\n`);
    }

    const ratio = (label: string, other: string, mine: string): void => {
      const a = time(other);
      const b = time(mine);
      if (a !== undefined && b !== undefined) process.stdout.write(`${label.padEnd(52)} ${(a / b).toFixed(2)}x\n`);
    };
    if (time('statestore move') !== undefined) process.stdout.write('\nratios (other time / statestore time; >1 means statestore is faster)\n');
    ratio('vs aws s3 sync default (target >= 1.5)', 'aws s3 sync (default)', 'statestore move');
    ratio('vs aws s3 sync 32', 'aws s3 sync (32)', 'statestore move');
    ratio('vs rclone default', 'rclone copy (default)', 'statestore move');
    ratio('vs rclone 32 (target >= 1.0)', 'rclone copy (32)', 'statestore move');
    ratio('no-op rerun vs rclone 32 rerun (target >= 1.0)', 'rclone copy (32) rerun', 'statestore rerun (no-op)');
    ratio('no-op rerun vs aws default rerun', 'aws s3 sync (default) rerun', 'statestore rerun (no-op)');
    ratio('fraction of server ceiling (target >= 0.8)', 'server ceiling (CopyObject x64)', 'statestore move');

    if (!ONLY.has('rss')) return;
    const rss = await peakRss(server.endpoint, client);
    for (const [direction, result] of [['s3 -> file', rss.download], ['file -> s3', rss.upload]] as const) {
      process.stdout.write(`\npeak RSS moving ${BIG_MIB} MiB ${direction}: ${(result.maxRss / 1024 / 1024).toFixed(0)} MB (target < 200), ${result.seconds.toFixed(2)} s, ${result.copied} bytes copied`);
    }
    process.stdout.write('\n');
  } finally {
    client.destroy();
    await server.stop();
  }
}

await main();
