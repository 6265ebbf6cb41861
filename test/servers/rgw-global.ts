/**
 * The Jest run's shared RADOS Gateway: Jest's global setup (global-setup.cjs) starts it in the
 * background when the run includes a test file that calls `sharedRgw()`, without waiting for it, and
 * the global teardown stops it. The workers learn where it is from a state file the supervisor
 * writes once the gateway answers (`STATESTORE_RGW_STATE`, inherited by the workers: shared-rgw.ts).
 *
 * Bundled by child-bundles.cjs (the setup is plain CommonJS and imports the bundle), so it runs
 * without tsx.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { assertRgwInstalled } from './rgw-cluster.js';
import { detachRgwSupervisor, spawnRgwSupervisor, stopRgwSupervisor } from './rgw.js';

/** The parts of Jest's global config the decision reads. */
export interface RunSelection {
  rootDir: string;
  listTests?: boolean;
  testPathPatterns?: {
    isSet(): boolean;
    toExecutor(options: { rootDir: string }): { isMatch(absolutePath: string): boolean };
  };
}

const SHARED_RGW_MODULE = 'test/servers/shared-rgw.ts';
/** A relative import or re-export in the tests' sources (`from './x.js'`, `import './x.cases.js'`). */
const RELATIVE_IMPORT = /(?:from|import)\s+'(\.{1,2}\/[^']+)\.js'/g;

let supervisor: ChildProcess | undefined;
let stateFile: string | undefined;

/** Whether `file` imports shared-rgw.ts, directly or through the test helpers it imports. */
function reachesSharedRgw(file: string, target: string, seen: Map<string, boolean>): boolean {
  const known = seen.get(file);
  if (known !== undefined) return known;
  seen.set(file, false); // an import cycle does not reach it through itself
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const reaches = [...source.matchAll(RELATIVE_IMPORT)].some((match) => {
    const imported = path.resolve(path.dirname(file), `${match[1]}.ts`);
    return imported === target || reachesSharedRgw(imported, target, seen);
  });
  seen.set(file, reaches);
  return reaches;
}

/** Test files under `test/` that use the shared gateway, directly or through backends/targets.ts. */
function filesUsingRgw(root: string): string[] {
  const testDir = path.join(root, 'test');
  const target = path.join(root, SHARED_RGW_MODULE);
  const seen = new Map<string, boolean>();
  return (readdirSync(testDir, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => path.join(testDir, name))
    .filter((file) => reachesSharedRgw(file, target, seen));
}

/**
 * Whether this run needs the gateway: a run of every file does; a run of chosen files does when one
 * of them uses it (a helper running one unrelated file pays no Ceph start). A file the patterns
 * miss still works: `sharedRgw()` then starts a gateway of its own.
 */
export function runNeedsRgw(selection: RunSelection): boolean {
  if (selection.listTests === true) return false;
  const files = filesUsingRgw(selection.rootDir);
  const patterns = selection.testPathPatterns;
  if (patterns === undefined || !patterns.isSet()) return files.length > 0;
  const executor = patterns.toExecutor({ rootDir: selection.rootDir });
  return files.some((file) => executor.isMatch(file));
}

/** Starts the shared gateway in the background (returns at once) when the run needs it. */
export async function startSharedRgw(selection: RunSelection): Promise<void> {
  if (!runNeedsRgw(selection)) return;
  stateFile = path.join(tmpdir(), `statestore-rgw-state-${process.pid}-${randomUUID()}.json`);
  process.env['STATESTORE_RGW_STATE'] = stateFile;
  try {
    await assertRgwInstalled();
  } catch (err) {
    // Not a failed run: the tests that need the gateway fail, each with the install hint.
    writeFileSync(stateFile, JSON.stringify({ error: (err as Error).message }));
    return;
  }
  supervisor = spawnRgwSupervisor({ STATESTORE_RGW_STATE: stateFile });
  process.env['STATESTORE_RGW_PID'] = String(supervisor.pid);
  supervisor.stdout!.resume(); // the announcement also goes to the state file
  supervisor.stderr!.resume();
  detachRgwSupervisor(supervisor);
}

/** Stops the shared gateway, if this run started one, and removes its state file. */
export async function stopSharedRgw(): Promise<void> {
  if (supervisor !== undefined) await stopRgwSupervisor(supervisor);
  if (stateFile !== undefined) rmSync(stateFile, { force: true });
  supervisor = undefined;
  stateFile = undefined;
}
