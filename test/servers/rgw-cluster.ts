/**
 * Boots a one-node Ceph cluster with a RADOS Gateway on 127.0.0.1 from the Debian 12 packages
 * (`ceph-mon ceph-osd radosgw ceph-common`, Ceph 16.2): one monitor, one `memstore` OSD (objects in
 * memory, nothing on disk beyond the run folder), `auth ... = none`, and one S3 user. Everything
 * (conf, monitor data, logs, admin sockets, pid files) lives in one temp folder, and the monitor
 * and gateway listen on ports the OS picked, so several clusters (other test runs, other checkouts)
 * never collide. The daemons run in the foreground as children of the calling process (`-f`), so
 * they share its process group: the supervisor (rgw-child.ts) kills them all at once.
 *
 * Run only by rgw-child.ts; tests use rgw.ts (`startRgw`) or shared-rgw.ts (`sharedRgw`).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePorts, missingCommands } from './host.js';

/** What the Debian packages install, and how to get them. */
export const RGW_INSTALL_HINT =
  'the RGW tests need Ceph RADOS Gateway: apt-get install -y ceph-mon ceph-osd radosgw ceph-common ' +
  '(npm test installs them when run as root)';

const BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'monmaptool', 'ceph'];

/**
 * The gateway's `rgw dns name`: a request whose Host is `<bucket>.rgw.proxy.test` is virtual-hosted
 * (the bucket in the host name, as AWS addresses buckets); a Host that is this name itself or an IP
 * address (127.0.0.1) is path-style. Any OTHER host name that is a valid bucket name is taken for a
 * bucket's own name once a DNS name is set (RGW's CNAME addressing, RGWREST::preprocess in
 * rgw_rest.cc): a path-style test endpoint must be 127.0.0.1 or this name. No resolver knows it:
 * tests reach it through the forward proxy (forward-proxy.ts sends every host to 127.0.0.1) or
 * name it in a TLS proxy's certificate (s3-proxy.test.ts).
 */
export const RGW_DNS_NAME = 'rgw.proxy.test';

/** The S3 user every gateway of the tests has. */
export const RGW_CREDENTIALS = {
  accessKeyId: 'STATESTORETESTKEY000',
  secretAccessKey: 'statestore-test-secret-key-0000000000000',
} as const;

/** Start-up gives up after this long (it takes ~2 s: rgw-cluster's figures below). */
const START_TIMEOUT_MS = 120_000;

/** A running cluster. */
export interface RgwCluster {
  /** `http://127.0.0.1:<port>` of the gateway's S3 API. */
  endpoint: string;
  /** The run folder (conf, logs, data); removed by `stop()`. */
  dir: string;
  /** Milliseconds from the first command to the gateway answering S3. */
  startMs: number;
  /** Kills every daemon and removes the run folder. */
  stop(): Promise<void>;
}

/** Fails with {@link RGW_INSTALL_HINT} when a binary is missing (the tests must not skip). */
export async function assertRgwInstalled(): Promise<void> {
  const missing = await missingCommands(BINARIES);
  if (missing.length > 0) throw new Error(`${missing.join(', ')} not found; ${RGW_INSTALL_HINT}`);
}

/**
 * The configuration. Besides the settings, what makes the start fast (first command to S3
 * answering on the shared 2-core machine: 13.1 s with Ceph's defaults; 1.5-2.1 s with these, at a
 * load average of 12):
 * `paxos propose interval` 0.05 s instead of 1 s (every pool RGW creates is one monitor
 * proposal, and each waited up to a second), one placement group per pool (RGW creates 7 pools
 * of 32), and the user created before the gateway starts (radosgw-admin creates the pools; the
 * gateway then finds them). `ms mon client mode = crc`: RGW asks for `secure` mode by default,
 * which `auth = none` cannot give (the gateway then never connects: `get_initial_auth_request
 * returned -13`).
 */
