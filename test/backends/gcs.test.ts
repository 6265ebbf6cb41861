/**
 * The conformance suite on `gs://` against the firebase-tools Storage emulator started from code,
 * behind the GCS compat front of test/servers/gcs/front.ts (generation preconditions, rewrite).
 */
import { openVfs } from '../../src/backends/registry.js';
import { runConformance } from '../conformance/suite.js';
import { startConnectionCounter, type ConnectionCounter } from '../servers/connection-counter.js';
import { startGcsEmulator, type GcsEmulatorHandle } from '../servers/gcs-emulator.js';

let server: GcsEmulatorHandle;
/** Between the SDK and the emulator: counts the connections the stores leave (the suite's leak checks). */
let proxy: ConnectionCounter;
let counter = 0;

beforeAll(async () => {
  server = await startGcsEmulator();
  proxy = await startConnectionCounter(server.apiEndpoint);
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
});

runConformance({
  name: 'gcs',
  open: () =>
    openVfs(`gs://conformance/run-${String(++counter).padStart(4, '0')}`, {
      gcs: { apiEndpoint: proxy.endpoint, projectId: server.projectId },
    }),
  keyPrefixBytes: 'run-0001/'.length,
  connections: () => proxy.count(),
  transferred: () => proxy.transferred(),
});
