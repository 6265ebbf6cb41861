/**
 * The bin against an S3 store (the s3rver harness), configured only through kops's environment
 * variables: move a kops tree in, list it, change it with a conditional write.
 */
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { COMPLEX, MINIMAL, makeStore, requireBuiltCli, run } from './harness.js';

describe('statestore against S3 (s3rver)', () => {
  let server: S3rverHandle;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    requireBuiltCli();
    server = await startS3rver({ buckets: ['cli-state'] });
    // kops's variables (kops: util/pkg/vfs/s3context.go): endpoint, region, static credentials.
    env = {
      S3_ENDPOINT: server.endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    };
  });
  afterAll(() => server?.stop());

  it('moves a file store into S3, lists it, and sets a field there', async () => {
    const source = makeStore([MINIMAL, COMPLEX]);
    const moved = await run(['move', source.url, 's3://cli-state/kops', '--json'], { env });
    // (stderr may carry the AWS SDK's own Node-version warning; no error of ours)
    expect({ code: moved.code, error: moved.stderr.includes('error:') }).toEqual({ code: 0, error: false });
    expect((JSON.parse(moved.stdout) as { clusters: unknown[] }).clusters).toHaveLength(2);
    const state = { env: { ...env, KOPS_STATE_STORE: 's3://cli-state/kops' } };
    const [listed, set] = await Promise.all([
      run(['get', 'clusters'], state),
      run(['set', 'cluster', MINIMAL.cluster, 'spec.kubernetesVersion=1.30.9', '--json'], state),
    ]);
    expect(
      listed.stdout
        .split('\n')
        .slice(1, 3)
        .map((line) => line.split('\t')[0]),
    ).toEqual([COMPLEX.cluster, MINIMAL.cluster]);
    expect(JSON.parse(set.stdout)).toMatchObject({ changed: true, dryRun: false });
    const yaml = await run(['get', 'cluster', MINIMAL.cluster, '-o', 'yaml'], state);
    expect(yaml.stdout).toContain('kubernetesVersion: 1.30.9');
  });
});
