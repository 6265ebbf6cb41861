/**
 * The bin against an S3 store (the s3rver harness), configured only through kops's environment
 * variables: move a kops tree in, list it, change it with a conditional write.
 */
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { COMPLEX, MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

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
    expect({ code: moved.code, error: moved.stderr.includes('error:') }).toEqual({ code: 0, error: false });
    // The AWS SDK's 8-line warning on Node < 22 is not repeated by every command (src/cli/main.ts).
    expect(moved.stderr).not.toContain('NodeVersionSupportWarning');
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

  it('names the bucket and the endpoint when there are no credentials or the server is down (exit 6)', async () => {
    const bare = { PATH: process.env.PATH, HOME: tempDir(), AWS_EC2_METADATA_DISABLED: 'true' };
    const noCredentials = await run(['get', 'clusters'], { env: { ...bare, KOPS_STATE_STORE: 's3://cli-state/kops' } });
    expect(noCredentials.code).toBe(6);
    expect(noCredentials.stderr).toContain(
      's3: find the region of bucket "cli-state": the credentials were rejected or are missing',
    );
    const down = await run(['get', 'clusters'], {
      env: { ...env, S3_ENDPOINT: 'http://127.0.0.1:1', KOPS_STATE_STORE: 's3://cli-state/kops' },
    });
    expect(down.code).toBe(6);
    // The first request is the dialect probe at open (an S3-compatible endpoint), or a list with a dialect set.
    expect(down.stderr).toMatch(
      /s3: [^\n]* in bucket "cli-state" at http:\/\/127\.0\.0\.1:1: the endpoint could not be reached/,
    );
    expect(down.stderr).not.toContain('NodeVersionSupportWarning');
  });
});
