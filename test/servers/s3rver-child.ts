/**
 * The s3rver process started by `startS3rver()` (see `s3rver.ts`): run with
 * `node --openssl-legacy-provider` (from its bundle, or with `--import tsx`: node-entry.ts), configured by the S3RVER_CONFIG environment
 * variable, prints one JSON line `{"ports":[...]}` when listening, and exits when its stdin closes
 * (so it never outlives the test process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compatMiddleware, type KoaContext, type S3ErrorClass } from './s3rver-middleware.js';
import { patchStore, type S3rverStore } from './s3rver-store.js';

interface ChildConfig {
  buckets: Array<{ name: string; region?: string }>;
  accounts: Array<{ accessKeyId: string; secretAccessKey: string }>;
  listeners: number;
  /** False: every request is path-style, whatever its Host (see StartS3rverOptions.pathStyleOnly). */
  vhostBuckets?: boolean;
}

interface S3rverApp {
  store: S3rverStore;
  middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => Promise<void>>;
  run(): Promise<{ port: number }>;
  callback(): Parameters<typeof createServer>[1];
  close(): Promise<void>;
}

const require = createRequire(path.join(process.cwd(), 'package.json'));
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverApp;
const S3Error = require('s3rver/lib/models/error') as S3ErrorClass;
const AWSAccount = require('s3rver/lib/models/account') as new (
  id: number,
  name: string,
) => { createKeyPair(id: string, secret: string): void };

async function main(): Promise<void> {
  const config = JSON.parse(process.env['S3RVER_CONFIG'] ?? '{}') as ChildConfig;
  const directory = mkdtempSync(path.join(tmpdir(), 's3rver-'));
  process.on('exit', () => rmSync(directory, { recursive: true, force: true }));
  config.accounts.forEach((account, index) => {
    new AWSAccount(123456789001 + index, `account-${index}`).createKeyPair(
      account.accessKeyId,
      account.secretAccessKey,
    );
  });
  const app = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: config.buckets.map((bucket) => ({ name: bucket.name })),
    vhostBuckets: config.vhostBuckets ?? true,
  });
  patchStore(app.store);
  const regions: Record<string, string> = {};
  for (const bucket of config.buckets) if (bucket.region !== undefined) regions[bucket.name] = bucket.region;
  app.middleware.unshift(compatMiddleware({ store: app.store, S3Error, regions }));
  const { port } = await app.run();
  const ports = [port];
  for (let i = 1; i < config.listeners; i++) {
    const server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports.push((server.address() as { port: number }).port);
  }
  process.stdout.write(`${JSON.stringify({ ports })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`s3rver failed to start: ${String(err)}\n`);
  process.exit(1);
});
