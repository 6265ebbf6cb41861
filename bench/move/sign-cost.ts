/**
 * CPU per SigV4 signature: the direct S3 path's signer (src/backends/s3/direct/signer.ts) against
 * `@smithy/signature-v4` (the SDK's, with the SDK's own SHA-256), signing the same CopyObject
 * headers. In-process, after a warm-up; three rounds. `npx tsx bench/move/sign-cost.ts`
 */
import { createRequire } from 'node:module';
import { SignatureV4 } from '@smithy/signature-v4';
import { SigV4Signer } from '../../src/backends/s3/direct/signer.js';

// The SDK's SHA-256 constructor, resolved as the S3 client resolves it.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-s3'));
const { Sha256 } = sdkRequire('@smithy/core/checksum') as { Sha256: never };

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret0123456789' };
const N = 20_000;
const headers = { 'x-amz-copy-source': 'src/one/cluster/file-0001', 'if-none-match': '*' };
const ours = new SigV4Signer('us-east-1');
const smithy = new SignatureV4({
  credentials,
  region: 'us-east-1',
  service: 's3',
  sha256: Sha256,
  uriEscapePath: false,
});

async function time(name: string, sign: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < 2_000; i++) await sign(i);
  const before = process.cpuUsage();
  for (let i = 0; i < N; i++) await sign(i);
  const cpu = process.cpuUsage(before);
  console.log(`${name}: ${((cpu.user + cpu.system) / N).toFixed(1)} us per signature`);
}

for (let round = 0; round < 3; round++) {
  await time('statestore SigV4Signer', (i) =>
    ours.sign(
      {
        method: 'PUT',
        path: `/dst/c/file-${i}`,
        query: '',
        host: '127.0.0.1:7480',
        headers,
        payloadHash: 'UNSIGNED-PAYLOAD',
      },
      credentials,
    ),
  );
  await time('@smithy/signature-v4', (i) =>
    smithy.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 7480,
      path: `/dst/c/file-${i}`,
      query: {},
      headers: { ...headers, host: '127.0.0.1:7480', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    }),
  );
}
