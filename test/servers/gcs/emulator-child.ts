/**
 * Child process: the firebase-tools Storage emulator started from code, plus the GCS compat front
 * (./front.ts) in front of it. Prints one JSON line `{"port": <front port>}` and exits when stdin closes.
 *
 * The emulator's CLI needs Java 21 and a downloaded rules jar; the Java part is only the Firebase
 * security-rules runtime, which the gcloud JSON API path never consults (it uses the admin storage
 * layer). So the rules runtime is replaced by a no-op and `createApp` is called directly, skipping
 * `StorageEmulator.start()` (which would start the runtime and a file watcher).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { startFront } from './front.js';

interface EmulatorInstance {
  _rulesRuntime: unknown;
}
interface EmulatorClass {
  new (args: Record<string, unknown>): EmulatorInstance;
  prototype: { getPersistenceTmpDir(): string };
}
interface ExpressApp {
  listen(port: number, host: string, callback: () => void): Server;
}

const require = createRequire(path.join(process.cwd(), 'package.json'));
const storageDir = path.dirname(require.resolve('firebase-tools/lib/emulator/storage/index.js'));
const { StorageEmulator } = require(path.join(storageDir, 'index.js')) as { StorageEmulator: EmulatorClass };
const { createApp } = require(path.join(storageDir, 'server.js')) as {
  createApp: (projectId: string, emulator: EmulatorInstance) => Promise<ExpressApp>;
};

// Self links and media links are built from the emulator registry, which only the CLI fills in:
// answer for the storage emulator with the front's address (set once it listens).
const registryModule = require(path.join(storageDir, '..', 'registry.js')) as {
  EmulatorRegistry: { getInfo: (name: string) => unknown };
};
let frontPort = 0;
const originalGetInfo = registryModule.EmulatorRegistry.getInfo.bind(registryModule.EmulatorRegistry);
registryModule.EmulatorRegistry.getInfo = (name: string) =>
  name === 'storage' ? { name, host: '127.0.0.1', port: frontPort } : originalGetInfo(name);

const projectId = process.env.GCS_EMULATOR_PROJECT ?? 'statestore-test';
// Blobs go to a private temporary folder, not the shared default under os.tmpdir()/firebase.
const blobs = mkdtempSync(path.join(os.tmpdir(), 'statestore-gcs-'));
StorageEmulator.prototype.getPersistenceTmpDir = () => blobs;

async function main(): Promise<void> {
  const emulator = new StorageEmulator({ projectId, host: '127.0.0.1', port: 0, auto_download: false });
  emulator._rulesRuntime = { start: async () => undefined, stop: async () => undefined };
  const app = await createApp(projectId, emulator);
  const backend = await new Promise<Server>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
  const backendPort = (backend.address() as AddressInfo).port;
  const front = await startFront(backendPort, { behindTls: process.env.GCS_EMULATOR_BEHIND_TLS === '1' });
  frontPort = (front.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ port: (front.address() as AddressInfo).port })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    front.close();
    backend.close();
    rmSync(blobs, { recursive: true, force: true });
    process.exit(0);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
