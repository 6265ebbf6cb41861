// Jest test sequencer: the suites that take longest start first, so that on 2 workers no long
// suite starts last and runs alone (issue #17: npm test under 8 minutes). Jest's own sequencer
// orders by the durations it cached on an earlier run, which a fresh clone (CI) does not have;
// this list is from a full run (2026-12-01, Node 20, idle 2-core machine), slowest first. Suites
// not listed follow in Jest's default order.
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST = [
  'test/store/every-backend.test.ts',
  'test/reliability/load.test.ts',
  'test/store/lease-processes.test.ts',
  'test/reliability/crash-file.test.ts',
  'test/store/merge-config.test.ts',
  'test/migrate/move.test.ts',
  'test/backends/swift.test.ts',
  'test/reliability/faults-gcs.test.ts',
  'test/backends/s3.test.ts',
  'test/store/trees.test.ts',
];

class SlowestFirst extends Sequencer {
  async sort(tests) {
    const rank = (test) => {
      const index = SLOWEST.findIndex((suffix) => test.path.endsWith(suffix));
      return index === -1 ? SLOWEST.length : index;
    };
    const rest = await super.sort(tests.filter((test) => rank(test) === SLOWEST.length));
    const slow = tests.filter((test) => rank(test) < SLOWEST.length).sort((a, b) => rank(a) - rank(b));
    return [...slow, ...rest];
  }
}

module.exports = SlowestFirst;
