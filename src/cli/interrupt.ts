/**
 * Ctrl-C (SIGINT) and SIGTERM while the command line holds a lease: the lease is released before
 * the process exits (130 / 143, as shells report a signal), so a dead process never leaves a lease
 * that blocks the cluster for its ttl; while it is still taking one, the acquire is aborted (and
 * withdraws what it may have written) before the process exits. While an editor runs, the signal is left to the editor (vi
 * takes Ctrl-C as "cancel this command"); the edit ends as interrupted once the editor exits.
 */
import type { ChildProcess } from 'node:child_process';
import type { Lease } from '../index.js';
import { EXIT } from './exit-codes.js';
import { escapeForTerminal } from './output.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Signal = (typeof SIGNALS)[number];

const leases = new Set<Lease>();
let editor: ChildProcess | undefined;
let received: Signal | undefined;

/** The signal received while an editor ran (the edit then ends as interrupted), if any. */
export function interruptedBy(): Signal | undefined {
  return received;
}

/** Exit code of a signal, as shells report it. */
export function exitCodeOf(signal: Signal): number {
  return signal === 'SIGINT' ? EXIT.INTERRUPTED : 128 + 15;
}

let users = 0;

/** Handles the signals while anyone needs it (a lease tracked, an editor open); returns the undo. */
function handleSignals(): () => void {
  if (users++ === 0) for (const signal of SIGNALS) process.on(signal, onSignal);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--users === 0) for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
}

/** Tracks a lease the command took: a signal releases it. Returns what stops tracking it. */
export function releaseOnSignal(lease: Lease): () => void {
  const unhandle = handleSignals();
  leases.add(lease);
  return () => {
    leases.delete(lease);
    unhandle();
  };
}

/** A signal aborted by the first SIGINT or SIGTERM, and which one that was. */
export interface SignalAbort {
  readonly signal: AbortSignal;
  /** The signal received, if any (only one is handled). */
  received(): Signal | undefined;
  /** Stops listening (idempotent): call it once a lease is held and {@link releaseOnSignal} tracks it. */
  stop(): void;
}

/**
 * While the command is taking a lease (none held yet, so none for {@link releaseOnSignal} to
 * release): the first SIGINT or SIGTERM aborts the returned signal, so that the acquire rejects
 * and withdraws a lease write that may have landed before the process exits (130 / 143). It stops
 * listening then, so a second signal ends the process at once (the default action), as a second
 * Ctrl-C does during `move` or `watch`.
 */
export function abortOnSignal(): SignalAbort {
  const controller = new AbortController();
  let got: Signal | undefined;
  const stop = (): void => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  const onSignal = (signal: Signal): void => {
    got = signal;
    stop();
    controller.abort();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return { signal: controller.signal, received: () => got, stop };
}

/**
 * Marks `child` as the editor in the foreground until it exits: meanwhile a signal does not end
 * this process (which would leave the editor without its terminal's owner), it is recorded.
 */
export function editorRunning(child: ChildProcess): void {
  editor = child;
  const unhandle = handleSignals();
  child.once('exit', () => {
    if (editor === child) editor = undefined;
    unhandle();
  });
}

function onSignal(signal: Signal): void {
  received = signal;
  if (editor !== undefined) {
    // Ctrl-C reached the editor too (same process group); SIGTERM was sent to us alone: pass it on.
    if (signal === 'SIGTERM') editor.kill('SIGTERM');
    return;
  }
  releaseHeldLeases().finally(() => {
    process.exit(exitCodeOf(signal));
  });
}

/** Releases every tracked lease (at most 5 s: a store that does not answer must not keep a dying command alive). */
function releaseHeldLeases(quiet = false): Promise<unknown> {
  const held = [...leases];
  const release = Promise.all(held.map((lease) => lease.release().catch(() => undefined)));
  const timeout = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
  return Promise.race([release, timeout]).finally(() => {
    if (quiet || held.length === 0) return;
    const names = held.map((lease) => `"${lease.cluster}"`).join(', ');
    process.stderr.write(escapeForTerminal(`interrupted: released the lease on cluster ${names}\n`));
  });
}

/**
 * A reader that closed the pipe (`statestore --help | head -1`) ends the command quietly, as
 * `cat` or `git log` end on SIGPIPE: no EPIPE stack, any lease released, the exit code the command
 * had so far (0 unless it already failed). Node ignores SIGPIPE and reports it as an EPIPE error
 * on the stream instead, which, unhandled, would crash with a stack and exit 1.
 */
export function endQuietlyOnClosedPipe(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  let ending = false;
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      if (ending) return;
      ending = true;
      void releaseHeldLeases(true).finally(() => {
        process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK);
      });
    });
  }
}
