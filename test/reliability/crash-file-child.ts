/**
 * A writer process for the file backend's crash test, killed with SIGKILL by the parent. Prints one
 * line per event (stdout to a pipe is synchronous on Linux, so a printed line happened).
 *
 *   loop <dir> <writer> <seed> <pause>   writes forever, choosing by a seeded generator among:
 *     a large `write` of big/a, a large `writeStream` of big/b, create-if-absent of create/<n>,
 *     and compare-and-swap of cas/counter. Lines: `start <step> <op>`, `created <key> <step>`,
 *     `cas <n> <step>`, `error <step> <op> <code>`. With pause=1 it prints `midstream <step>`
 *     half-way through its first writeStream and waits there to be killed.
 *   hold-lock <dir> <key>       takes the backend's lock on key, prints `locked`, and waits.
 *   hold-empty-lock <dir> <key> creates the lock file empty (an older version killed between
 *     creating its lock and writing its owner), prints `locked`, and waits.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { lockPathFor, withFileLock } from '../../src/backends/file/lock.js';
import { isStateStoreError } from '../../src/errors.js';
import type { Vfs } from '../../src/vfs/types.js';
import { checkBody, makeBody, seeded } from './crash-file-body.js';

const MiB = 1024 * 1024;
const CHUNK = 256 * 1024;
const say = (line: string) => process.stdout.write(`${line}\n`);
const forever = () => new Promise<never>(() => setInterval(() => undefined, 60_000));

async function* stream(parts: Buffer[], onHalf: () => Promise<void>): AsyncIterable<Uint8Array> {
  const all = Buffer.concat(parts);
  for (let at = 0; at < all.length; at += CHUNK) {
    if (at >= all.length / 2 && at - CHUNK < all.length / 2) await onHalf();
    await new Promise((resolve) => setImmediate(resolve));
    yield all.subarray(at, at + CHUNK);
  }
}

async function loop(vfs: Vfs, writer: string, seed: number, pause: boolean): Promise<void> {
  const random = seeded(seed);
  const size = () => 2 * MiB + Math.floor(random() * 2 * MiB);
  let nextCreate = 0;
  let paused = false;
  for (let step = 0; ; step++) {
    const op = (['write', 'stream', 'create', 'cas'] as const)[Math.floor(random() * 4)]!;
    say(`start ${step} ${op}`);
    try {
      if (op === 'write') {
        const { header, payload } = makeBody('big/a', writer, step, 0, size());
        await vfs.write('big/a', Buffer.concat([header, payload]));
      } else if (op === 'stream') {
        const { header, payload } = makeBody('big/b', writer, step, 0, size());
        await vfs.writeStream(
          'big/b',
          stream([header, payload], async () => {
            if (!pause || paused) return;
            paused = true;
            say(`midstream ${step}`);
            await forever();
          }),
        );
      } else if (op === 'create') {
        const key = `create/${nextCreate++}`;
        const { header, payload } = makeBody(key, writer, step, 0, 64 * 1024 + Math.floor(random() * 64 * 1024));
        const won = await vfs.write(key, Buffer.concat([header, payload]), { ifNoneMatch: '*' }).then(
          () => true,
          (err: unknown) => {
            if (isStateStoreError(err, 'AlreadyExists')) return false;
            throw err;
          },
        );
        if (won) say(`created ${key} ${step}`);
      } else {
        const current = await vfs.read('cas/counter').catch((err: unknown) => {
          if (isStateStoreError(err, 'NotFound')) return undefined;
          throw err;
        });
        const n = current === undefined ? 1 : checkBody('cas/counter', current.body).n + 1;
        const { header, payload } = makeBody('cas/counter', writer, step, n, 4096 + Math.floor(random() * 4096));
        const condition = current === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: current.info.version };
        const won = await vfs.write('cas/counter', Buffer.concat([header, payload]), condition).then(
          () => true,
          (err: unknown) => {
            if (isStateStoreError(err, 'PreconditionFailed') || isStateStoreError(err, 'AlreadyExists')) return false;
            throw err;
          },
        );
        if (won) say(`cas ${n} ${step}`);
      }
    } catch (err) {
      say(`error ${step} ${op} ${(err as { code?: string }).code ?? String(err).replace(/\s+/g, '_')}`);
    }
  }
}

async function main(): Promise<void> {
  const [mode, dir, ...rest] = process.argv.slice(2) as [string, string, ...string[]];
  if (mode === 'loop') {
    const [writer, seed, pause] = rest as [string, string, string];
    await loop(await openVfs(`file://${dir}`), writer, Number(seed), pause === '1');
  } else if (mode === 'hold-lock') {
    await withFileLock(
      path.join(dir, ...rest[0]!.split('/')),
      { key: rest[0]!, timeoutMs: 10_000, staleMs: 30_000 },
      async () => {
        say('locked');
        await forever();
      },
    );
  } else if (mode === 'hold-empty-lock') {
    await (await open(lockPathFor(path.join(dir, ...rest[0]!.split('/'))), 'wx', 0o600)).close();
    say('locked');
    await forever();
  }
}

void main();
