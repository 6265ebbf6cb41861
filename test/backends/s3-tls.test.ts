/**
 * S3 over HTTPS, on both request paths (the direct one, and the SDK's with
 * STATESTORE_S3_REQUESTS=sdk), against the run's real Ceph RGW (test/servers/shared-rgw.ts) behind
 * TLS-terminating proxies on 127.0.0.1 (test/servers/tls-proxy.ts) with certificates from
 * throwaway CAs made here. The client is a child process (s3-tls-child.ts) that trusts one CA as a
 * user does, with NODE_EXTRA_CA_CERTS: a move and a merge work through it; a proxy whose CA it
 * does not trust fails each request with Unauthenticated naming the certificate error and the fix,
 * after one connection (a refused certificate is not retried), with the same code on both paths;
 * AWS_CA_BUNDLE (read from the store's environment, as kops and the AWS CLI read it) trusts that
 * CA instead of Node's store.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { rejection } from '../helpers/index.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import { startTlsProxy, throwawayCa, type TlsProxy } from '../servers/tls-proxy.js';
import type { TlsChildInput, TlsChildResult } from './s3-tls-child.js';
import { runTlsChild, type Outcome } from './tls-child-run.js';

const BUCKET = 'tls-proxy';
const proxies: TlsProxy[] = [];
let dir: string;

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Runs the child with `env` added; resolves with its parsed line, or rejects with its stderr. */
function runChild(env: NodeJS.ProcessEnv): Promise<{ direct: TlsChildResult; sdk: TlsChildResult }> {
  return runTlsChild('test/backends/s3-tls-child.ts', env);
}

function failure(outcome: Outcome<unknown>): { code: string; message: string; typed: boolean } {
  if ('ok' in outcome) throw new Error(`expected a failure, got ${JSON.stringify(outcome.ok)}`);
  return outcome;
}

it('moves and merges through a trusted TLS endpoint on both paths; an untrusted certificate is one typed Unauthenticated', async () => {
  const rgw = await sharedRgw();
  await rgw.createBucket(BUCKET);
  dir = mkdtempSync(path.join(tmpdir(), 'statestore-tls-'));
  const trustedCa = throwawayCa('statestore test CA (trusted)');
  const otherCa = throwawayCa('statestore test CA (not trusted)');
  const trustedCaFile = path.join(dir, 'trusted-ca.pem');
  const otherCaFile = path.join(dir, 'other-ca.pem');
  writeFileSync(trustedCaFile, trustedCa.certificate);
  writeFileSync(otherCaFile, otherCa.certificate);
  const [direct, sdk, untrusted, bundled] = await Promise.all([
    startTlsProxy(rgw.endpoint, trustedCa.serverIdentity()),
    startTlsProxy(rgw.endpoint, trustedCa.serverIdentity()),
    startTlsProxy(rgw.endpoint, otherCa.serverIdentity()),
    startTlsProxy(rgw.endpoint, otherCa.serverIdentity()),
  ]);
  proxies.push(direct, sdk, untrusted, bundled);

  const input: TlsChildInput = {
    bucket: BUCKET,
    prefix: `run-${process.pid}-${Date.now()}`,
    region: rgw.s3.region,
    credentials: rgw.s3.credentials,
    trusted: { direct: direct.endpoint, sdk: sdk.endpoint },
    untrusted: untrusted.endpoint,
    bundled: bundled.endpoint,
    untrustedCaFile: otherCaFile,
  };
  const results = await runChild({ NODE_EXTRA_CA_CERTS: trustedCaFile, STATESTORE_TLS_TEST: JSON.stringify(input) });

  for (const [name, result] of Object.entries(results)) {
    // The trusted CA: a kops tree moved (every file copied) and a merge into the moved config.
    const moved = result.moved;
    expect([name, moved]).toEqual([name, { ok: { copied: expect.any(Number), files: expect.any(Number) } }]);
    if ('ok' in moved) expect(moved.ok.copied).toBe(moved.ok.files);
    expect([name, result.merged]).toEqual([name, { ok: { changed: true, kubernetesVersion: true } }]);
    // The other CA: each request fails typed, naming the certificate error and how to trust a CA.
    for (const refused of [result.untrustedRead, result.untrustedWrite, result.bundleReplaces]) {
      const err = failure(refused);
      expect([name, err.typed, err.code]).toEqual([name, true, 'Unauthenticated']);
      expect(err.message).toContain("the server's TLS certificate was refused (UNABLE_TO_VERIFY_LEAF_SIGNATURE)");
      expect(err.message).toContain('NODE_EXTRA_CA_CERTS');
      expect(err.message).not.toMatch(/\n\s+at /);
    }
    // AWS_CA_BUNDLE trusts the other CA for the store that reads it.
    expect([name, result.bundleRoundTrip]).toEqual([name, { ok: 'through AWS_CA_BUNDLE' }]);
  }

  // Each path's trusted proxy carried its requests: the direct path's hot requests without the
  // SDK's user agent (the SDK still sends the probe's multipart upload), the sdk path's all with it.
  const viaDirect = direct.requests();
  const viaSdk = sdk.requests();
  expect(viaDirect.total - viaDirect.sdk).toBeGreaterThan(viaDirect.sdk);
  expect(viaSdk.total).toBeGreaterThan(0);
  expect(viaSdk.sdk).toBe(viaSdk.total);
  // Every byte either path sent framed as HTTP/1.1 requests (the direct path writes its own).
  expect([viaDirect.unframed, viaSdk.unframed]).toEqual([0, 0]);
  // A refused certificate is not retried: one connection per failed request (read and write, per path).
  expect(untrusted.connections()).toBe(4);
});

it('refuses an AWS_CA_BUNDLE it cannot read, or without a certificate, with InvalidArgument at open', async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'statestore-tls-'));
  try {
    const notPem = path.join(folder, 'not-a-bundle.pem');
    writeFileSync(notPem, 'hello');
    const open = (bundle: string) =>
      rejection(openVfs('s3://state/p', { env: { AWS_CA_BUNDLE: bundle }, s3: { endpoint: 'https://127.0.0.1:9' } }));
    const missing = await open(path.join(folder, 'missing.pem'));
    expect([missing.code, missing.message]).toEqual([
      'InvalidArgument',
      expect.stringContaining(
        `AWS_CA_BUNDLE: cannot read ${JSON.stringify(path.join(folder, 'missing.pem'))} (ENOENT)`,
      ),
    ]);
    const empty = await open(notPem);
    expect([empty.code, empty.message]).toEqual([
      'InvalidArgument',
      expect.stringContaining(`AWS_CA_BUNDLE: ${JSON.stringify(notPem)} holds no PEM certificate`),
    ]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
