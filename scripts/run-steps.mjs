// Runs npm scripts in stages: the scripts of one stage at the same time, the stages one after
// another, stopping at the first failure. `npm test` uses it so the independent checks (types,
// lint; build, API reference) share the machine's cores instead of queueing (issue #17: npm test
// under 8 minutes on 2 cores). Usage: node scripts/run-steps.mjs "typecheck,lint" "build,docs" ...
import { spawn } from 'node:child_process';

function run(script) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', ['run', '-s', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => out.push(chunk));
    child.on('close', (code) => {
      // Each script's output is printed whole when it ends, so parallel outputs never interleave.
      process.stdout.write(`\n> ${script} (${((Date.now() - started) / 1000).toFixed(1)} s, exit ${code})\n`);
      process.stdout.write(Buffer.concat(out));
      resolve(code ?? 1);
    });
  });
}

for (const stage of process.argv.slice(2)) {
  const codes = await Promise.all(stage.split(',').map((script) => run(script.trim())));
  const failed = codes.find((code) => code !== 0);
  if (failed !== undefined) process.exit(failed);
}
