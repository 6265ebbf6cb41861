/**
 * The supervisor of one test RADOS Gateway (rgw-cluster.ts), a process of its own started by
 * rgw.ts. It boots the cluster, announces it (one JSON line on stdout, and the file named by
 * `STATESTORE_RGW_STATE` when set, which Jest's workers read: shared-rgw.ts), then stays until it
 * is told to stop, and then kills every daemon and removes the run folder.
 *
 * It is told to stop by SIGTERM/SIGINT/SIGHUP, by its stdin closing (the parent exited, even by
 * SIGKILL: the pipe's end goes with it) or by the parent's pid disappearing (checked every second,
 * in case stdin was handed on). The parent starts it in a process group of its own with the
 * daemons, so that a kill of the group is the last resort (rgw.ts's `stop()` does it).
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { processAlive, processGroupMembers } from './child.js';
import { bootRgwCluster, type RgwCluster } from './rgw-cluster.js';

/** What the supervisor announces. */
export type RgwAnnouncement = { endpoint: string; startMs: number; dir: string; pid: number } | { error: string };

const stateFile = process.env['STATESTORE_RGW_STATE'];
const parentPid = Number(process.env['STATESTORE_RGW_PARENT'] ?? process.ppid);
let stopping = false;
const abortBoot = new AbortController();
/**
 * A daemon that exits during start-up is most often one whose port, free when picked, was taken
 * before it bound it (a race with any other process on the machine): one more try, on new ports.
 */
const cluster: Promise<RgwCluster> = bootRgwCluster(abortBoot.signal).catch((err: Error) => {
  if (abortBoot.signal.aborted || !err.message.includes('exited during start-up')) throw err;
  return bootRgwCluster(abortBoot.signal);
});

async function announce(message: RgwAnnouncement): Promise<void> {
  process.stdout.write(`${JSON.stringify(message)}\n`);
  if (stateFile === undefined || stateFile === '') return;
  // Written aside and renamed: a reader sees the whole file or none.
  await writeFile(`${stateFile}.tmp`, JSON.stringify(message));
  await rename(`${stateFile}.tmp`, stateFile);
}

/**
 * Kills what is left in this process group (it leads one: rgw.ts starts it detached), e.g. a
 * process a daemon started, so that nothing outlives the supervisor.
 */
async function killStragglers(): Promise<void> {
  for (let tries = 0; tries < 50; tries++) {
    const left = processGroupMembers(process.pid).filter((pid) => pid !== process.pid);
    if (left.length === 0) return;
    for (const pid of left) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `keepState`: a failure's announcement stays for the workers to read (the run's teardown removes it). */
async function shutdown(code: number, keepState = false): Promise<void> {
  if (stopping) return;
  stopping = true;
  abortBoot.abort();
  await cluster.then((running) => running.stop()).catch(() => undefined);
  await killStragglers();
  // The run that wrote it may be gone (Jest killed): the file goes with the gateway.
  if (!keepState && stateFile !== undefined && stateFile !== '') await rm(stateFile, { force: true });
  process.exit(code);
}

// Stdout closed with the parent gone: the stdin watch below stops everything.
process.stdout.on('error', () => undefined);
// A bug here must not leave the daemons running, and the workers should read why.
process.on('uncaughtException', (err) => {
  void announce({ error: `rgw supervisor: ${err.stack ?? err.message}` })
    .catch(() => undefined)
    .then(() => shutdown(1, true));
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
process.stdin.on('end', () => void shutdown(0));
process.stdin.on('error', () => void shutdown(0));
process.stdin.resume();
setInterval(() => {
  if (!processAlive(parentPid)) void shutdown(0);
}, 1000);

cluster.then(
  (running) => announce({ endpoint: running.endpoint, startMs: running.startMs, dir: running.dir, pid: process.pid }),
  async (err: Error) => {
    if (stopping) return; // aborted: shutdown() is cleaning up
    await announce({ error: err.message }).catch(() => undefined);
    await shutdown(1, true);
  },
);
