/**
 * A lease-holding child process for lease-processes.test.ts.
 *
 * `contend <storeUrl> <holdersDir> <count> <id>`: takes the lease `count` times (waiting its turn);
 * while holding, it is counted as a file in holdersDir (created on entry, removed on exit) and
 * checks that it is alone there. Every third hold it abandons (a short ttl, no release) so that the
 * next taker must wait it out and take over by compare-and-swap. Prints `{ held, violations }`.
 *
 * `hold <storeUrl> <ttlMs> <owner>`: holds the lease, renewing it in the background, and prints
 * `held` once it has it; runs until killed.
 */
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { createStoreLeases, leaseKey } from '../../src/store/lease/index.js';

const cluster = 'race.example.com';
/**
 * An abandoned hold's ttl, which the next taker waits out (16 times, one after another, in the
 * test's 40 holds). A hold is three local file operations (its lease's write, the holders folder,
 * one read): a second is hundreds of times that, as for the in-process memory target of
 * lease-backends.cases.ts (2 s made the test 36 s).
 */
const ABANDONED_TTL_MS = 1000;

async function contend(url: string, holders: string, count: number, id: string): Promise<void> {
  const vfs = await openVfs(url);
  const leases = createStoreLeases(vfs);
  const violations: string[] = [];
  for (let k = 0; k < count; k++) {
    const abandon = k % 3 === 0;
    const owner = `${id}-${k}`;
    const lease = await leases.acquireLease(cluster, {
      owner,
      ttlMs: abandon ? ABANDONED_TTL_MS : 60_000,
      wait: true,
      pollMs: 20,
      skewMs: 0,
    });
    const mine = path.join(holders, owner);
    writeFileSync(mine, '', { flag: 'wx' });
    const present = readdirSync(holders);
    if (present.length !== 1) violations.push(`${owner} entered while ${present.join(', ')} held it`);
    const stored = JSON.parse(new TextDecoder().decode((await vfs.read(leaseKey(cluster))).body)) as { owner: string };
    if (stored.owner !== owner) violations.push(`${owner} found ${stored.owner} in the store`);
    if (!lease.held) violations.push(`${owner} lost its lease while holding it`);
    unlinkSync(mine);
    if (!abandon) await lease.release();
  }
  process.stdout.write(`${JSON.stringify({ held: count, violations })}\n`);
  await vfs.close();
}

async function hold(url: string, ttlMs: number, owner: string): Promise<void> {
  const vfs = await openVfs(url);
  await createStoreLeases(vfs).withLease(
    cluster,
    async (_lease, signal) => {
      process.stdout.write('held\n');
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    },
    { ttlMs, owner },
  );
}

const [mode, url, ...rest] = process.argv.slice(2) as [string, string, ...string[]];
const done =
  mode === 'contend' ? contend(url, rest[0]!, Number(rest[1]), rest[2]!) : hold(url, Number(rest[0]), rest[1]!);
done.catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
