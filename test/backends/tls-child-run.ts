/**
 * Runs a TLS test's client side in its own process (s3-tls-child.ts, gcs-azure-tls-child.ts), so
 * that a CA is trusted as a user trusts it (NODE_EXTRA_CA_CERTS is read when Node starts) and
 * errors are Node's own (no Jest realm).
 */
import { spawn } from 'node:child_process';
import { isStateStoreError } from '../../src/index.js';
import { nodeEntry } from '../servers/node-entry.js';

/** An outcome: the value, or the error's code and message. */
export type Outcome<T> = { ok: T } | { code: string; message: string; typed: boolean };

/** What `work` gave, or how it failed (the child side). */
export async function outcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await work() };
  } catch (err) {
    if (isStateStoreError(err)) return { code: err.code, message: err.message, typed: true };
    return { code: String((err as { code?: unknown }).code), message: String(err), typed: false };
  }
}

/** Runs `entry` with only `env` (and PATH, HOME); resolves with its stdout parsed as JSON, or rejects with its stderr. */
export function runTlsChild<T>(entry: string, env: NodeJS.ProcessEnv): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeEntry(entry)], {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${entry} exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}