function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
log file = ${dir}/log/$name.log
mon data = ${dir}/mon/$name
osd data = ${dir}/osd/$name
osd objectstore = memstore
memstore device bytes = 4294967296
osd crush update on start = false
osd crush chooseleaf type = 0
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 1
osd pool default pgp num = 1
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
paxos propose interval = 0.05
paxos min wait = 0.05
rgw rados pool pg num min = 1
rgw thread pool size = 64
rgw dynamic resharding = false
rgw enable usage log = false
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw dns name = ${RGW_DNS_NAME}
`;
}

/**
 * Boots the cluster; on failure everything started is stopped and the error carries the logs.
 * `signal` aborts a boot under way (the supervisor told to stop): its processes are killed, so the
 * boot fails at once and cleans up.
 */
export async function bootRgwCluster(signal?: AbortSignal): Promise<RgwCluster> {
  const started = Date.now();
  const dir = await mkdtemp(path.join(tmpdir(), 'statestore-rgw-'));
  const children = new Children(signal);
  const stop = async () => {
    await Promise.all(children.all().map(killChild));
    // Retried: a daemon killed a moment ago may still have had a file open for writing.
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  try {
    const endpoint = await boot(dir, children);
    return { endpoint, dir, startMs: Date.now() - started, stop };
  } catch (err) {
    const message = `${(err as Error).message}\n${await logs(dir)}`;
    await stop();
    throw new Error(message);
  }
}

/** The processes of one boot; none is started once the boot is aborted. */
class Children {
  private readonly running = new Set<ChildProcess>();
  constructor(private readonly signal: AbortSignal | undefined) {
    signal?.addEventListener('abort', () => this.all().forEach((child) => child.kill('SIGKILL')));
  }
  start(command: string, args: string[], options: SpawnOptions): ChildProcess {
    if (this.signal?.aborted === true) throw new Error('aborted: the supervisor was told to stop');
    const child = spawn(command, args, options);
    this.running.add(child);
    return child;
  }
  forget(child: ChildProcess): void {
    this.running.delete(child);
  }
  all(): ChildProcess[] {
    return [...this.running];
  }
  /** A daemon that exited, named, or undefined while all run. */
  dead(): string | undefined {
    const dead = this.all().find((child) => child.exitCode !== null || child.signalCode !== null);
    return dead === undefined ? undefined : `${dead.spawnfile} (${dead.exitCode ?? dead.signalCode})`;
  }
}

async function boot(dir: string, children: Children): Promise<string> {
  const [monPort, rgwPort] = await freePorts(2);
  const fsid = randomUUID();
  const conf = path.join(dir, 'ceph.conf');
  await Promise.all(
    ['run', 'log', 'mon/mon.a', 'osd/osd.0'].map((sub) => mkdir(path.join(dir, sub), { recursive: true })),
  );
  await writeFile(conf, cephConf(dir, fsid, monPort!, rgwPort!));
  const env = { ...process.env, CEPH_CONF: conf };
  const step = (command: string, args: string[], input?: string) => runStep(dir, env, children, command, args, input);

  await step('monmaptool', ['--create', '--add', 'a', `v2:127.0.0.1:${monPort}`, '--fsid', fsid, `${dir}/monmap`]);
  await step('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', `${dir}/monmap`]);
  daemon(children, dir, env, 'mon', 'ceph-mon', ['-f', '-i', 'a']);
  // The OSD's entry and its CRUSH position in one `ceph` run (each run costs ~0.5 s of Python
  // start-up); the OSD's memstore is made meanwhile.
  const osdUuid = randomUUID();
  await Promise.all([
    step('ceph', ['--connect-timeout', '60'], `osd new ${osdUuid} 0\nosd crush add osd.0 1 root=default\n`),
    step('ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]),
  ]);
  daemon(children, dir, env, 'osd', 'ceph-osd', ['-f', '-i', '0']);
  await step('radosgw-admin', [
    'user',
    'create',
    '--uid',
    'tester',
    '--display-name',
    'statestore tests',
    '--access-key',
    RGW_CREDENTIALS.accessKeyId,
    '--secret',
    RGW_CREDENTIALS.secretAccessKey,
  ]);
  daemon(children, dir, env, 'rgw', 'radosgw', ['-f', '-n', 'client.rgw']);
  const endpoint = `http://127.0.0.1:${rgwPort}`;
  await untilAnswers(endpoint, children);
  return endpoint;
}

/** Runs a set-up command, failing when it fails or a daemon exits meanwhile. */
async function runStep(
  dir: string,
  env: NodeJS.ProcessEnv,
  children: Children,
  command: string,
  args: string[],
  input?: string,
): Promise<void> {
  const child = children.start(command, args, { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin!.end(input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('error', (err) => {
      output += err.message;
      resolve([null, null]);
    });
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  clearTimeout(timer);
  children.forget(child);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${code ?? signal}): ${output.slice(-2000)}`);
  const dead = children.dead();
  if (dead !== undefined) throw new Error(`${dead} exited during start-up`);
}

/** A daemon in the foreground (`-f`), its stdout and stderr in `log/NAME.out`. */
function daemon(
  children: Children,
  dir: string,
  env: NodeJS.ProcessEnv,
  name: string,
  command: string,
  args: string[],
): void {
  const log = openSync(path.join(dir, 'log', `${name}.out`), 'a');
  try {
    children.start(command, args, { cwd: dir, env, stdio: ['ignore', log, log] }).on('error', () => undefined);
  } finally {
    closeSync(log);
  }
}

/** Polls the gateway's anonymous bucket list until it answers 200. */
async function untilAnswers(endpoint: string, children: Children): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  for (;;) {
    const dead = children.dead();
    if (dead !== undefined) throw new Error(`${dead} exited during start-up`);
    try {
      const response = await fetch(`${endpoint}/`);
      await response.arrayBuffer();
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`radosgw did not answer at ${endpoint} (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * SIGKILL, not SIGTERM: the cluster's data is in memory and thrown away, and an OSD's orderly
 * shutdown takes seconds.
 */
async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** The end of each daemon's log, for start-up errors. */
async function logs(dir: string): Promise<string> {
  const out: string[] = [];
  for (const name of ['mon.a.log', 'osd.0.log', 'client.rgw.log', 'mon.out', 'osd.out', 'rgw.out']) {
    const text = await readFile(path.join(dir, 'log', name), 'utf8').catch(() => '');
    if (text.trim() !== '') out.push(`--- ${name}\n${text.slice(-2000)}`);
  }
  return out.join('\n');
}
