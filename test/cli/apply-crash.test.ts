/**
 * A process SIGKILLed in the middle of `statestore apply` (test/cli/kill-after-writes.mjs kills it
 * right after its n-th document write), then the same apply run again: the store converges to the
 * desired state, on file://, on S3 (s3rver) and on Ceph RADOS Gateway. The desired state changes
 * both instance groups, adds one, prunes one and changes the config, so a kill after 1..4 writes
 * leaves every partial state apply's order allows: groups first, then the pruned group, the
 * config last.
 */
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import { TREES } from '../store/trees.js';
import { makeStore, requireBuiltCli, run, tempDir, type RunResult } from './harness.js';

const tree = TREES.find((t) => t.name === 'privatecilium')!;
const cluster = tree.cluster;
const KILLER = path.join(__dirname, 'kill-after-writes.mjs');

let server: S3rverHandle;
let s3env: NodeJS.ProcessEnv;
let counter = 0;
beforeAll(async () => {
  requireBuiltCli();
  server = await startS3rver({ buckets: ['apply-crash'] });
  s3env = {
    S3_ENDPOINT: server.endpoint,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  };
}, 60_000);
afterAll(() => server?.stop());

/** The tree exported, then edited into the desired state: two groups changed, one added, bastion removed, the config changed. */
async function desiredFolder(state: string, env: NodeJS.ProcessEnv): Promise<string> {
  const to = path.join(tempDir(), 'git');
  expect((await run(['export', cluster, '--to', to], { state, env })).code).toBe(0);
  const groups = path.join(to, cluster, 'instancegroup');
  const edit = (file: string, from: RegExp, to: string) =>
    writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));
  edit(path.join(groups, 'nodes'), /maxSize: \d+/, 'maxSize: 9');
  edit(path.join(groups, 'master-us-test-1a'), /maxSize: \d+/, 'maxSize: 1\n  rootVolumeSize: 64');
  writeFileSync(
    path.join(groups, 'added'),
    readFileSync(path.join(groups, 'nodes'), 'utf8').replace(/^ {2}name: nodes$/m, '  name: added'),
  );
  rmSync(path.join(groups, 'bastion'));
  edit(path.join(to, cluster, 'config'), /kubernetesVersion: .*/, 'kubernetesVersion: 1.34.7');
  return to;
}

function actionsOf(result: RunResult): string[] {
  const plans = JSON.parse(result.stdout) as Array<{ documents: Array<{ name: string; action: string }> }>;
  return plans.flatMap((plan) =>
    plan.documents.filter((doc) => doc.action !== 'unchanged').map((doc) => `${doc.action} ${doc.name}`),
  );
}

const ALL = ['create added', 'update master-us-test-1a', 'update nodes', 'delete bastion', `update ${cluster}`];

/** kops's S3 variables for the run's Ceph RADOS Gateway (a real S3 server), its bucket made once. */
let rgwEnv: Promise<NodeJS.ProcessEnv> | undefined;
function rgw(): Promise<NodeJS.ProcessEnv> {
  rgwEnv ??= sharedRgw().then(async (gateway) => {
    await gateway.createBucket('apply-crash');
    const { endpoint, credentials } = gateway.s3;
    return {
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
  });
  return rgwEnv;
}

/** A fresh store holding the tree: file:// (a folder), or s3:// (moved there from one) on s3rver or RGW. */
async function freshStore(backend: 'file' | 's3' | 'rgw'): Promise<{ state: string; env: NodeJS.ProcessEnv }> {
  const local = makeStore([tree]);
  if (backend === 'file') return { state: local.url, env: {} };
  const env = backend === 's3' ? s3env : await rgw();
  // do:// on RGW: kops's scheme for S3-compatible servers, which sends no server-side encryption.
  const state = `${backend === 's3' ? 's3' : 'do'}://apply-crash/run-${process.pid}-${++counter}`;
  const moved = await run(['move', local.url, state], { env });
  expect({ code: moved.code, error: moved.stderr.includes('error:') ? moved.stderr : '' }).toEqual({
    code: 0,
    error: '',
  });
  return { state, env };
}

// Every kill point on file://; one among the groups on s3rver (slower); on Ceph RGW (a real S3
// server, which ignores If-Match on deletes) the one before the prune, so the rerun prunes there.
describe.each([
  ['file', [1, 2, 3, 4]],
  ['s3', [2]],
  ['rgw', [3]],
] as const)('apply killed mid-way on %s, then rerun', (backend, points) => {
  it.each([...points])(
    'killed after %i document writes: the rerun converges',
    async (kills) => {
      const { state, env } = await freshStore(backend);
      const to = await desiredFolder(state, env);
      const apply = ['apply', '-f', to, '--prune', '--json'];
      // A short lease, so the rerun can take over the one the killed process left.
      const killerEnv = {
        ...env,
        NODE_OPTIONS: `--import=${KILLER}`,
        STATESTORE_TEST_KILL_AFTER: String(kills),
        STATESTORE_LEASE_TTL: '1s',
      };
      const killed = await run(apply, { state, env: killerEnv });
      expect(killed.signal).toBe('SIGKILL');
      // What a reader sees now: the first `kills` steps of the plan's order done, the rest still to do.
      const left = await run([...apply, '--dry-run'], { state, env });
      expect(actionsOf(left)).toEqual(ALL.slice(kills));
      const rerun = await run([...apply, '--lock-timeout', '20s'], { state, env });
      expect({ code: rerun.code, error: rerun.stderr.includes('error:') ? rerun.stderr : '' }).toEqual({
        code: 0,
        error: '',
      });
      expect(actionsOf(rerun)).toEqual(ALL.slice(kills));
      const after = await run(['apply', '-f', to, '--prune', '--dry-run', '--detailed-exitcode'], { state, env });
      expect({ code: after.code, error: after.code === 0 ? '' : after.stderr }).toEqual({ code: 0, error: '' });
    },
    60_000,
  );
});
