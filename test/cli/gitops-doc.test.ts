/**
 * docs/gitops.md's blocks marked `<!-- tested -->` run as written, in order, in one folder, against
 * a file:// store holding kops's minimal tree (`prod.example.com` and `s3://my-state-store` read
 * as that cluster and store; `statestore` is the built bin). Each must exit 0, and the plan the
 * page prints after its second block must be what the command prints.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/index.js';
import { CLI, MINIMAL, makeStore, requireBuiltCli, tempDir } from './harness.js';

beforeAll(requireBuiltCli);

it('runs the tested blocks of docs/gitops.md, and prints the plan the page shows', () => {
  const store = makeStore([MINIMAL]);
  const page = readFileSync(path.join(REPO_ROOT, 'docs/gitops.md'), 'utf8')
    .replaceAll('prod.example.com', MINIMAL.cluster)
    .replaceAll('s3://my-state-store', store.url);
  const blocks = [...page.matchAll(/<!-- tested -->\n```sh\n([\s\S]*?)```\n(?:\n```text\n([\s\S]*?)```)?/g)];
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  expect(blocks.filter((block) => block[2] !== undefined)).toHaveLength(1);
  const bin = path.join(tempDir(), 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'statestore'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
  chmodSync(path.join(bin, 'statestore'), 0o755);
  const cwd = tempDir();
  const who = { NAME: 'Doc Test', EMAIL: 'doc@example.com' };
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: cwd,
    NO_COLOR: '1',
    KOPS_STATE_STORE: store.url,
    ...Object.fromEntries(
      ['AUTHOR', 'COMMITTER'].flatMap((role) => Object.entries(who).map(([k, v]) => [`GIT_${role}_${k}`, v])),
    ),
  };
  for (const [, script, shown] of blocks) {
    const result = spawnSync('bash', ['-e', '-c', `${script!}`], { cwd, env, encoding: 'utf8' });
    const output = `${result.stdout}${result.stderr}`;
    expect({ script, status: result.status, output: result.status === 0 ? '' : output }).toEqual({
      script,
      status: 0,
      output: '',
    });
    if (shown !== undefined) {
      // Only the plan's command prints; its output (stdout, then the summary on stderr) is the page's.
      const plan = spawnSync(
        'bash',
        [
          '-c',
          script!
            .split('\n')
            .filter((line) => line.startsWith('statestore apply'))
            .join('\n')
            .replace(/ \|\|.*$/, ' 2>&1'),
        ],
        { cwd, env, encoding: 'utf8' },
      );
      expect(plan.stdout).toBe(shown);
    }
  }
});
