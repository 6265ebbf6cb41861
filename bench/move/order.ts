/**
 * The order the tools of one shape run in, round by round. A tool's place in a round changes what
 * it meets: the first one after the seeding, or after a peer that left the page cache, the disk's
 * writeback or the server's queues busy, pays for it (bench/README.md, "Fair rounds"). So the order
 * is a balanced Latin square (Williams' design): over `n` rounds (`2n` for an odd `n`) every tool
 * takes every place once and follows every other tool once. Which tool is which row of the square,
 * and which row the first round takes, come from a seed (`--seed`), printed with each round's order
 * so that a run can be repeated as it was.
 */
import { mulberry32 } from '../../test/helpers/mulberry32.js';

/**
 * The rows of a Williams square of `n` symbols: row 0 is 0, 1, n-1, 2, n-2, ..., each next row adds
 * 1 (mod n). For an odd `n` the mirrored rows follow, as one square alone is not balanced for the
 * predecessor there.
 */
export function williamsRows(n: number): number[][] {
  if (n <= 0) return [];
  const first: number[] = [0];
  for (let low = 1, high = n - 1; first.length < n; low++, high--) {
    first.push(low);
    if (first.length < n) first.push(high);
  }
  const rows = Array.from({ length: n }, (_, shift) => first.map((symbol) => (symbol + shift) % n));
  return n % 2 === 0 ? rows : [...rows, ...rows.map((row) => [...row].reverse())];
}

/** A seeded Fisher-Yates shuffle of 0..n-1. */
function permutation(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * The order of `steps` in round `round` (1-based): a row of the Williams square of their count,
 * the steps assigned to its symbols by a shuffle seeded with `seed` (the same for every round of a
 * run, so the rows stay balanced), the first round's row picked by the seed too.
 */
export function roundOrder<T>(steps: readonly T[], round: number, seed: number): T[] {
  const rows = williamsRows(steps.length);
  if (rows.length === 0) return [];
  const random = mulberry32(seed);
  const symbols = permutation(steps.length, random);
  const start = Math.floor(random() * rows.length);
  const row = rows[(start + round - 1) % rows.length]!;
  return row.map((symbol) => steps[symbols[symbol]!]!);
}

/** Rounds after which every step has taken every place (the square's rows). */
export const fullCycle = (steps: number): number => williamsRows(steps).length;
