/**
 * History, watch and leases on every backend target, in one test file so that the servers they
 * need (s3rver, Azurite, the GCS emulator: test/backends/targets.ts) start once for all three
 * instead of once each (npm test's time budget on 2 cores). Each imported file registers its own
 * suites and says what it covers.
 */
import './history-backends.cases.js';
import './watch-backends.cases.js';
import './lease-backends.cases.js';
