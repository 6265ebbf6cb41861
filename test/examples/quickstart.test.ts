/** The README's first command runs this example; it must keep working. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

it('runs examples/quickstart.ts against a local file:// store', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'statestore-example-'));
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '../../examples/quickstart.ts'), `file://${dir}/store`],
      { timeout: 60_000 },
    );
    expect(stdout).toContain('creating it again fails with AlreadyExists');
    expect(stdout).toContain('+  kubernetesVersion: 1.30.0');
    expect(stdout).toContain("'team-e': 'yes'");
    expect(stdout).toContain('did you mean "kubernetesVersion"?');
    expect(stdout).toContain('clusters: demo.example.com; instance groups: control-plane-us-east-1a, nodes');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
