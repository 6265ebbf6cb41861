/**
 * The external tools the benchmark races against (`aws s3 sync`, `rclone copy`), each run as a
 * child process against the local S3 server, timed from spawn to exit, with the child's CPU time
 * and peak RSS (GNU time's rusage of it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Measure } from './report.js';

/** The S3 server the tools talk to. */
export interface Server {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Runs a command to completion under GNU time; resolves with its wall seconds, CPU seconds (user
 * + system, the child's rusage) and peak RSS, rejects on a non-zero exit. `stdout` collects the
 * child's output when asked.
 */
export async function timed(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdout?: (text: string) => void,
): Promise<Measure> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-time-'));
  const usage = path.join(dir, 'usage');
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', usage, command, ...args], {
        env,
        stdio: ['ignore', stdout === undefined ? 'ignore' : 'pipe', 'pipe'],
      });
      let stderr = '';
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) return reject(new Error(`${command} exited ${code}: ${stderr.slice(-800)}`));
        stdout?.(out);
        resolve();
      });
    });
    const seconds = (performance.now() - started) / 1000;
    const [user, system, maxRssKib] = (await readFile(usage, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds, cpu: user! + system!, rss: maxRssKib! * 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function hasCommand(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `aws s3 sync`; `maxConcurrentRequests` goes through a temporary AWS_CONFIG_FILE (default 10). */
export async function awsSync(
  { endpoint, credentials }: Server,
  from: string,
  to: string,
  maxConcurrentRequests?: number,
): Promise<Measure> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-aws-'));
  const config = path.join(dir, 'config');
  const s3Section =
    maxConcurrentRequests === undefined ? '' : `s3 =\n  max_concurrent_requests = ${maxConcurrentRequests}\n`;
  await writeFile(config, `[default]\nregion = us-east-1\n${s3Section}`);
  const env = {
    ...process.env,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_PAGER: '',
  };
  return timed(
    'aws',
    ['s3', 'sync', '--only-show-errors', '--endpoint-url', endpoint, `s3://${from}`, `s3://${to}`],
    env,
  );
}

/**
 * The flags an expert tunes rclone with for S3 to S3: one recursive listing per side, compare
 * by size + MD5 (ETag) instead of a HEAD per object for its modtime, no HEAD after an upload, no
 * bucket probe.
 */
export const RCLONE_TUNED = ['--fast-list', '--checksum', '--s3-no-head', '--s3-no-check-bucket'];

/** `rclone copy` through an env-defined remote. Debian's rclone fails when AWS_CA_BUNDLE is set. */
export async function rcloneCopy(
  { endpoint, credentials }: Server,
  from: string,
  to: string,
  parallel?: number,
  flags: string[] = [],
): Promise<Measure> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
    RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: credentials.accessKeyId,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
  };
  delete env.AWS_CA_BUNDLE;
  const extra = parallel === undefined ? [] : ['--transfers', String(parallel), '--checkers', String(parallel)];
  return timed('rclone', ['copy', '--config', '/dev/null', ...extra, ...flags, `bench:${from}`, `bench:${to}`], env);
}

/** `rclone copy` between two local folders (it compares size + modtime on a rerun). */
export async function rcloneLocal(from: string, to: string, parallel?: number): Promise<Measure> {
  const extra = parallel === undefined ? [] : ['--transfers', String(parallel), '--checkers', String(parallel)];
  return timed('rclone', ['copy', '--config', '/dev/null', ...extra, from, to], process.env);
}

/** `cp -r` of a folder (no rerun: it copies everything every time). */
export async function cpRecursive(from: string, to: string): Promise<Measure> {
  return timed('cp', ['-r', from, to], process.env);
}
