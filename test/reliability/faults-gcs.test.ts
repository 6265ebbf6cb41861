/**
 * The fault scenarios (./fault-scenarios.ts) on Google Cloud Storage: the firebase-tools Storage
 * emulator and its GCS compat front behind the fault-injecting proxy, which answers
 * `503 backendError` / 500 in GCS's JSON, drops connections, and cuts responses half-way after the
 * emulator acted. Streamed (resumable) uploads keep the client's Host, so the emulator's session URLs lead back
 * through the proxy and every request of a session meets the faults.
 */
import { describeStoreFaults, describeStreamFaults, describeVfsFaults, gcsFaultBackend } from './fault-scenarios.js';
import { describeRetryAbort } from './retry-abort.js';

const backend = gcsFaultBackend();
afterAll(() => backend.stop());

describeVfsFaults(backend);
describeRetryAbort(backend);
describeStoreFaults(backend);
describeStreamFaults(backend);
