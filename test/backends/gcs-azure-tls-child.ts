/**
 * The trusted side of gcs-azure-tls.test.ts, in its own process so that the CA is trusted as a
 * user trusts it (NODE_EXTRA_CA_CERTS, read when Node starts): writes, streams and reads back an
 * object through the GCS test server's and Azurite's TLS proxies. Prints one JSON line: what
 * each backend read back (or its error's code and message), and how many HTTP requests this
 * process started to each proxy (the test compares them with what each proxy counted).
 *
 * Input: STATESTORE_TLS_TEST, a JSON {@link GcsAzureTlsInput}.
 */
import type { ClientRequest } from 'node:http';
import { subscribe } from 'node:diagnostics_channel';
import { Readable } from 'node:stream';
import { openVfs, type OpenVfsOptions } from '../../src/index.js';
import { outcome, type Outcome } from './tls-child-run.js';

/**
 * The HTTP requests this process started, by `host:port`: those of Node's http client (under
 * node-fetch 2, the GCS SDK's, and Azure's pipeline) and of its fetch (the GCS driver's reads).
 */
const started = new Map<string, number>();
const count = (host: string | undefined) => {
  if (host !== undefined) started.set(host, (started.get(host) ?? 0) + 1);
};
subscribe('http.client.request.start', (message) => {
  const host = (message as { request: ClientRequest }).request.getHeader('host');
  count(typeof host === 'string' ? host : undefined);
});
subscribe('undici:request:create', (message) =>
  count(new URL((message as { request: { origin: string } }).request.origin).host),
);

/** What the test hands the child: the proxies' addresses and the servers' settings. */
export interface GcsAzureTlsInput {
  gcs: { url: string; apiEndpoint: string; projectId: string };
  azure: { url: string; endpoint: string; accountKey: string };
}

/**
 * What the child prints: each backend's object as read back, or the failure, and the requests it
 * started to each backend's proxy.
 */
export type GcsAzureTlsResult = Record<'gcs' | 'azure', Outcome<string[]>> & {
  requests: Record<'gcs' | 'azure', number>;
};

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
    requests: {
      gcs: started.get(new URL(gcs.apiEndpoint).host) ?? 0,
      azure: started.get(new URL(azure.endpoint).host) ?? 0,
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
