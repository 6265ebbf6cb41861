/** The missing-SDK message names the install for a project, a global install and npx (issue 27 item 10). */
import { loadOptionalPeer } from '../../src/backends/optional-peer.js';
import { isStateStoreError } from '../../src/errors.js';

describe('loadOptionalPeer', () => {
  it('a missing SDK is InvalidArgument naming npm install, npm install -g and npx -p', async () => {
    const missing = Object.assign(new Error("Cannot find package '@aws-sdk/client-s3'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const err = await loadOptionalPeer('@aws-sdk/client-s3', () => Promise.reject(missing), 's3').catch(
      (e: unknown) => e,
    );
    expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
    expect((err as Error).message).toBe(
      'the s3:// backend needs the package "@aws-sdk/client-s3": npm install @aws-sdk/client-s3 (for a global statestore: npm install -g @aws-sdk/client-s3; with npx: npx -p kops-statestore -p @aws-sdk/client-s3 statestore ...)',
    );
  });

  it('any other load failure is passed on as it is', async () => {
    const broken = new Error('syntax error in the SDK');
    await expect(loadOptionalPeer('x', () => Promise.reject(broken), 's3')).rejects.toBe(broken);
  });
});
