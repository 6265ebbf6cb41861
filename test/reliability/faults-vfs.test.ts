/**
 * The Vfs core operations on S3 (s3rver) through the fault-injecting proxy: the scenarios of
 * ./fault-scenarios.ts, with S3's `503 SlowDown` answers. Azure and GCS: faults-azure.test.ts,
 * faults-gcs.test.ts.
 */
import { describeStreamFaults, describeVfsFaults, s3FaultBackend } from './fault-scenarios.js';
import { describeRetryAbort } from './retry-abort.js';

const backend = s3FaultBackend();
afterAll(() => backend.stop());

describeVfsFaults(backend);
describeRetryAbort(backend);
describeStreamFaults(backend);
