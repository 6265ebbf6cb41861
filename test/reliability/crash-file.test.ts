/**
 * Crash safety of the file backend (issue #8): writer processes SIGKILLed at seeded moments, in
 * the middle of large writes and streams, create-if-absent and compare-and-swap, never leave a
 * torn file. After each round of kills every key reads back as exactly one complete body some
 * writer wrote (bodies check themselves, see crash-file-body.ts), a create or compare-and-swap
 * reported as won is never won twice, the debris the dead writers left (temp files, locks) is
 * never listed, and the next conditional writes succeed or fail with the right code at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { lockPathFor } from '../../src/backends/file/lock.js';
import type { Vfs } from '../../src/vfs/types.js';
import { checkBody, makeBody, seeded } from './crash-file-body.js';
import { errorCode, REPO_ROOT, removeTempDirs, tempDir } from '../helpers/index.js';
import { nodeEntry } from '../servers/node-entry.js';

// From Jest's prebuilt bundle when there is one: each writer starts without tsx's loader.
const CHILD = nodeEntry('test/reliability/crash-file-child.ts');
const SEED = 0x5eed8;
const ROUNDS = 4;
const WRITERS_PER_ROUND = 3;
const RESERVED = '.statestore-';

/** What the writers printed: the steps each started, and the creates and swaps each won. */
interface Reports {
  started: Map<string, Set<number>>;
  created: Map<string, { writer: string; step: number }[]>;
  swapped: Map<number, string[]>;
  errors: string[];
}

function start(args: string[], onLine: (line: string, child: ChildProcess) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CHILD, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) onLine(line, child);
    });
    child.on('error', reject);
    // 'exit' comes after the process is reaped, so its pid no longer counts as alive.
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`${args.join(' ')} exited by itself (${code})`)),
    );
  });
}

/**
 * Runs one writer until its kill moment: `delayMs` after its `after`th line (the delay lets the
 * kill land inside a write, not only between them), or once it is paused mid-stream.
 */
function writer(
  dir: string,
  name: string,
  seed: number,
  kill: { after: number; delayMs: number } | 'midstream',
  reports: Reports,
): Promise<void> {
  let lines = 0;
  reports.started.set(name, new Set());
  return start(['loop', dir, name, String(seed), kill === 'midstream' ? '1' : '0'], (line, child) => {
    const [what, a, b] = line.split(' ') as [string, string, string];
    if (what === 'start') reports.started.get(name)!.add(Number(a));
    if (what === 'created')
      reports.created.set(a, [...(reports.created.get(a) ?? []), { writer: name, step: Number(b) }]);
    if (what === 'cas') reports.swapped.set(Number(a), [...(reports.swapped.get(Number(a)) ?? []), name]);
    if (what === 'error') reports.errors.push(`${name}: ${line}`);
    lines += 1;
    if (kill === 'midstream' ? what === 'midstream' : lines === kill.after) {
      setTimeout(() => child.kill('SIGKILL'), kill === 'midstream' ? 0 : kill.delayMs);
    }
  });
}

/** Every file under `dir`, as keys, split into the store's objects and the backend's own files. */
async function onDisk(dir: string, prefix = ''): Promise<{ objects: string[]; reserved: string[] }> {
  const found = { objects: [] as string[], reserved: [] as string[] };
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const key = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      const below = await onDisk(dir, key);
      found.objects.push(...below.objects);
      found.reserved.push(...below.reserved);
    } else {
      (entry.name.startsWith(RESERVED) ? found.reserved : found.objects).push(key);
    }
  }
  return found;
}

/** The store after a round of kills: complete bodies only, no debris listed, the reported wins consistent. */
async function verify(vfs: Vfs, dir: string, reports: Reports): Promise<void> {
  const listed: string[] = [];
  for await (const info of vfs.listAll()) listed.push(info.key);
  const disk = await onDisk(dir);
  expect(listed.filter((key) => key.includes(RESERVED))).toEqual([]);
  expect([...listed].sort()).toEqual([...disk.objects].sort());
  for (const key of listed) {
    const header = checkBody(key, (await vfs.read(key)).body);
    expect(reports.started.get(header.writer)?.has(header.step)).toBe(true);
    if (key.startsWith('create/')) {
      const winners = reports.created.get(key) ?? [];
      expect(winners.length).toBeLessThanOrEqual(1);
      if (winners.length === 1) expect(header).toMatchObject(winners[0]!);
    }
    if (key === 'cas/counter') expect(header.n).toBeGreaterThanOrEqual(Math.max(0, ...reports.swapped.keys()));
  }
  for (const [key, winners] of reports.created) {
    expect({ key, winners: winners.length }).toEqual({ key, winners: 1 });
    expect(listed).toContain(key);
  }
  for (const [n, winners] of reports.swapped) expect({ n, winners }).toEqual({ n, winners: [winners[0]] });
  expect(reports.errors).toEqual([]);
}

