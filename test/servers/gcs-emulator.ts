/**
 * Starts the firebase-tools Storage emulator from code (no Java, no jar download) in a child
 * process, behind the GCS compat front of ./gcs/front.ts, both on 127.0.0.1 with random ports.
 * Point `@google-cloud/storage` at `apiEndpoint`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/repo-root.js';

export interface GcsEmulatorHandle {
  /** `http://127.0.0.1:<port>`, the front's address. */
  apiEndpoint: string;
  projectId: string;
  /** Milliseconds from spawn to listening. */
  startMs: number;
  stop(): Promise<void>;
}

const ROOT = REPO_ROOT;

/** Starts the emulator; resolves once it listens. */
export async function startGcsEmulator(projectId = 'statestore-test'): Promise<GcsEmulatorHandle> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--no-warnings', '--import', 'tsx', path.join(REPO_ROOT, 'test/servers/gcs/emulator-child.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, GCS_EMULATOR_PROJECT: projectId },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const port = await waitForPort(child);
  return {
    apiEndpoint: `http://127.0.0.1:${port}`,
    projectId,
    startMs: Math.round(performance.now() - started),
    stop: () => stopChild(child),
  };
}

function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{"port"'));
      if (line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`gcs emulator exited with ${code}: ${stderr.slice(-2000)}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.stdin!.end();
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}
