/** Peak RSS of moving one large object, each direction in its own child process (rss-child.ts). */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { openVfs } from '../../src/backends/registry.js';
import { S3RVER_CREDENTIALS } from '../../test/servers/s3rver.js';

export interface RssResult {
  maxRss: number;
  copied: number;
  seconds: number;
}

/** Moves one `mib` MiB object s3 -> file, then file -> s3 (multipart upload); each child's peak RSS. */
export async function peakRss(
  endpoint: string,
  client: S3Client,
  mib: number,
): Promise<{ download: RssResult; upload: RssResult }> {
  const source = await openVfs('s3://src/big', {
    env: {},
    s3: { endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' },
  });
  const chunk = randomBytes(1024 * 1024);
  await source.writeStream(
    `big.example.com/backups/blob`,
    Readable.from(
      (function* () {
        for (let i = 0; i < mib; i++) yield chunk;
      })(),
    ),
  );
  await client.send(
    new PutObjectCommand({
      Bucket: 'src',
      Key: 'big/big.example.com/config',
      Body: 'kind: Cluster\nspec:\n  configBase: s3://src/big/big.example.com\n',
    }),
  );
  await source.close();
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-rss-'));
  // Bundled as the package is (dist/): run through tsx instead, the child would count tsx's
  // compiler and source maps of every module (118 MB after the import alone, 61 MB bundled).
  const child = path.join(dir, 'rss-child.mjs');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'rss-child.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const move = async (from: string, to: string): Promise<RssResult> => {
    const { stdout } = await promisify(execFile)(process.execPath, [child, from, to, endpoint, dir], {
      maxBuffer: 1 << 20,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as RssResult;
  };
  try {
    return {
      download: await move('s3://src/big', `file://${dir}/store`),
      upload: await move(`file://${dir}/store`, 's3://dst/big-back'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
