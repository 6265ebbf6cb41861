/**
 * The client side of s3-tls.test.ts, in its own process so that the CA is trusted as a user
 * trusts it (NODE_EXTRA_CA_CERTS is read when Node starts) and errors are Node's own (no Jest
 * realm). For each request path (direct, then STATESTORE_S3_REQUESTS=sdk; read when a store
 * opens): loads a kops tree through the trusted proxy of that path, moves it to another prefix,
 * merges a change into the moved config; then reads and writes through the proxy whose CA is not
 * trusted; then trusts that CA through AWS_CA_BUNDLE (options.env), which replaces the CA store.
 * Prints one JSON line: what each step gave (or its error's code and message).
 *
 * Input: STATESTORE_TLS_TEST, a JSON {@link TlsChildInput}.
 */
import { moveStateStore, openStateStore, openVfs, type OpenVfsOptions } from '../../src/index.js';
import { REQUESTS_ENV } from '../../src/backends/s3/direct/index.js';
import { loadTree, TREES } from '../store/trees.js';
import { outcome, type Outcome } from './tls-child-run.js';

/** What the test hands the child. */
export interface TlsChildInput {
  bucket: string;
  prefix: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Per path, a proxy whose certificate NODE_EXTRA_CA_CERTS trusts. */
  trusted: { direct: string; sdk: string };
  /** A proxy whose CA is not in the child's CA store. */
  untrusted: string;
  /** Another proxy with a certificate of that CA, for the store that trusts it through AWS_CA_BUNDLE. */
  bundled: string;
  /** That CA's certificate file, for AWS_CA_BUNDLE. */
  untrustedCaFile: string;
}

/** What the child prints, per path. */
export interface TlsChildResult {
  moved: Outcome<{ copied: number; files: number }>;
  merged: Outcome<{ changed: boolean; kubernetesVersion: boolean }>;
  untrustedRead: Outcome<number>;
  untrustedWrite: Outcome<string>;
  bundleRoundTrip: Outcome<string>;
  /** AWS_CA_BUNDLE replaces the CA store: the NODE_EXTRA_CA_CERTS proxy is then refused. */
  bundleReplaces: Outcome<number>;
}

async function onePath(input: TlsChildInput, path: 'direct' | 'sdk'): Promise<TlsChildResult> {
  if (path === 'sdk') process.env[REQUESTS_ENV] = 'sdk';
  else delete process.env[REQUESTS_ENV];
  const tree = TREES[0]!;
  const base = `s3://${input.bucket}/${input.prefix}/${path}`;
  const options = (endpoint: string, env: NodeJS.ProcessEnv = {}): OpenVfsOptions => ({
    env,
    s3: { endpoint, region: input.region, credentials: input.credentials, serverSideEncryption: 'none' },
  });
  const trusted = options(input.trusted[path]);
  const source = await openVfs(`${base}/from`, trusted);
  const untrusted = await openVfs(`${base}/untrusted`, options(input.untrusted));
  const bundled = await openVfs(`${base}/bundled`, options(input.bundled, { AWS_CA_BUNDLE: input.untrustedCaFile }));
  const replaced = await openVfs(
    `${base}/replaced`,
    options(input.trusted[path], { AWS_CA_BUNDLE: input.untrustedCaFile }),
  );
  try {
    await loadTree(source, tree);
    const moved = await outcome(async () => {
      const result = await moveStateStore({ from: source, to: `${base}/to`, openOptions: trusted });
      return {
        copied: result.clusters.reduce((n, c) => n + c.copied, 0),
        files: result.clusters.reduce((n, c) => n + c.files, 0),
      };
    });
    const merged = await outcome(async () => {
      const store = await openStateStore(`${base}/to`, trusted);
      try {
        const result = await store.mergeConfig(tree.cluster, { spec: { kubernetesVersion: '1.30.0' } });
        const text = (await store.getCluster(tree.cluster)).text;
        return { changed: result.changed, kubernetesVersion: text.includes('kubernetesVersion: 1.30.0') };
      } finally {
        await store.close();
      }
    });
    return {
      moved,
      merged,
      untrustedRead: await outcome(async () => (await untrusted.read(`${tree.cluster}/config`)).body.length),
      untrustedWrite: await outcome(async () => (await untrusted.write('k', 'x')).version),
      bundleRoundTrip: await outcome(async () => {
        await bundled.write('k', 'through AWS_CA_BUNDLE');
        return Buffer.from((await bundled.read('k')).body).toString('utf8');
      }),
      bundleReplaces: await outcome(async () => (await replaced.list({})).objects.length),
    };
  } finally {
    await Promise.all([source.close(), untrusted.close(), bundled.close(), replaced.close()]);
  }
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env['STATESTORE_TLS_TEST'] ?? '') as TlsChildInput;
  const direct = await onePath(input, 'direct');
  const sdk = await onePath(input, 'sdk');
  process.stdout.write(`${JSON.stringify({ direct, sdk })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
