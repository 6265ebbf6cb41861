// Runs npm scripts in stages: the scripts of one stage at the same time, the stages one after
// another, stopping at the first failure. `npm test` uses it so the independent checks share the
// machine's cores instead of queueing (issue #17: npm test under 8 minutes on 2 cores).
//
// Usage: node scripts/run-steps.mjs build,bg:typecheck,bg:lint test:unit,bg:api:check ...
//
// A script marked `bg:` runs in the background: it starts with its stage but the next stage does not
// wait for it, and it runs at a lower CPU priority (nice 10). `npm test` runs its checks (types,
// lint, API report, package) that way beside Jest: Jest's suites spend much of their time waiting
// (servers starting, leases expiring, backoffs), and the checks use those idle cores instead of
// adding their own minutes before and after Jest, while the lower priority keeps them from slowing
// the suites that do compute. Every script is waited for before the run ends; the first failure
// stops all the others and is the exit code.
//
// Output: a stage's only foreground script writes straight to the terminal (Jest's progress);
// the others' output is printed whole when they end, so outputs never interleave.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

/** The mark of a background script (not `&`: npm runs the command line through a shell). */
const BACKGROUND = 'bg:';
/** Niceness of background scripts: they get the cores the foreground leaves idle. */
const BACKGROUND_NICENESS = 10;
const running = new Set();

function parse(stage) {
  return stage
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) =>
      name.startsWith(BACKGROUND) ? { script: name.slice(BACKGROUND.length), background: true } : { script: name },
    );
}

function run({ script, background = false }, live) {
  const started = Date.now();
  // Its own process group, so that stopping it also stops what npm started under it.
  const child = spawn('npm', ['run', '-s', script], {
    stdio: ['ignore', live ? 'inherit' : 'pipe', live ? 'inherit' : 'pipe'],
    detached: true,
  });
  if (background) {
    try {
      setPriority(child.pid, BACKGROUND_NICENESS); // inherited by what npm starts
    } catch {
      // Not permitted here: the script still runs, at normal priority.
    }
  }
  running.add(child);
  const out = [];
  child.stdout?.on('data', (chunk) => out.push(chunk));
  child.stderr?.on('data', (chunk) => out.push(chunk));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      const how = signal === null ? `exit ${code}` : signal;
      const label = background ? ', background' : '';
      process.stdout.write(`\n> ${script} (${((Date.now() - started) / 1000).toFixed(1)} s${label}, ${how})\n`);
      process.stdout.write(Buffer.concat(out));
      resolve(code ?? 1);
    });
  });
}

function stopAll() {
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

let failure = 0;
const background = [];
const watch = (promise) =>
  promise.then((code) => {
    if (code !== 0 && failure === 0) {
      failure = code;
      stopAll();
    }
    return code;
  });

// The scripts run in their own process groups, out of reach of a signal sent to this one (Ctrl-C,
// a CI job's timeout): pass it on.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    stopAll();
    process.exit(code);
  });
}

for (const stage of process.argv.slice(2).map(parse)) {
  if (failure !== 0) break;
  const foreground = stage.filter((step) => !step.background);
  const live = foreground.length === 1;
  background.push(...stage.filter((step) => step.background).map((step) => watch(run(step, false))));
  await Promise.all(foreground.map((step) => watch(run(step, live))));
}
await Promise.all(background);
if (failure !== 0) process.stdout.write(`\nrun-steps: stopped at the first failure (exit ${failure})\n`);
process.exit(failure);
