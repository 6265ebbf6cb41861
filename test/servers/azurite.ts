/**
 * Azurite's blob server for tests, in a child process on 127.0.0.1 with a port the OS picks.
 *
 * Azurite's package main pulls in vscode, so the child loads `azurite/dist/src/blob/BlobServer.js`
 * directly, with in-memory persistence, loose mode and `skipApiVersionCheck` (the SDK may speak a
 * newer service version than this Azurite knows). A child process keeps Azurite's loggers and
 * timers out of Jest's worker, and `stop()` is a plain kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteHandle {
  connectionString: string;
  accountName: string;
  accountKey: string;
  /** Blob endpoint including the account, e.g. `http://127.0.0.1:41234/devstoreaccount1`. */
  endpoint: string;
  /** Milliseconds from spawn to listening. */
  startMs: number;
  stop(): Promise<void>;
}

const CHILD = `
// Resolved from the working directory (the repository root under Jest and tsx).
const { default: BlobServer } = require('azurite/dist/src/blob/BlobServer.js');
const { default: BlobConfiguration } = require('azurite/dist/src/blob/BlobConfiguration.js');
const config = new BlobConfiguration('127.0.0.1', 0, 5, ':memory:blob', ':memory:extent', undefined,
  false, undefined, false, undefined, true, true, '', '', '', undefined, false, true);
const server = new BlobServer(config);
server.start().then(() => { process.stdout.write('LISTENING ' + server.getHttpServerAddress() + '\\n'); },
  (err) => { console.error(err); process.exit(1); });
process.on('SIGTERM', () => { server.close().finally(() => process.exit(0)); });
`;

/** Starts Azurite's blob service and resolves once it listens. */
export async function startAzurite(): Promise<AzuriteHandle> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`azurite did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\S+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited with ${code}: ${err}`));
    });
  });
  const endpoint = `${address}/${AZURITE_ACCOUNT}`;
  return {
    accountName: AZURITE_ACCOUNT,
    accountKey: AZURITE_KEY,
    endpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`,
    startMs: Math.round(performance.now() - started),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
