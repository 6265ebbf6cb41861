/**
 * How the swift:// backend reads its credentials from the environment, as kops does through
 * gophercloud's AuthOptionsFromEnv (no server: the wire side is in swift.test.ts).
 */
import { authFromEnv, checkAuth } from '../../src/backends/swift/auth.js';
import { openVfs } from '../../src/backends/registry.js';
import { errorCode } from '../helpers/index.js';

describe('swift credentials from the environment', () => {
  it('reads Keystone v3 from OS_*, the project over the tenant, quotes stripped from the region', () => {
    expect(
      authFromEnv({
        OS_AUTH_URL: 'https://keystone.example.com:5000/v3',
        OS_USERNAME: 'demo',
        OS_PASSWORD: 'pw',
        OS_TENANT_NAME: 'old-tenant',
        OS_PROJECT_NAME: 'kops',
        OS_DOMAIN_NAME: 'Default',
        OS_REGION_NAME: "'RegionOne'",
      }),
    ).toEqual({
      kind: 'keystone',
      authUrl: 'https://keystone.example.com:5000/v3',
      username: 'demo',
      password: 'pw',
      projectName: 'kops',
      domainName: 'Default',
      region: 'RegionOne',
    });
    expect(authFromEnv({ OS_AUTH_URL: 'https://k/v3', OS_TENANT_ID: 't-1' })).toMatchObject({ projectId: 't-1' });
  });

  it('prefers OS_AUTH_URL, then ST_AUTH/ST_USER/ST_KEY, then a given token; none without a complete set', () => {
    const v1 = { ST_AUTH: 'http://127.0.0.1:8080/auth/v1.0', ST_USER: 'test:tester', ST_KEY: 'testing' };
    expect(authFromEnv(v1)).toEqual({ kind: 'v1', authUrl: v1.ST_AUTH, user: v1.ST_USER, key: v1.ST_KEY });
    expect(authFromEnv({ ...v1, OS_AUTH_URL: 'https://k/v3' })).toMatchObject({ kind: 'keystone' });
    expect(authFromEnv({ OS_STORAGE_URL: 'https://swift/v1/AUTH_x', OS_AUTH_TOKEN: 'tok' })).toEqual({
      kind: 'token',
      storageUrl: 'https://swift/v1/AUTH_x',
      token: 'tok',
    });
    expect(authFromEnv({ ST_AUTH: v1.ST_AUTH, ST_USER: v1.ST_USER })).toBeUndefined();
    // As Go's os.Getenv (gophercloud): an empty variable is unset; anything else is used as it is.
    expect(authFromEnv({ OS_AUTH_URL: '' })).toBeUndefined();
  });

  it('refuses incomplete Keystone credentials, naming the variable and never a value', () => {
    const refused = (env: Record<string, string>) => {
      try {
        checkAuth(authFromEnv(env)!);
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(refused({ OS_AUTH_URL: 'https://k/v3', OS_USERNAME: 'demo' })).toContain('OS_PASSWORD');
    expect(refused({ OS_AUTH_URL: 'https://k/v3', OS_PASSWORD: 'hunter2' })).toContain('OS_USERNAME');
    expect(refused({ OS_AUTH_URL: 'https://k/v3', OS_PASSWORD: 'hunter2' })).not.toContain('hunter2');
    // gophercloud: a secret with no credential id or name fails its OS_PASSWORD check.
    expect(refused({ OS_AUTH_URL: 'https://k/v3', OS_APPLICATION_CREDENTIAL_SECRET: 's' })).toContain('OS_PASSWORD');
    expect(refused({ OS_AUTH_URL: 'https://k/v3', OS_APPLICATION_CREDENTIAL_ID: 'id' })).toContain(
      'OS_APPLICATION_CREDENTIAL_SECRET',
    );
    expect(
      refused({
        OS_AUTH_URL: 'https://k/v3',
        OS_APPLICATION_CREDENTIAL_ID: 'id',
        OS_APPLICATION_CREDENTIAL_SECRET: 's',
      }),
    ).toBe('accepted');
  });

  it('refuses at open, before any request, a store without credentials or with an unusable URL', async () => {
    expect(await errorCode(openVfs('swift://container/prefix', { env: {} }))).toBe('Unauthenticated');
    expect(
      await errorCode(openVfs('swift://container/prefix', { env: { OS_AUTH_URL: 'https://k/v3', OS_USERNAME: 'u' } })),
    ).toBe('InvalidArgument');
    const vfs = await openVfs('swift://container/some/prefix', {
      env: { OS_STORAGE_URL: 'http://127.0.0.1:9/v1/AUTH_x', OS_AUTH_TOKEN: 't' },
    });
    expect(vfs.url).toBe('swift://container/some/prefix');
    expect(vfs.backend).toBe('swift');
    await vfs.close();
  });
});
