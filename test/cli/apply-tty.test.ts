/**
 * `apply --dry-run` on a real pseudo-terminal (util-linux `script -qec`): the plan's lines and
 * its diff reach the terminal with the folder's bidi overrides and isolates escaped (`\u202e`),
 * never raw; `--detailed-exitcode` still exits 2 there.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

beforeAll(requireBuiltCli);

/** The bin's output on a pseudo-terminal (stdout and stderr both go to it), and its exit code. */
function onPty(args: string[], state: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', NO_COLOR: '1', KOPS_STATE_STORE: state };
  const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

it('prints the plan and its diff escaped on a terminal, exit 2 with --detailed-exitcode', async () => {
  const store = makeStore([MINIMAL]);
  const to = path.join(tempDir(), 'git');
  expect((await run(['export', MINIMAL.cluster, '--to', to], { state: store.url })).code).toBe(0);
  const file = path.join(to, MINIMAL.cluster, 'instancegroup', 'nodes');
  // A label whose value holds bidi overrides and an isolate ("Trojan Source"), as YAML escapes:
  // kops's reader takes these (it refuses raw control characters such as ESC).
  const hostile = 'nodeLabels:\n    evil: "\\u202Eabc\\u2066x\\u202Cy"\n';
  writeFileSync(file, readFileSync(file, 'utf8').replace('nodeLabels:\n', hostile));
  const { code, output } = await onPty(['apply', '-f', to, '--dry-run', '--detailed-exitcode'], store.url);
  expect(code).toBe(2);
  expect(output).toContain('~ InstanceGroup nodes: update');
  // None arrives raw: each is written as an escape, whichever layer escapes it.
  expect(output).toMatch(/\+ {4}evil: "?\\u202[eE]abc\\u2066x\\u202[cC]y"?/);
  expect(output).toContain('0 to create, 1 to update, 0 to delete, 2 unchanged (dry run: nothing written)');
  expect(output.replace(/\r\n/g, '\n')).not.toMatch(RAW_CONTROL);
});
