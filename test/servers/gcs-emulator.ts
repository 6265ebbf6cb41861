/**
 * Starts the firebase-tools Storage emulator from code (no Java, no jar download) in a child
 * process, behind the GCS compat front of ./gcs/front.ts, both on 127.0.0.1 with random ports.
 * Point `@google-cloud/storage` at `apiEndpoint`.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../helpers/repo-root.js';
import { stopChild, waitForLine } from './child.js';
import { nodeEntry } from './node-entry.js';

export interface GcsEmulatorHandle {
  /** `http://127.0.0.1:<port>`, the front's address. */
  apiEndpoint: string;
  projectId: string;
  /** Milliseconds from spawn to listening. */
  startMs: number;
  stop(): Promise<void>;
}

const ROOT = REPO_ROOT;

/** How the emulator is reached. */
export interface GcsEmulatorOptions {
  /** Clients reach it through TLS proxies only (test/servers/tls-proxy.ts): see the front's `behindTls`. */
  behindTls?: boolean;
}

/** Starts the emulator; resolves once it listens. */
export async function startGcsEmulator(
  projectId = 'statestore-test',
  options: GcsEmulatorOptions = {},
): Promise<GcsEmulatorHandle> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--no-warnings', ...nodeEntry('test/servers/gcs/emulator-child.ts')], {
    cwd: ROOT,
    env: { ...process.env, GCS_EMULATOR_PROJECT: projectId, GCS_EMULATOR_BEHIND_TLS: options.behindTls ? '1' : '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const port = await waitForLine(child, 'gcs emulator', (line) =>
    line.startsWith('{"port"') ? (JSON.parse(line) as { port: number }).port : undefined,
  );
  return {
    apiEndpoint: `http://127.0.0.1:${port}`,
    projectId,
    startMs: Math.round(performance.now() - started),
    stop: () => stopChild(child),
  };
}
