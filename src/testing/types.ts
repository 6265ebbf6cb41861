import type { Vfs } from '../vfs/types.js';
import type { TestFramework } from './framework.js';

/** The backend under test, as {@link runConformance} takes it. */
export interface ConformanceTarget {
  /** Shown in test names as `conformance: <name>`, e.g. the backend's scheme. */
  name: string;
  /**
   * A fresh, empty store, opened before each case and closed after it: a new folder, bucket
   * prefix or in-memory name each time, so cases never see each other's objects.
   */
  open: () => Promise<Vfs>;
  /**
   * Size of the object the streaming case writes and reads back. Default 32 MiB: more than the
   * bound on streaming (`streamBufferBytes` and the suite's slack), so a driver that holds the
   * whole object fails it.
   */
  largeObjectBytes?: number;
  /**
   * Whether streaming must stay at bounded memory: the streaming case then fails a driver that
   * holds more than `streamBufferBytes` (plus the suite's slack for socket buffers, 8 MiB) of a
   * stream at once. Default true; false for a backend that holds everything in memory anyway.
   */
  boundedMemory?: boolean;
  /**
   * The most bytes of one stream a store of this target may hold at once, by its driver's design:
   * the part or block size times the parts in flight, plus any read-ahead. Default 16 MiB (the S3
   * driver holds one 8 MiB part, Azure one 4 MiB block). The suite adds 8 MiB of slack for the
   * operating system's socket buffers and one chunk of its own.
   */
  streamBufferBytes?: number;
  /** Number of parallel writers in the race cases. Default 20. */
  racers?: number;
  /**
   * Bytes the backend puts before every key within a 1,024-byte provider limit (an S3 store's
   * prefix and its `/`: 9 for `s3://bucket/run-0001`). The long-key case then round-trips a key
   * that fits with them, and expects one byte more to be refused with InvalidArgument. Default 0.
   */
  keyPrefixBytes?: number;

  /**
   * Counts the connections (or descriptors) the stores of this target hold, for the suite's leak
   * checks: after every streaming case (the store still open) and after every store's `close()`,
   * no connection may still be busy. Give it when you can count: a counting proxy on 127.0.0.1
   * between the backend and its server, the server's own count, or the process's descriptors
   * under a file store's folder. Without it the leak checks are skipped.
   */
  connections?: () => ConnectionCount | Promise<ConnectionCount>;

  /**
   * Counts the bytes the server (or a counting proxy in front of it) has received from the stores
   * of this target and sent to them, since any fixed moment, for the bound on streaming: the suite
   * compares what a write pulled from its source with what the server received, and what a read's
   * server sent with what its reader received, so the bound counts the driver's own buffers, not
   * the process's memory. Best counted where the bytes leave or reach the stores' process: a
   * counting proxy can move its figures across what the kernel's socket queues hold (Linux:
   * /proc/net/tcp), else the suite's 8 MiB of slack covers them. A file store can count the bytes
   * of the files under its folder and the read offsets of its descriptors. Without the hook only
   * a read's chunks and queue are bounded.
   */
  transferred?: () => TransferCount | Promise<TransferCount>;
}

/** What {@link ConformanceTarget.transferred} reports: running totals, in bytes. */
export interface TransferCount {
  /** Bytes received from the stores (request bodies; headers may be counted too). */
  received: number;
  /** Bytes sent to the stores (answer bodies; headers may be counted too). */
  sent: number;
}

/** What {@link ConformanceTarget.connections} reports. */
export interface ConnectionCount {
  /**
   * Connections or descriptors the backend has not closed, idle keep-alive sockets included (an
   * SDK's pool may keep those past `close()`; they are not checked).
   */
  open: number;
  /**
   * Those not idle: an exchange not yet over, or an answer the client left unread on a
   * connection it did not close (the leak of a reader that stopped early). Descriptors are all
   * busy (a file has no idle state).
   */
  busy: number;
}

/** How {@link runConformance} registers its cases. */
export interface ConformanceOptions {
  /**
   * The test framework's `describe`, `it`, `beforeEach` and `afterEach`. Default: the globals
   * (Jest, Vitest with `globals: true`, Mocha). For `node:test`, pass `await import('node:test')`.
   */
  framework?: TestFramework;
}

/** Per-case access to the store of the running case. Internal to the suite. */
export interface ConformanceContext {
  target: Required<Omit<ConformanceTarget, 'connections' | 'transferred'>> &
    Pick<ConformanceTarget, 'connections' | 'transferred'>;
  /** The test framework the cases register with. */
  framework: TestFramework;
  /** The store of the running case (opened by `beforeEach`). */
  vfs(): Vfs;
}
