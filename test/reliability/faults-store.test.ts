/**
 * mergeConfig under contention and moveStateStore on S3 (s3rver) through the fault-injecting
 * proxy: the scenarios of ./fault-scenarios.ts. Azure and GCS: faults-azure.test.ts,
 * faults-gcs.test.ts.
 */
import { describeStoreFaults, s3FaultBackend } from './fault-scenarios.js';

const backend = s3FaultBackend();
afterAll(() => backend.stop());

describeStoreFaults(backend);
