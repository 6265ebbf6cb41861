/**
 * The order of a document's writes (docs/history.md, "Numbers and order"). A revision's number is
 * given when its entry is recorded, after its write: when a second writer's entry lands before the
 * first's, the second write carries the lower number. The writes themselves are ordered by their
 * versions: each entry names the version it replaced and the one it wrote, and every statestore
 * write is a compare-and-swap on the version it read, so the entry that wrote version V came
 * before the entry that replaced V. That chain decides; where it says nothing (a kops write in
 * between, a deletion and re-creation, pruned entries) the stored number decides, then the time.
 */
import type { StoredEntry } from './entry-file.js';

/** What ordering needs of an entry. */
interface Linked {
  entry: Pick<StoredEntry, 'version' | 'replacedVersion' | 'revision' | 'time' | 'operation'>;
  ref: { stamp: string };
}

/**
 * Oldest first where the chain says nothing: by stored number (what the recorder saw, whatever the
 * writers' clocks), then time, then stamp (inverted time: the larger one is older). Entries of the
 * older format carry no number and come first: they were all written before numbered ones.
 */
function byNumberThenTime(a: Linked, b: Linked): number {
  const byNumber = (a.entry.revision ?? 0) - (b.entry.revision ?? 0);
  if (byNumber !== 0) return byNumber;
  const byTime = a.entry.time.getTime() - b.entry.time.getTime();
  if (byTime !== 0) return byTime;
  return a.ref.stamp < b.ref.stamp ? 1 : a.ref.stamp > b.ref.stamp ? -1 : 0;
}

/**
 * For each entry (in fallback order), the entries that replaced the version it wrote: its
 * successors in the chain. A version several entries wrote (identical bytes under one version: S3's
 * ETag is the bytes' MD5, so a group deleted and restored byte for byte is written twice under one
 * version) links an entry that replaced it to one writer only: the last that sorts before it, or
 * else the first (the racing writer whose entry landed after the replacing one's). Except a
 * rollback that sorts after it: a rollback writes bytes that existed before (kops's original,
 * restored from an external revision or a provider version, has kops's ETag again), so a version
 * it wrote is, far more likely, one it wrote again than one whose entry landed late in a race:
 * taking it for the first writer would hide kops's write and list the rollback below it.
 */
function successorsOf(entries: readonly Linked[]): number[][] {
  const writers = new Map<string, number[]>();
  entries.forEach(({ entry }, i) => {
    if (entry.version === undefined) return;
    const list = writers.get(entry.version);
    if (list === undefined) writers.set(entry.version, [i]);
    else list.push(i);
  });
  const successors = entries.map((): number[] => []);
  entries.forEach(({ entry }, j) => {
    const replaced = entry.replacedVersion;
    const rewrote = (i: number) => i > j && entries[i]!.entry.operation === 'rollback';
    const candidates = (writers.get(replaced ?? '') ?? []).filter((i) => i !== j && !rewrote(i));
    const before = candidates.filter((i) => i < j);
    const writer = before[before.length - 1] ?? candidates[0];
    if (replaced !== undefined && writer !== undefined) successors[writer]!.push(j);
  });
  return successors;
}

/**
 * Strongly connected components (Tarjan's, without recursion: a folder may hold thousands of
 * entries). A link inside one component lies on a cycle, which only identical bytes under one
 * version make (S3's ETag is the bytes' MD5: a write of bytes written before has their ETag
 * again): such links say nothing about order.
 */
function components(successors: readonly number[][]): number[] {
  const n = successors.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const component = new Array<number>(n).fill(-1);
  const stack: number[] = [];
  let visited = 0;
  let found = 0;
  const frames: Array<{ node: number; next: number }> = [];
  const enter = (node: number) => {
    index[node] = low[node] = visited++;
    stack.push(node);
    onStack[node] = true;
    frames.push({ node, next: 0 });
  };
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const { node } = frame;
      const next = successors[node]![frame.next++];
      if (next !== undefined) {
        if (index[next] === -1) enter(next);
        else if (onStack[next]) low[node] = Math.min(low[node]!, index[next]!);
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low[parent.node] = Math.min(low[parent.node]!, low[node]!);
      if (low[node] !== index[node]) continue;
      let member: number;
      do {
        member = stack.pop()!;
        onStack[member] = false;
        component[member] = found;
      } while (member !== node);
      found++;
    }
  }
  return component;
}

/** A min-heap of indices: the ready entry that sorts first by {@link byNumberThenTime} comes out first. */
class IndexHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(value: number): void {
    const items = this.items;
    items.push(value);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      items[parent] = value;
      i = parent;
    }
  }
  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length === 0) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const smallest = [left, left + 1].reduce(
        (best, c) => (c < items.length && items[c]! < items[best]! ? c : best),
        i,
      );
      if (smallest === i) return top;
      [items[i], items[smallest]] = [items[smallest]!, items[i]!];
      i = smallest;
    }
  }
}

/**
 * A document's entries in the order of their writes, oldest first: an entry comes after the
 * entry that wrote the version it replaced (links on a cycle aside, see {@link components});
 * otherwise by stored number, then time.
 */
export function inWriteOrder<T extends Linked>(entries: readonly T[]): T[] {
  const sorted = [...entries].sort(byNumberThenTime);
  const successors = successorsOf(sorted);
  const component = components(successors);
  const links = successors.map((next, i) => next.filter((j) => component[j] !== component[i]));
  const waiting = new Array<number>(sorted.length).fill(0);
  for (const next of links) for (const j of next) waiting[j]!++;
  // Kahn's topological sort, taking the first by the fallback among the entries ready.
  const ready = new IndexHeap();
  waiting.forEach((count, i) => count === 0 && ready.push(i));
  const order: T[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(sorted[i]!);
    for (const j of links[i]!) if (--waiting[j]! === 0) ready.push(j);
  }
  return order;
}
