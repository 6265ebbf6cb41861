import pLimit from 'p-limit';
import type { ListOptions, ListPage, ObjectInfo, Vfs } from '../vfs/types.js';
import { compareKeys, type Lister } from './listing.js';

/** How a split listing divides its work; the defaults suit object stores' pages of 1,000 keys. */
export interface SplitTuning {
  /** Keys asked per page (`ListOptions.pageSize`); undefined: the backend's own. */
  readonly pageSize: number | undefined;
  /** Requests of one listing in flight at once (its pages, folder listings and the folders' walks). */
  readonly inFlight: number;
  /**
   * Keys per folder in the first page from which the folders after the ones it reached are listed
   * apart: below it (many small clusters) one request per folder would cost more than the pages
   * it saves, so the listing stays one walk.
   */
  readonly splitFrom: number;
  /** Entries listed ahead of the consumer, all folders together (plus the pages in flight). */
  readonly ahead: number;
}

const DEFAULTS: SplitTuning = { pageSize: undefined, inFlight: 8, splitFrom: 500, ahead: 8192 };

type Ask = (options: ListOptions) => Promise<ListPage>;
type Pages = AsyncIterable<readonly ObjectInfo[]>;

/**
 * A Lister that lists a large store in several walks at once, in key order all the same (the
 * merge's contract). On object stores each page is a round trip (Ceph RGW: often 40 ms more where
 * the answer's body waits for the client's delayed ACK), and a store of N pages walked in sequence
 * costs N of them. The first page tells how the keys spread: when it is truncated and its folders
 * (the level below the prefix: clusters for a whole store) hold at least `splitFrom` keys each, the
 * second page is asked beside a delimiter listing of that level; every folder after the one the
 * second page reached is then walked on its own, in parallel (bounded), while the first walk
 * finishes the folders it entered. Objects directly at that level come from the delimiter listing.
 * Each key is listed once by the walk that owns it (the first walk's last page may read past its
 * end: those keys are dropped). A store of one or two pages, or of many small folders, is listed
 * as one walk (one delimiter listing more where the first page is dense).
 */
export function splitLister(tuning: Partial<SplitTuning> = {}): Lister {
  const settings = { ...DEFAULTS, ...tuning };
  return (vfs, options) => splitPages(vfs, options.prefix ?? '', options.signal, settings);
}

async function* splitPages(
  vfs: Vfs,
  prefix: string,
  signal: AbortSignal | undefined,
  tuning: SplitTuning,
): AsyncGenerator<readonly ObjectInfo[]> {
  const limit = pLimit(tuning.inFlight);
  // The walks' pages only: the level is listed whole or not used.
  const size = tuning.pageSize === undefined ? {} : { pageSize: tuning.pageSize };
  let closed = false;
  // A request still waiting for its turn when the consumer stops is not sent.
  const ask: Ask = (options) =>
    limit(() =>
      closed
        ? Promise.reject(new Error('the listing was closed'))
        : vfs.list({ ...options, ...(options.delimiter === undefined ? size : {}), signal }),
    );
  try {
    yield* listSplit(ask, prefix, tuning);
  } finally {
    closed = true;
  }
}

async function* listSplit(ask: Ask, prefix: string, tuning: SplitTuning): AsyncGenerator<readonly ObjectInfo[]> {
  const first = await ask({ prefix });
  yield first.objects;
  if (first.nextPageToken === undefined) return;
  if (!dense(first.objects, prefix, tuning.splitFrom)) return yield* walk(ask, prefix, first.nextPageToken);
  const level = ask({ prefix, delimiter: '/' });
  level.catch(() => undefined); // awaited below unless the second page is the last
  const second = await ask({ prefix, pageToken: first.nextPageToken });
  yield second.objects;
  if (second.nextPageToken === undefined) return;
  const reach = second.objects.at(-1)?.key ?? first.objects.at(-1)!.key;
  // The first walk goes on while the level is listed (its answer may come later: RGW holds a
  // small answer's body ~40 ms), then stops where the folders walked apart begin.
  const rest = walk(ask, prefix, second.nextPageToken);
  const third = rest.next();
  third.catch(() => undefined); // awaited below unless the level's listing fails first
  const after = itemsAfter(await level, prefix, reach);
  const resumed = resume(third, rest);
  if (after === undefined) return yield* resumed;
  const parts = [before(resumed, firstKey(after[0]!)), ...after.map((item) => itemPages(ask, item))];
  yield* new OrderedPages(tuning).run(parts);
}

/** `pages` whose first step was taken already (`first`). */
async function* resume(
  first: Promise<IteratorResult<readonly ObjectInfo[]>>,
  pages: AsyncGenerator<readonly ObjectInfo[]>,
): Pages {
  const step = await first;
  if (step.done === true) return;
  yield step.value;
  yield* pages;
}

