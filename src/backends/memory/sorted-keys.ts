import { compareKeys } from '../common/paging.js';

/**
 * The keys of one memfs store in listing order (UTF-8 byte order), kept so that a page costs
 * O(log n + page) instead of a sort of every key (100k keys paged 1,000 at a time took 17.6 s:
 * issue #14.8). Additions wait in a small unsorted batch merged in at the next listing; deletions
 * are dropped lazily (a listing skips keys no longer present and compacts when many are).
 */
export class SortedKeys {
  private sorted: string[] = [];
  private added: string[] = [];
  private removed = 0;

  /** Records a new key (call only when it was absent). */
  add(key: string): void {
    this.added.push(key);
  }

  /** Records that a key was deleted (the caller's map no longer has it). */
  remove(): void {
    this.removed += 1;
  }

  /**
   * The present keys `>= from` in order, lazily: a page reads only what it returns.
   * `has` says whether a key is still present.
   */
  *from(from: string, has: (key: string) => boolean): Generator<string> {
    this.settle(has);
    for (let i = lowerBound(this.sorted, from); i < this.sorted.length; i++) {
      const key = this.sorted[i]!;
      if (has(key)) yield key;
    }
  }

  private settle(has: (key: string) => boolean): void {
    if (this.removed > 0 && this.removed * 4 > this.sorted.length) {
      this.sorted = this.sorted.filter(has);
      this.removed = 0;
    }
    if (this.added.length === 0) return;
    // A key deleted and added again while in the batch is listed once: drop repeats.
    const batch = [...new Set(this.added)].sort(compareKeys);
    this.added = [];
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    while (i < this.sorted.length || j < batch.length) {
      const a = this.sorted[i];
      const b = batch[j];
      const order = a === undefined ? 1 : b === undefined ? -1 : compareKeys(a, b);
      if (order <= 0) {
        merged.push(a!);
        i += 1;
      }
      if (order >= 0) {
        merged.push(b!);
        j += 1;
      }
      if (order === 0) merged.pop();
    }
    this.sorted = merged;
  }
}

function lowerBound(keys: readonly string[], target: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys(keys[mid]!, target) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
