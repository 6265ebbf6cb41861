/**
 * The swift backend reads credentials from the environment as kops does, checked against kops's
 * own code, copied in test/fixtures/kops/swift/ (see NOTICE.md there): `util/pkg/vfs/swiftfs.go`
 * and gophercloud's `AuthOptionsFromEnv` (`auth_env.go`), which kops calls. Every variable that
 * code reads must be read here too, refused as Unsupported, or documented as not read; and this
 * backend must read no `OS_*` variable kops does not.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UNSUPPORTED_OS_VARIABLES, authFromEnv, checkAuth } from '../../src/backends/swift/auth.js';
import { REPO_ROOT, errorCodeSync } from '../helpers/index.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/kops/swift');
const source = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

/** Every variable name the Go files pass to os.Getenv, constants resolved through openstackconfig/env.go. */
function kopsVariables(): string[] {
  const constants = new Map(
    [...source('openstackconfig-env.go').matchAll(/(\w+)\s*=\s*"([A-Z0-9_]+)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  const names = new Set<string>();
  for (const file of ['swiftfs.go', 'auth_env.go']) {
    for (const m of source(file).matchAll(/os\.Getenv\(\s*(?:"([A-Z0-9_]+)"|openstackconfig\.(\w+))\s*\)/g)) {
      names.add(m[1] ?? constants.get(m[2]!)!);
    }
  }
  return [...names].sort();
}

/** A complete Keystone environment, so one more variable can only change the result by being read. */
const BASE = { OS_AUTH_URL: 'https://keystone.example/v3', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_DOMAIN_NAME: 'd' };

/** Variables kops reads that statestore does not, each named as such in docs/kops-compatibility.md. */
const DOCUMENTED_NOT_READ = ['OPENSTACK_CREDENTIAL_FILE', 'KOPS_OS_TLS_INSECURE_SKIP_VERIFY'];

describe('swift credentials: the variables kops reads (its Go source)', () => {
  const variables = kopsVariables();

  it('finds the variables in the copied kops and gophercloud code', () => {
    expect(variables).toEqual(expect.arrayContaining(['OS_AUTH_URL', 'OS_PASSWORD', 'OS_REGION_NAME']));
    expect(variables.length).toBeGreaterThanOrEqual(16);
  });

  it.each(kopsVariables())('%s is read, refused as Unsupported, or documented as not read', (name) => {
    const docs = readFileSync(path.join(REPO_ROOT, 'docs/kops-compatibility.md'), 'utf8');
    const env =
      name === 'OS_AUTH_URL' ? { ...BASE, OS_AUTH_URL: 'https://other.example/v3' } : { ...BASE, [name]: 'x' };
    if (DOCUMENTED_NOT_READ.includes(name)) {
      expect(docs).toContain(name);
      expect(authFromEnv(env)).toEqual(authFromEnv(BASE));
    } else if (UNSUPPORTED_OS_VARIABLES.includes(name)) {
      expect(errorCodeSync(() => authFromEnv(env))).toBe('Unsupported');
    } else {
      expect(authFromEnv(env)).not.toEqual(authFromEnv(BASE));
    }
  });

  it('reads no OS_* variable that kops does not (besides the documented OS_STORAGE_URL / OS_AUTH_TOKEN)', () => {
    const ours = new Set(source('../../../../src/backends/swift/auth.ts').match(/\bOS_[A-Z_]+\b/g));
    const extra = [...ours].filter((name) => !variables.includes(name) && !name.endsWith('_'));
    expect(extra.sort()).toEqual(['OS_AUTH_TOKEN', 'OS_STORAGE_URL']);
  });

  it("strips one pair of single quotes from OS_REGION_NAME only, as kops's GetRegion does", () => {
    expect(authFromEnv({ ...BASE, OS_REGION_NAME: "'RegionOne'" })).toMatchObject({ region: 'RegionOne' });
    expect(authFromEnv({ ...BASE, OS_PASSWORD: "'quoted'" })).toMatchObject({ password: "'quoted'" });
    expect(authFromEnv({ ...BASE, OS_REGION_NAME: "'" })).toMatchObject({ region: "'" });
  });

  it("refuses what gophercloud's AuthOptionsFromEnv refuses", () => {
    const code = (env: Record<string, string>) => errorCodeSync(() => checkAuth(authFromEnv(env)!));
    // A project by name needs a domain or a project id.
    expect(code({ OS_AUTH_URL: 'https://k/v3', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_PROJECT_NAME: 'x' })).toBe(
      'InvalidArgument',
    );
    expect(
      code({
        OS_AUTH_URL: 'https://k/v3',
        OS_USERNAME: 'u',
        OS_PASSWORD: 'p',
        OS_PROJECT_NAME: 'x',
        OS_PROJECT_ID: 'i',
      }),
    ).toBe('ok');
    // An application credential by name, with a username, needs a domain.
    const byName = { OS_AUTH_URL: 'https://k/v3', OS_USERNAME: 'u', OS_APPLICATION_CREDENTIAL_NAME: 'n' };
    expect(code({ ...byName, OS_APPLICATION_CREDENTIAL_SECRET: 's' })).toBe('InvalidArgument');
    expect(code({ ...byName, OS_APPLICATION_CREDENTIAL_SECRET: 's', OS_DOMAIN_ID: 'd' })).toBe('ok');
  });
});
