/**
 * The trusted side of gcs-azure-tls.test.ts, in its own process so that the CA is trusted as a
 * user trusts it (NODE_EXTRA_CA_CERTS, read when Node starts): writes, streams and reads back an
 * object through the GCS test server's and Azurite's TLS proxies. Prints one JSON line: what
 * each backend read back (or its error's code and message).
 *
 * Input: STATESTORE_TLS_TEST, a JSON {@link GcsAzureTlsInput}.
 */
import { Readable } from 'node:stream';
import { openVfs, type OpenVfsOptions } from '../../src/index.js';
import { outcome, type Outcome } from './tls-child-run.js';

/** What the test hands the child: the proxies' addresses and the servers' settings. */
export interface GcsAzureTlsInput {
  gcs: { url: string; apiEndpoint: string; projectId: string };
  azure: { url: string; endpoint: string; accountKey: string };
}

/** What the child prints: each backend's object as read back, or the failure. */
export type GcsAzureTlsResult = Record<'gcs' | 'azure', Outcome<string[]>>;

/** Writes one object whole and one streamed, then reads both back. */
async function roundTrip(url: string, options: OpenVfsOptions): Promise<string[]> {
  const vfs = await openVfs(url, options);
  try {
    await vfs.write('whole', 'through NODE_EXTRA_CA_CERTS');
    await vfs.writeStream('streamed', Readable.from([Buffer.from('streamed through NODE_EXTRA_CA_CERTS')]));
    const read = async (key: string) => Buffer.from((await vfs.read(key)).body).toString('utf8');
    return [await read('whole'), await read('streamed')];
  } finally {
    await vfs.close();
  }
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env['STATESTORE_TLS_TEST'] ?? '') as GcsAzureTlsInput;
  const { gcs, azure } = input;
  const result: GcsAzureTlsResult = {
    gcs: await outcome(() => roundTrip(gcs.url, { gcs: { apiEndpoint: gcs.apiEndpoint, projectId: gcs.projectId } })),
    azure: await outcome(() =>
      roundTrip(azure.url, { env: {}, azure: { accountKey: azure.accountKey, endpoint: azure.endpoint } }),
    ),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
