// Prints how many conformance cases ran per backend, so a backend silently running fewer
// cases than the others shows up in CI's output.
class ConformanceCountReporter {
  onRunComplete(_contexts, results) {
    const byBackend = new Map();
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        const title = test.ancestorTitles.find((t) => t.startsWith('conformance: '));
        if (!title) continue;
        const name = title.slice('conformance: '.length);
        const counts = byBackend.get(name) ?? { passed: 0, failed: 0, other: 0 };
        if (test.status === 'passed') counts.passed += 1;
        else if (test.status === 'failed') counts.failed += 1;
        else counts.other += 1;
        byBackend.set(name, counts);
      }
    }
    if (byBackend.size === 0) return;
    const lines = [...byBackend].map(
      ([name, c]) =>
        `  ${name}: ${c.passed + c.failed + c.other} cases, ${c.passed} passed, ${c.failed} failed${c.other ? `, ${c.other} not run` : ''}`,
    );
    process.stdout.write(`\nConformance cases per backend:\n${lines.join('\n')}\n`);
  }
}
module.exports = ConformanceCountReporter;
