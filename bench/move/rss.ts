/** Peak RSS of moving one large object, each direction in its own child process (rss-child.ts). */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { openVfs } from '../../src/backends/registry.js';
import { REPO_ROOT } from '../../test/helpers/repo-root.js';
import type { Server } from './tools.js';

/** One child's figures (bytes, seconds). */
export interface RssResult {
  maxRss: number;
  copied: number;
  seconds: number;
  /** Files copied. */
  files: number;
  /** CPU time (user + system) of the move. */
  cpuSeconds: number;
  /** RSS right after the import, and after opening both stores (SDK loaded, nothing moved). */
  afterImport: number;
  baseline: number;
  /** Sampled peaks of process.memoryUsage() during the move (with BENCH_MEMORY_PEAKS=1 only). */
  peaks?: { heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
}

/**
 * What dist/ leaves out of its bundle (tsup's default: dependencies and peer dependencies, the
 * cloud SDKs among them), so the child loads them from node_modules as an installed package does.
 * Bundling them too made the child parse every SDK (Azure, GCS) a move to S3 never loads: 11 MB
 * more RSS after the import than dist/ gives (bench/README.md, "Peak RSS").
 */
async function externals(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  return [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
}

/**
 * Bundles rss-child.ts and returns its path. The child imports the package as users do, from the
 * built `dist/index.js` of this checkout (run `npm run build` first: a missing build stops here,
 * an older one than `src/` gets a warning); only the child's own lines are bundled. Bundled from
 * the sources instead, the child skipped what the build does (the validators loaded on first use,
 * the chunks) and imported only what the move uses; run through tsx, it counted tsx's compiler
 * and source maps of every module (118 MB after the import alone). It is written inside the
 * repository so that its externals resolve from node_modules.
 */
export async function bundleChild(): Promise<string> {
  const library = path.join(REPO_ROOT, 'dist', 'index.js');
  const built = await stat(library).catch(() => undefined);
  if (built === undefined) throw new Error(`${library} is missing: run \`npm run build\` before the bench`);
  if ((await newestSource(path.join(REPO_ROOT, 'src'))) > built.mtimeMs)
    process.stderr.write(`warning: src/ changed after ${library} was built: the bench runs the older build\n`);
  const cache = path.join(REPO_ROOT, 'node_modules', '.cache', 'statestore-bench');
  await mkdir(cache, { recursive: true });
  const child = path.join(cache, `rss-child-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(import.meta.dirname, 'rss-child.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    external: await externals(),
    plugins: [
      {
        name: 'built-library',
        setup(esbuild) {
          esbuild.onResolve({ filter: /^\.\.\/\.\.\/src\/index\.js$/ }, () => ({
            path: pathToFileURL(library).href,
            external: true,
          }));
        },
      },
    ],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return child;
}

/** The modification time (ms) of the newest file under `dir`. */
async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** What the child needs to open the S3 server's stores. */
export const childOpenOptions = (server: Server) =>
  JSON.stringify({ env: {}, s3: { endpoint: server.endpoint, credentials: server.credentials, region: 'us-east-1' } });

/** Moves one `mib` MiB object s3 -> file, then file -> s3 (multipart upload); each child's peak RSS. */
export async function peakRss(
  server: Server,
  client: S3Client,
  mib: number,
  child: string,
): Promise<{ download: RssResult; upload: RssResult }> {
  const source = await openVfs('s3://src/big', JSON.parse(childOpenOptions(server)) as OpenVfsOptions);
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
  const move = async (from: string, to: string): Promise<RssResult> => {
    const { stdout } = await promisify(execFile)(process.execPath, [child, from, to, dir], {
      maxBuffer: 1 << 20,
      env: { ...process.env, BENCH_OPEN_OPTIONS: childOpenOptions(server) },
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
