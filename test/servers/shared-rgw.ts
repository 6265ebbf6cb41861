/**
 * The one RADOS Gateway a Jest run shares between its test files (rgw-global.ts starts it in the
 * background from the global setup). Each test file uses its own bucket or prefix.
 *
 * @example
 * ```ts
 * const rgw = await sharedRgw(); // waits until the gateway answers
 * await rgw.createBucket('rgw-history', { versioning: true });
 * const vfs = await openVfs(`s3://rgw-history/${prefix}`, { env: {}, s3: rgw.s3 });
 * ```
 */
import { readFile } from 'node:fs/promises';
import { processAlive } from './child.js';
import { rgwHandle, startRgw, type RgwAnnouncement, type RgwHandle } from './rgw.js';

/** How long a test waits for the shared gateway (it boots in ~2 s; a full run loads the machine). */
const WAIT_MS = 180_000;

let shared: Promise<RgwHandle> | undefined;

/**
 * The run's gateway, once it answers. Without one (this file run outside Jest's global setup, or
 * by a selection the setup did not recognise) it starts one for this process, which stops by itself
 * when the process exits.
 */
export function sharedRgw(): Promise<RgwHandle> {
  const stateFile = process.env['STATESTORE_RGW_STATE'];
  shared ??= stateFile === undefined || stateFile === '' ? startRgw() : announced(stateFile);
  return shared;
}

async function announced(stateFile: string): Promise<RgwHandle> {
  const supervisorPid = Number(process.env['STATESTORE_RGW_PID'] ?? 0);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const text = await readFile(stateFile, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const message = JSON.parse(text) as RgwAnnouncement;
      if ('error' in message) throw new Error(`the shared Ceph RADOS Gateway did not start: ${message.error}`);
      // The run stops it (global teardown), not a test file.
      return rgwHandle(message, async () => undefined);
    }
    if (supervisorPid > 0 && !processAlive(supervisorPid))
      throw new Error('the shared Ceph RADOS Gateway supervisor exited without announcing the gateway');
    if (Date.now() > deadline) throw new Error(`the shared Ceph RADOS Gateway did not answer within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
