import type cliProgress from 'cli-progress';
import type { ClusterMoveResult, MoveProgress } from '../index.js';
import type { Output } from './output.js';

/** What `move` reports progress to. */
export interface ProgressReporter {
  onProgress(event: MoveProgress): void;
  /** Draws the final state (100%) and releases the terminal line. */
  finish(): void;
  /** Leaves the bar where it is (on an error or Ctrl-C). */
  stop(): void;
}

/**
 * A live bar on a terminal (files and bytes done of the total, rate, ETA, current cluster), else one
 * line per cluster, so a log stays readable. A cluster's total is known once its listing ends (its
 * `plan` event); while a cluster seen is not planned yet the total shows as "N+". The listing runs
 * ahead of the copies (one cluster after the other), so the total is known early; events of
 * clusters already planned keep it known (they interleave with the next cluster's listing).
 */
export async function progressReporter(out: Output): Promise<ProgressReporter> {
  if (out.quiet || out.json) return { onProgress: () => undefined, finish: () => undefined, stop: () => undefined };
  if (!out.stderr.isTTY) return new Lines(out);
  // Imported for a bar only: loading cli-progress cost every command ~10 ms of CPU at start.
  const { default: bars } = await import('cli-progress');
  return new Bar(out, bars);
}

class Lines implements ProgressReporter {
  constructor(readonly out: Output) {}
  onProgress(event: MoveProgress): void {
    if (event.type === 'cluster') this.out.info(clusterLine(event.result));
  }
  finish(): void {}
  stop(): void {}
}

class Bar implements ProgressReporter {
  readonly #bar: cliProgress.SingleBar;
  readonly #started = Date.now();
  #planned = 0;
  #plannedBytes = 0;
  #done = 0;
  #bytes = 0;
  #cluster = '';
  /** Clusters seen in events, and those whose listing ended (plan or result): the total is known when they match. */
  readonly #seen = new Set<string>();
  readonly #listed = new Set<string>();
  #running = false;

  constructor(
    readonly out: Output,
    bars: typeof cliProgress,
  ) {
    this.#bar = new bars.SingleBar(
      {
        stream: out.stderr,
        format: '{bar} {pct} | {value}/{totalText} files | {bytesText} | {rate}/s | ETA {etaText} | {cluster}',
        hideCursor: true,
        fps: 10,
        etaBuffer: 200,
        barsize: 24,
      },
      bars.Presets.shades_classic,
    );
  }

  onProgress(event: MoveProgress): void {
    if (!this.#running) {
      this.#bar.start(1, 0, this.#payload());
      this.#running = true;
    }
    this.#cluster = event.cluster;
    this.#seen.add(event.cluster);
    if (event.type === 'plan') {
      this.#planned += event.files;
      this.#plannedBytes += event.bytes;
      this.#listed.add(event.cluster);
    } else if (event.type === 'file') {
      this.#done += 1;
      this.#bytes += event.bytes;
    } else {
      this.#listed.add(event.cluster);
    }
    this.#bar.setTotal(this.#total());
    this.#bar.update(this.#done, this.#payload());
  }

  /** Whether every cluster seen has been listed whole. */
  get #known(): boolean {
    return this.#listed.size === this.#seen.size;
  }

  #total(): number {
    return Math.max(1, this.#known ? Math.max(this.#planned, this.#done) : Math.max(this.#planned, this.#done) + 1);
  }

  #payload(): Record<string, string> {
    const seconds = Math.max((Date.now() - this.#started) / 1000, 0.001);
    const totalBytes = Math.max(this.#plannedBytes, this.#bytes);
    const total = Math.max(this.#planned, this.#done);
    const remaining = total - this.#done;
    // Until the listing of every cluster seen has ended the total is unknown: no percentage or ETA yet.
    const known = this.#known;
    return {
      pct: known ? `${Math.floor((100 * this.#done) / Math.max(total, 1))}%` : '--%',
      etaText: !known ? '--' : remaining === 0 ? '0s' : formatSeconds((remaining * seconds) / Math.max(this.#done, 1)),
      totalText: known ? String(Math.max(this.#planned, this.#done)) : `${Math.max(this.#planned, this.#done)}+`,
      bytesText: `${formatBytes(this.#bytes)}/${formatBytes(totalBytes)}${known ? '' : '+'}`,
      rate: formatBytes(this.#bytes / seconds),
      cluster: this.#cluster,
    };
  }

  finish(): void {
    if (!this.#running) return;
    for (const cluster of this.#seen) this.#listed.add(cluster);
    this.#bar.setTotal(Math.max(1, this.#done));
    this.#bar.update(Math.max(1, this.#done), this.#payload());
    this.#bar.stop();
  }

  stop(): void {
    if (this.#running) this.#bar.stop();
  }
}

/** One cluster's outcome, as a line. */
export function clusterLine(result: ClusterMoveResult): string {
  const parts = [
    `${result.files} files`,
    `${result.copied} copied`,
    `${result.skipped} already there`,
    formatBytes(result.bytesCopied),
  ];
  if (result.sourceDeleted) parts.push('source deleted');
  return `${result.cluster}: ${parts.join(', ')}`;
}

/** 75 -> "1m15s". */
function formatSeconds(seconds: number): string {
  const whole = Math.ceil(seconds);
  return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}
