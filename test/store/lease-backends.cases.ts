/**
 * Leases under contention on the backend targets that are not files (memory, s3rver, Azurite, the
 * GCS emulator, Ceph RADOS Gateway): 16 acquirers race in each of 50 rounds on memory, 12 on s3rver and the GCS emulator, 6 on Azurite (npm test's
 * time budget: each abandoned round waits out a ttl; `LEASE_ROUNDS=50 npx jest
 * test/store/every-backend-leases.test.ts` runs 50 everywhere), through 4 separate clients. Most rounds start
 * from no lease, on a cluster of their own (a create-if-absent race); the round after each tenth starts from that winner's
 * abandoned lease, which the racers wait out and then take over by compare-and-swap. Exactly one
 * wins each round, and a shared counter of holders (incremented on entry, decremented on exit)
 * never exceeds one.
 * file:// runs the same with 8 processes in lease-processes.test.ts.
 */
import { setMaxListeners } from 'node:events';
import { isStateStoreError } from '../../src/index.js';
import { createStoreLeases, leaseKey, type Lease, type StoreLeases } from '../../src/store/lease/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { azureTarget, gcsTarget, memoryTarget, rgwTarget, s3Target, stopAll } from '../backends/targets.js';

afterAll(stopAll);

const RACERS = 16;
/** Rounds per target: every target's winner abandons its lease in round 0, 10, 20... */
// Azurite: a round takes ~3.7 s (16 racers' create-if-absent collisions answer 409, which the
// Vfs retries with backoff), so 6 rounds there (one abandoned lease taken over).
// Ceph RADOS Gateway: 2 rounds (the abandoned lease of round 0 taken over in round 1); its own
// six-racer case with fenced writes is in rgw-store.test.ts.
const ROUNDS: Record<string, number> = { memory: 50, azure: 6, rgw: 2 };
/** Elsewhere (s3rver, the GCS emulator): two abandoned leases taken over (rounds 0 and 10). */
const SERVER_ROUNDS = 12;
const roundsOf = (target: string): number => Number(process.env.LEASE_ROUNDS ?? ROUNDS[target] ?? SERVER_ROUNDS);
const CLIENTS = 4;
/**
 * An abandoned lease's ttl: what the next round waits out. Far longer than a winner's hold (one
 * read), which must end within it (a hold past its ttl is a lost lease, and the test fails), also
 * on a loaded machine where 16 pollers slow the emulators down.
 */
const ABANDONED_TTL_MS = 5000;
/** Every ABANDON_EVERY-th round's winner abandons its lease; the others release theirs. */
const ABANDON_EVERY = 10;
/**
 * The cluster a round races for: a fresh one (no lease yet), or, the round after an abandoned one,
 * that round's (its abandoned lease). Not one cluster for all rounds: a racer aborted while its
 * write was in flight can have that write land after its round (on Azurite, a finished round's
 * racer's lease was found at the start of the next round, twice in 6 rounds), and the next round
 * then waited out that lease's 60 s ttl before taking it over (126 s of the file's 150 s).
 */
const clusterOf = (round: number): string => `race-${round % ABANDON_EVERY === 1 ? round - 1 : round}.example.com`;

interface Tally {
  holders: number;
  maxHolders: number;
  winners: string[];
  /** The abandoned lease's ttl on this target (see ABANDONED_TTL_MS). */
  abandonedTtlMs: number;
}

/** One racer: waits for the lease, then holds it through a few requests while counted as holder. */
async function race(leases: StoreLeases, vfs: Vfs, owner: string, round: number, stop: AbortController, tally: Tally) {
  const ttlMs = round % ABANDON_EVERY === 0 ? tally.abandonedTtlMs : 60_000;
  const cluster = clusterOf(round);
  const lease: Lease = await leases.acquireLease(cluster, {
    owner,
    ttlMs,
    wait: true,
    pollMs: 250,
    skewMs: 0,
    signal: stop.signal,
  });
  tally.holders += 1;
  tally.maxHolders = Math.max(tally.maxHolders, tally.holders);
  tally.winners.push(owner);
  try {
    // Held through requests: any other racer that won now would be counted alongside.
    const stored = JSON.parse(new TextDecoder().decode((await vfs.read(leaseKey(cluster))).body)) as { owner: string };
    expect(stored.owner).toBe(owner);
    lease.assertHeld();
  } finally {
    tally.holders -= 1;
  }
  stop.abort(); // the round is decided: the others stop waiting (they cannot win while this is live)
  return lease;
}

async function runRound(clients: Vfs[], leases: StoreLeases[], round: number, tally: Tally): Promise<void> {
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // the 16 racers wait on it
  const before = tally.winners.length;
  const results = await Promise.allSettled(
    Array.from({ length: RACERS }, (_, i) =>
      race(leases[i % CLIENTS]!, clients[i % CLIENTS]!, `round-${round}-racer-${i}`, round, stop, tally),
    ),
  );
  const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  // On failure, what the extra winners ran into (a hold that outlasted its ttl is a lost lease).
  const failures = lost.filter((err) => !isStateStoreError(err, 'Aborted')).map(String);
  expect({ round, winners: tally.winners.slice(before), failures }).toEqual({
    round,
    winners: [won[0]?.owner],
    failures: [],
  });
  // An abandoned lease is left to expire: the next round's racers wait it out and take it over.
  if (round % ABANDON_EVERY !== 0) await won[0]!.release();
}

describe.each([memoryTarget, s3Target, azureTarget, gcsTarget, rgwTarget].map((t) => [t.name, t] as const))(
  'leases under contention on %s',
  (_name, target) => {
    const rounds = roundsOf(target.name);
    it(`${RACERS} racers, ${rounds} rounds: exactly one holder at any time`, async () => {
      const { vfs, open } = await target.fresh();
      // Leases are on existing clusters.
      for (let round = 0; round < rounds; round++) await vfs.write(`${clusterOf(round)}/config`, 'kind: Cluster\n');
      const clients = [vfs, ...(await Promise.all(Array.from({ length: CLIENTS - 1 }, () => open())))];
      try {
        // Connections and SDK set-up before the first round, so that no hold pays for them.
        await Promise.all(clients.map((client) => client.list({ pageSize: 1 })));
        const leases = clients.map((client) => createStoreLeases(client));
        // In-process memory answers a hold's one read in microseconds: a second is ample there.
        const abandonedTtlMs = target.name === 'memory' ? 1000 : ABANDONED_TTL_MS;
        const tally: Tally = { holders: 0, maxHolders: 0, winners: [], abandonedTtlMs };
        for (let round = 0; round < rounds; round++) await runRound(clients, leases, round, tally);
        expect(tally.maxHolders).toBe(1);
        expect(tally.winners).toHaveLength(rounds);
        expect(new Set(tally.winners).size).toBe(rounds);
      } finally {
        await Promise.all(clients.map((client) => client.close()));
      }
    }, 600_000);
  },
);
