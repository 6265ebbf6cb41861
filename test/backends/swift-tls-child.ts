/**
 * The trusted side of swift-proxy.cases.ts's https case, in its own process so that the CA is
 * trusted as a user trusts it (NODE_EXTRA_CA_CERTS, read when Node starts): a swift:// store whose
 * storage URL is https://, reached through HTTPS_PROXY in a CONNECT tunnel, writes (whole and
 * streamed), reads, lists and deletes. Prints one JSON line: what it read and listed, or its
 * error's code and message.
 *
 * Input: STATESTORE_TLS_TEST, a JSON {@link SwiftTlsInput}.
 */
import { Readable } from 'node:stream';
import { openVfs } from '../../src/index.js';
import { outcome, type Outcome } from './tls-child-run.js';

/** The store's URL and its whole environment (OS_STORAGE_URL, OS_AUTH_TOKEN, HTTPS_PROXY). */
export interface SwiftTlsInput {
  url: string;
  env: Record<string, string>;
}

/** What the round trip read back and listed. */
export type SwiftTlsResult = Outcome<{ read: string[]; listed: string[] }>;

async function roundTrip({ url, env }: SwiftTlsInput): Promise<{ read: string[]; listed: string[] }> {
  const vfs = await openVfs(url, { env, retry: { maxAttempts: 1 } });
  try {
    await vfs.write('whole', 'through the tunnel');
    await vfs.writeStream('streamed', Readable.from([Buffer.from('streamed through '), Buffer.from('the tunnel')]));
    const text = async (key: string) => Buffer.from((await vfs.read(key)).body).toString('utf8');
    const read = [await text('whole'), await text('streamed')];
    const listed = (await vfs.list()).objects.map((object) => object.key);
    await vfs.delete('whole');
    return { read, listed };
  } finally {
    await vfs.close();
  }
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env['STATESTORE_TLS_TEST'] ?? '') as SwiftTlsInput;
  const result: SwiftTlsResult = await outcome(() => roundTrip(input));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
