/**
 * History and watch on every backend target, in one test file so that the servers they need
 * (s3rver, Azurite, the GCS emulator: test/backends/targets.ts) start once for both instead of
 * once each (npm test's time budget on 2 cores). Leases under contention, which wait out lease
 * ttls far more than they use the CPU, are in every-backend-leases.test.ts, so that Jest runs the
 * two halves on its 2 workers side by side (one file of ~150 s ran alone at the end of a run).
 * Each imported file registers its own suites and says what it covers.
 */
import './history-backends.cases.js';
import './watch-backends.cases.js';