/** Conditional and plain writes by the test process, right after the kills: none may wait for a dead writer's lock. */
async function probe(vfs: Vfs, round: number, reports: Reports): Promise<void> {
  const name = `probe-${round}`;
  reports.started.set(name, new Set([0, 1, 2, 3]));
  const body = (key: string, step: number, n: number) => {
    const { header, payload } = makeBody(key, name, step, n, key.startsWith('big/') ? 3 * 1024 * 1024 : 4096);
    return Buffer.concat([header, payload]);
  };
  const current = await vfs.read('cas/counter').catch(() => undefined);
  const n = current === undefined ? 1 : checkBody('cas/counter', current.body).n + 1;
  const condition = current === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: current.info.version };
  expect(await errorCode(vfs.write('cas/counter', body('cas/counter', 0, n), condition))).toBe('ok');
  reports.swapped.set(n, [...(reports.swapped.get(n) ?? []), name]);
  if (current !== undefined)
    expect(await errorCode(vfs.write('cas/counter', body('cas/counter', 0, n), condition))).toBe('PreconditionFailed');
  const key = `create/${name}`;
  expect(await errorCode(vfs.write(key, body(key, 1, 0), { ifNoneMatch: '*' }))).toBe('ok');
  reports.created.set(key, [{ writer: name, step: 1 }]);
  expect(await errorCode(vfs.write(key, body(key, 1, 0), { ifNoneMatch: '*' }))).toBe('AlreadyExists');
  expect(await errorCode(vfs.write('big/a', body('big/a', 2, 0)))).toBe('ok');
  expect(
    await errorCode(
      vfs.writeStream(
        'big/b',
        (async function* () {
          yield body('big/b', 3, 0);
        })(),
      ),
    ),
  ).toBe('ok');
}

let dir: string;
beforeAll(async () => {
  dir = await tempDir('statestore-crash-file-');
});
afterAll(removeTempDirs);

it(`keeps every key whole through ${ROUNDS} rounds of ${WRITERS_PER_ROUND} writers killed with SIGKILL (seed ${SEED})`, async () => {
  const store = path.join(dir, 'store');
  const vfs = await openVfs(`file://${store}`);
  const reports: Reports = { started: new Map(), created: new Map(), swapped: new Map(), errors: [] };
  const random = seeded(SEED);
  for (let round = 0; round < ROUNDS; round++) {
    // In every other round the first writer is killed while paused half-way through a writeStream.
    const midstream = round % 2 === 0;
    await Promise.all(
      Array.from({ length: WRITERS_PER_ROUND }, (_, i) => {
        const seed = Math.floor(random() * 2 ** 32);
        const kill = { after: 4 + Math.floor(random() * 16), delayMs: Math.floor(random() * 100) };
        return writer(store, `r${round}w${i}`, seed, midstream && i === 0 ? 'midstream' : kill, reports);
      }),
    );
    if (midstream) {
      const partial = (await onDisk(store)).reserved.filter((key) => key.startsWith('big/'));
      const sizes = await Promise.all(partial.map(async (key) => (await stat(path.join(store, key))).size));
      expect(sizes.some((size) => size > 0)).toBe(true);
    }
    await verify(vfs, store, reports);
    await probe(vfs, round, reports);
  }
  await verify(vfs, store, reports);
  expect(reports.created.size).toBeGreaterThan(ROUNDS);
  expect(reports.swapped.size).toBeGreaterThan(ROUNDS);
}, 120_000);

describe('a lock left by a killed writer', () => {
  it.each([
    ['held inside its critical section', 'hold-lock'],
    ['created empty, before its owner was written (older versions)', 'hold-empty-lock'],
  ])('is broken once, and exactly one of 16 racing compare-and-swaps wins: %s', async (_what, mode) => {
    const store = path.join(dir, mode);
    const vfs = await openVfs(`file://${store}`);
    const base = await vfs.write('held/config', 'base');
    await start([mode, store, 'held/config'], (line, child) => line === 'locked' && child.kill('SIGKILL'));
    await expect(stat(lockPathFor(path.join(store, 'held/config')))).resolves.toBeTruthy();
    // Every racer finds the dead writer's lock; a lock broken twice would let two of them in.
    const codes = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        errorCode(vfs.write('held/config', `racer-${i}`, { ifMatch: base.version })),
      ),
    );
    expect([...codes].sort()).toEqual([...Array(15).fill('PreconditionFailed'), 'ok']);
    expect(Buffer.from((await vfs.read('held/config')).body).toString()).toBe(`racer-${codes.indexOf('ok')}`);
    expect((await onDisk(store)).reserved).toEqual([]);
  });
});
