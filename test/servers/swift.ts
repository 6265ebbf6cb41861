/**
 * Starts a one-replica, all-in-one OpenStack Swift on 127.0.0.1 for the tests: memcached, the
 * account, container and object servers and the proxy with tempauth (Swift v1 auth), each a
 * process of the Debian packages with its own config in a temp dir (templates in
 * `test/servers/swift/`), on free ports, with `workers = 0` (one process each: start-up cost).
 * Rings are built with Swift's RingBuilder, one device per server type. One server per test file.
 *
 * @example
 * ```ts
 * const server = await startSwift({ containers: ['state'] });
 * const vfs = await openVfs('swift://state/prefix', { env: server.env });
 * await server.stop();
 * ```
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/repo-root.js';
import { freePorts, missingCommands } from './host.js';

const run = promisify(execFile);

/** What the Debian packages install, and how to get them. */
export const SWIFT_INSTALL_HINT =
  'the swift tests need OpenStack Swift and memcached: ' +
  'apt-get install -y swift swift-proxy swift-object swift-container swift-account memcached (npm test installs them when run as root)';

/** The interpreter Debian's Swift is installed for (a `python3` earlier on PATH may lack it). */
const SWIFT_PYTHON = '/usr/bin/python3';

const BINARIES = [
  'memcached',
  'swift-ring-builder',
  'swift-account-server',
  'swift-container-server',
  'swift-object-server',
  'swift-proxy-server',
];

/** The tempauth accounts the proxy knows (`account:user` and key). */
export const SWIFT_USERS = {
  tester: { user: 'test:tester', key: 'testing' },
  tester2: { user: 'test2:tester2', key: 'testing2' },
} as const;

/** Options of {@link startSwift}. */
export interface StartSwiftOptions {
  /** Containers to create in the `test` account. */
  containers?: string[];
}

