/**
 * A file copy worker's batch jobs (issue #29.3): a CopiesJob's files and a StatJob's, taken and
 * answered in flat fields, so that the calling thread handles no object per file. Written under
 * the rules of worker-code.ts (its functions run from their source text: nothing from outside but
 * their parameters, the other worker functions and globals; no `?.` or `??`).
 */
import type { Copies, CopiesJob, Job, JobResult, WorkerBatch, WorkerDeps } from './protocol.js';

/** A CopiesJob as the batch of CreateJobs that runs it (runWorkerBatch). */
export function workerCopyJobs(deps: WorkerDeps, job: CopiesJob): WorkerBatch {
  const { path, setup } = deps;
  const { durability, verify } = job;
  const keys = job.keys.split('\0');
  const targets = workerPaths(path, setup.targetRoot, keys);
  const jobs = workerPaths(path, setup.sourceRoot, keys).map((source: string, index: number): Job => {
    return { kind: 'create', source, target: targets[index]!, durability, verify };
  });
  return { id: 0, jobs };
}

/** A CopiesJob's results, packed flat (see Copies) for the calling thread. */
export function workerPackCopies(deps: WorkerDeps, results: JobResult[]): JobResult {
  const copies: Copies = {
    outcomes: new Uint8Array(results.length),
    stamps: '',
    md5s: '',
    times: new BigUint64Array(results.length * 4),
  };
  const stamps: string[] = [];
  const md5s: string[] = [];
  const none = '                                '; // 32 spaces: no digest
  for (const [index, result] of results.entries()) {
    // The numbers of CopyOutcome (protocol.ts): copied 0, failed 1 (2 after the link), aborted 3
    // (5 after the link), integrity 4.
    if (!result.ok) {
      const linked = result.linked === true;
      const failed = result.integrity === true ? 4 : linked ? 2 : 1;
      copies.outcomes[index] = result.aborted === true ? (linked ? 5 : 3) : failed;
      stamps.push('', '');
      md5s.push(none, none);
      continue;
    }
    const read = result.source!;
    const written = result.target;
    stamps.push(deps.calls.stamp(read.stat), written === undefined ? '' : deps.calls.stamp(written.stat));
    md5s.push(read.md5, written === undefined ? none : written.md5);
    copies.times[index * 4] = read.stat.ctimeNs;
    copies.times[index * 4 + 1] = read.stat.statAtNs;
    if (written !== undefined) {
      copies.times[index * 4 + 2] = written.stat.ctimeNs;
      copies.times[index * 4 + 3] = written.stat.statAtNs;
    }
  }
  copies.stamps = stamps.join('\0');
  copies.md5s = md5s.join('');
  return { ok: true, copies };
}

/**
 * The paths of listed keys under `root`: the file backend's rule (src/backends/file/root.ts,
 * pathOf: the root joined with the key's segments), by concatenation where `/` is the separator
 * and the root is normalized (a listed key has no empty, `.` or `..` segment), which is what
 * path.join gives there at a fraction of its cost.
 */
export function workerPaths(path: WorkerDeps['path'], root: string, keys: string[]): string[] {
  const plain = path.sep === '/' && root !== '/' && path.normalize(root) === root && !root.endsWith('/');
  return keys.map((key: string) => (plain ? root + '/' + key : path.join(root, ...key.split('/'))));
}

/** The identities of files now (a StatJob), flat; '' for a file gone, a folder, or a failed stat. */
export function workerStats(deps: WorkerDeps, root: string, joined: string): JobResult {
  const keys = joined.split('\0');
  const files = workerPaths(deps.path, root, keys);
  const stamps: string[] = [];
  const times = new BigUint64Array(keys.length * 2);
  for (const [index, file] of files.entries()) {
    times[index * 2 + 1] = BigInt(Date.now()) * 1_000_000n; // before the stat
    let stat;
    try {
      stat = deps.fs.statSync(file, { bigint: true, throwIfNoEntry: false });
    } catch {
      stat = undefined;
    }
    if (stat === undefined || !stat.isFile()) {
      stamps.push('');
      continue;
    }
    stamps.push(deps.calls.stamp(stat));
    times[index * 2] = stat.ctimeNs;
  }
  return { ok: true, stats: { stamps: stamps.join('\0'), times } };
}
