/**
 * Leases under contention on every backend target that is not files (lease-backends.cases.ts):
 * apart from every-backend.test.ts's history and watch, at the cost of one more start of s3rver,
 * Azurite and the GCS emulator, because its time is mostly ttls waited out: in one file with them
 * it made a suite Jest could not split between its 2 workers.
 */
import './lease-backends.cases.js';