/** Whether the first page's keys average at least `splitFrom` per folder below the prefix. */
function dense(objects: readonly ObjectInfo[], prefix: string, splitFrom: number): boolean {
  let folders = 0;
  let folder: string | undefined;
  for (const { key } of objects) {
    const child = branchOf(key, prefix);
    if (child !== folder) folders += 1;
    folder = child;
  }
  return folders > 0 && objects.length / folders >= splitFrom;
}

/** The entry of the level below `prefix` holding `key`: its folder (`prefix` + name + `/`), or the key itself. */
function branchOf(key: string, prefix: string): string {
  const slash = key.indexOf('/', prefix.length);
  return slash === -1 ? key : key.slice(0, slash + 1);
}

/** A folder (walked on its own) or a run of objects of the level (listed already). */
type Item = string | readonly ObjectInfo[];

const firstKey = (item: Item): string => (typeof item === 'string' ? item : item[0]!.key);

/**
 * The entries of the level after the one holding `reach`, in key order (a folder sorts before
 * any key after it, and after any key before it: no key of the level starts with another folder),
 * runs of objects kept together; undefined when the level is not listed whole or holds no folder
 * after `reach`'s (nothing to walk apart).
 */
function itemsAfter(level: ListPage, prefix: string, reach: string): Item[] | undefined {
  if (level.nextPageToken !== undefined) return undefined;
  const branch = branchOf(reach, prefix);
  const folders = level.prefixes.filter((folder) => compareKeys(folder, branch) > 0);
  if (folders.length === 0) return undefined;
  const objects = level.objects.filter((object) => compareKeys(object.key, branch) > 0);
  const items: Item[] = [];
  let run: ObjectInfo[] = [];
  let at = 0;
  for (const folder of folders) {
    while (at < objects.length && compareKeys(objects[at]!.key, folder) < 0) run.push(objects[at++]!);
    if (run.length > 0) items.push(run);
    run = [];
    items.push(folder);
  }
  if (at < objects.length) items.push(objects.slice(at));
  return items;
}

async function* itemPages(ask: Ask, item: Item): Pages {
  if (typeof item === 'string') yield* walk(ask, item, undefined);
  else yield item;
}

/** The pages of `prefix` from `pageToken` on (from the start without one). */
async function* walk(ask: Ask, prefix: string, pageToken: string | undefined): AsyncGenerator<readonly ObjectInfo[]> {
  do {
    const page = await ask({ prefix, ...(pageToken === undefined ? {} : { pageToken }) });
    yield page.objects;
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
}

/** The keys of `pages` before `end`; stops the walk at the first key from `end` on. */
async function* before(pages: Pages, end: string): Pages {
  for await (const page of pages) {
    const cut = page.findIndex((object) => compareKeys(object.key, end) >= 0);
    if (cut === -1) {
      yield page;
      continue;
    }
    if (cut > 0) yield page.slice(0, cut);
    return;
  }
}

/** One part's pages read ahead. */
interface Part {
  readonly pages: Array<readonly ObjectInfo[]>;
  done: boolean;
  failure?: { error: unknown };
}

/**
 * Several page sources read at once and yielded one after the other, in the order given (each
 * source a key range after the previous one). Sources start at most `inFlight` ahead of the one
 * being yielded; together they hold at most `ahead` entries beyond what was yielded (the one
 * being yielded reads on whatever the others hold, so it never waits for them).
 */
class OrderedPages {
  private held = 0;
  private stopped = false;
  private head: Part | undefined;
  private wakers: Array<() => void> = [];

  constructor(private readonly tuning: SplitTuning) {}

  async *run(sources: Pages[]): AsyncGenerator<readonly ObjectInfo[]> {
    const parts: Part[] = [];
    const start = (index: number) => {
      while (parts.length < sources.length && parts.length <= index + this.tuning.inFlight)
        parts.push(this.pump(sources[parts.length]!));
    };
    try {
      for (let index = 0; index < sources.length; index++) {
        start(index);
        const part = parts[index]!;
        this.head = part;
        this.wake();
        for (;;) {
          const page = part.pages.shift();
          if (page !== undefined) {
            this.held -= page.length;
            this.wake();
            yield page;
          } else if (part.failure !== undefined) throw part.failure.error;
          else if (part.done) break;
          else await this.changed();
        }
      }
    } finally {
      this.stopped = true;
      this.wake();
    }
  }

  private pump(source: Pages): Part {
    const part: Part = { pages: [], done: false };
    void (async () => {
      const pages = source[Symbol.asyncIterator]();
      try {
        for (;;) {
          while (!this.stopped && part !== this.head && this.held >= this.tuning.ahead) await this.changed();
          if (this.stopped) break;
          const next = await pages.next();
          if (next.done === true || this.stopped) break;
          part.pages.push(next.value);
          this.held += next.value.length;
          this.wake();
        }
        if (this.stopped) await pages.return?.();
      } catch (error) {
        part.failure = { error };
      } finally {
        part.done = true;
        this.wake();
      }
    })();
    return part;
  }

  /** Resolves at the next change: a page read, a page yielded, a part done, the head moved on. */
  private changed(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}