/** A running Swift. */
export interface SwiftHandle {
  /** The proxy, `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Swift v1 auth URL of tempauth. */
  authUrl: string;
  /** kops-style environment for the `test:tester` user through Swift v1 auth. */
  env: Record<string, string>;
  /** Creates a container in the `test` account. */
  createContainer(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Fails with {@link SWIFT_INSTALL_HINT} when a binary is missing (the tests must not skip). */
export async function assertSwiftInstalled(): Promise<void> {
  const missing = await missingCommands(BINARIES);
  if (missing.length > 0) throw new Error(`${missing.join(', ')} not found; ${SWIFT_INSTALL_HINT}`);
  // Swift reads its hash path settings from this fixed path only.
  if (!existsSync('/etc/swift/swift.conf')) throw new Error(`/etc/swift/swift.conf is missing; ${SWIFT_INSTALL_HINT}`);
}

/** Starts everything; resolves once tempauth answers and the containers exist. */
export async function startSwift(options: StartSwiftOptions = {}): Promise<SwiftHandle> {
  await assertSwiftInstalled();
  const dir = await mkdtemp(path.join(tmpdir(), 'statestore-swift-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [memcached, account, container, object, proxy] = await freePorts(5);
    const ports = { account: account!, container: container!, object: object! };
    await mkdir(path.join(dir, 'srv', 'd1'), { recursive: true });
    // The storage servers need no ring to start: only the proxy waits for them.
    const rings = buildRings(dir, ports);
    children.push(start(dir, 'memcached', 'memcached', memcachedArgs(memcached!)));
    for (const type of ['account', 'container', 'object'] as const) {
      const conf = await writeConfig(dir, 'server.conf.template', `${type}-server.conf`, {
        PORT: ports[type],
        TYPE: type,
      });
      children.push(start(dir, type, `swift-${type}-server`, [conf, '--verbose']));
    }
    await rings;
    const proxyConf = await writeConfig(dir, 'proxy-server.conf.template', 'proxy-server.conf', {
      PORT: proxy!,
      MEMCACHED_PORT: memcached!,
    });
    children.push(start(dir, 'proxy', 'swift-proxy-server', [proxyConf, '--verbose']));
    const endpoint = `http://127.0.0.1:${proxy}`;
    const authUrl = `${endpoint}/auth/v1.0`;
    const session = await waitForAuth(authUrl, children, dir);
    const createContainer = async (name: string) => {
      await untilOk(`create container ${name}`, children, dir, () =>
        fetch(`${session.storageUrl}/${encodeURIComponent(name)}`, {
          method: 'PUT',
          headers: { 'X-Auth-Token': session.token },
        }),
      );
    };
    for (const name of options.containers ?? []) await createContainer(name);
    const env = {
      ST_AUTH: authUrl,
      ST_USER: SWIFT_USERS.tester.user,
      ST_KEY: SWIFT_USERS.tester.key,
    };
    return { endpoint, authUrl, env, createContainer, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Three one-device rings (partition power 0, one replica), built by `swift/build-rings.py` with
 * the RingBuilder that swift-ring-builder runs, in one Python process (nine swift-ring-builder runs
 * took about 50 s on the loaded 2-core machine).
 */
async function buildRings(dir: string, ports: Record<'account' | 'container' | 'object', number>): Promise<void> {
  const script = path.join(REPO_ROOT, 'test/servers/swift/build-rings.py');
  await run(SWIFT_PYTHON, [script, dir, String(ports.account), String(ports.container), String(ports.object)]);
}

async function writeConfig(
  dir: string,
  template: string,
  name: string,
  values: Record<string, string | number>,
): Promise<string> {
  const all: Record<string, string | number> = { DIR: dir, USER: userInfo().username, ...values };
  const text = (await readFile(path.join(REPO_ROOT, 'test/servers/swift', template), 'utf8')).replace(
    /\{\{([A-Z_]+)\}\}/g,
    (_, key: string) => String(all[key]),
  );
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

function memcachedArgs(port: number): string[] {
  const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '16'];
  return process.getuid?.() === 0 ? [...args, '-u', 'root'] : args;
}

function start(dir: string, name: string, command: string, args: string[]): ChildProcess {
  const log = openSync(path.join(dir, `${name}.log`), 'a');
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', log, log] });
  closeSync(log);
  child.on('error', () => undefined);
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Tempauth answers 503 until memcached and the servers are up: retry until it hands out a token. */
async function waitForAuth(
  authUrl: string,
  children: ChildProcess[],
  dir: string,
): Promise<{ storageUrl: string; token: string }> {
  const response = await untilOk('authenticate', children, dir, () =>
    fetch(authUrl, {
      headers: { 'X-Auth-User': SWIFT_USERS.tester.user, 'X-Auth-Key': SWIFT_USERS.tester.key },
    }),
  );
  return { storageUrl: response.headers.get('x-storage-url')!, token: response.headers.get('x-auth-token')! };
}

/** Repeats a request until it answers 2xx, failing with the servers' logs when one exits or after 150 s. */
async function untilOk(
  what: string,
  children: ChildProcess[],
  dir: string,
  request: () => Promise<Response>,
): Promise<Response> {
  // Generous: four Python servers start in parallel on a 2-core machine shared with other suites.
  const deadline = Date.now() + 150_000;
  let last = '';
  for (;;) {
    const dead = children.find((child) => child.exitCode !== null || child.signalCode !== null);
    if (dead !== undefined) throw new Error(`a swift process exited during start-up: ${await logs(dir)}`);
    try {
      const response = await request();
      await response.arrayBuffer();
      if (response.ok) return response;
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = String((err as Error).message);
    }
    if (Date.now() > deadline) throw new Error(`swift: ${what} failed (${last}): ${await logs(dir)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function logs(dir: string): Promise<string> {
  const out: string[] = [];
  for (const name of ['memcached', 'account', 'container', 'object', 'proxy']) {
    const text = await readFile(path.join(dir, `${name}.log`), 'utf8').catch(() => '');
    if (text.trim() !== '') out.push(`--- ${name}\n${text.slice(-2000)}`);
  }
  return out.join('\n');
}
