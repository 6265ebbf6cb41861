/**
 * The conformance suite on `gs://` against the firebase-tools Storage emulator started from code,
 * behind the GCS compat front of test/servers/gcs/front.ts (generation preconditions, rewrite).
 */
import { openVfs } from '../../src/backends/registry.js';
import { runConformance } from '../conformance/suite.js';
import { startGcsEmulator, type GcsEmulatorHandle } from '../servers/gcs-emulator.js';

let server: GcsEmulatorHandle;
let counter = 0;

beforeAll(async () => {
  server = await startGcsEmulator();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

runConformance({
  name: 'gcs',
  open: () =>
    openVfs(`gs://conformance/run-${String(++counter).padStart(4, '0')}`, {
      gcs: { apiEndpoint: server.apiEndpoint, projectId: server.projectId },
    }),
  keyPrefixBytes: 'run-0001/'.length,
});
