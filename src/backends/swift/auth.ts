import { StateStoreError } from '../../errors.js';
import { SwiftHttpError } from './errors.js';
import type { SwiftTransport } from './http.js';
import type { SwiftAuth, SwiftKeystoneAuth } from './types.js';

/** A token and the storage URL (`https://host/v1/AUTH_project`) it is valid for. */
export interface SwiftSession {
  storageUrl: string;
  token: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The auth of a store from the environment, in kops's order: the `OS_*` variables gophercloud's
 * `AuthOptionsFromEnv` reads (Keystone v3; `OS_PROJECT_*` win over `OS_TENANT_*`, application
 * credentials when set), else python-swiftclient's `ST_AUTH`/`ST_USER`/`ST_KEY` (Swift v1 auth),
 * else a pre-obtained `OS_STORAGE_URL` + `OS_AUTH_TOKEN`. Undefined when none is complete.
 */
export function authFromEnv(env: Env): SwiftAuth | undefined {
  // As Go's os.Getenv: an empty variable is an unset one; values are used as they are.
  const get = (name: string) => (env[name] === '' ? undefined : env[name]);
  const authUrl = get('OS_AUTH_URL');
  if (authUrl !== undefined) {
    for (const name of UNSUPPORTED_OS_VARIABLES) {
      if (get(name) !== undefined) {
        throw new StateStoreError('Unsupported', `swift: ${name} is set, and statestore cannot authenticate with it`, {
          backend: 'swift',
        });
      }
    }
    const auth: SwiftKeystoneAuth = { kind: 'keystone', authUrl };
    for (const [field, names] of KEYSTONE_VARIABLES) {
      const value = names.map(get).find((v) => v !== undefined);
      if (value !== undefined) (auth as unknown as Record<string, string>)[field] = value;
    }
    const region = kopsRegion(get('OS_REGION_NAME'));
    if (region !== undefined) auth.region = region;
    return auth;
  }
  const stAuth = get('ST_AUTH');
  const stUser = get('ST_USER');
  const stKey = get('ST_KEY');
  if (stAuth !== undefined && stUser !== undefined && stKey !== undefined) {
    return { kind: 'v1', authUrl: stAuth, user: stUser, key: stKey };
  }
  const storageUrl = get('OS_STORAGE_URL');
  const token = get('OS_AUTH_TOKEN');
  if (storageUrl !== undefined && token !== undefined) return { kind: 'token', storageUrl, token };
  return undefined;
}

/**
 * The variables gophercloud's `AuthOptionsFromEnv` reads (kops's `GetCredential` calls it), each
 * field from the first one set: `OS_PROJECT_*` win over the older `OS_TENANT_*`, as there.
 * `test/backends/swift-kops-env.test.ts` checks this list against the copied Go source.
 */
const KEYSTONE_VARIABLES: ReadonlyArray<[keyof SwiftKeystoneAuth, string[]]> = [
  ['username', ['OS_USERNAME']],
  ['userId', ['OS_USERID']],
  ['password', ['OS_PASSWORD']],
  ['projectName', ['OS_PROJECT_NAME', 'OS_TENANT_NAME']],
  ['projectId', ['OS_PROJECT_ID', 'OS_TENANT_ID']],
  ['domainName', ['OS_DOMAIN_NAME']],
  ['domainId', ['OS_DOMAIN_ID']],
  ['applicationCredentialId', ['OS_APPLICATION_CREDENTIAL_ID']],
  ['applicationCredentialName', ['OS_APPLICATION_CREDENTIAL_NAME']],
  ['applicationCredentialSecret', ['OS_APPLICATION_CREDENTIAL_SECRET']],
];

/**
 * Variables gophercloud reads that this backend cannot honour (a TOTP passcode, system scope):
 * refused rather than ignored, since ignoring them would authenticate differently from kops.
 */
export const UNSUPPORTED_OS_VARIABLES: readonly string[] = ['OS_PASSCODE', 'OS_SYSTEM_SCOPE'];

/** kops's `GetRegion`: OS_REGION_NAME with one enclosing pair of single quotes removed (only there). */
function kopsRegion(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.length > 1 && value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1) : value;
}

/** Refuses, at open, an auth that cannot work, naming what is missing (never a value). */
export function checkAuth(auth: SwiftAuth): void {
  const missing = (what: string) =>
    new StateStoreError('InvalidArgument', `swift: incomplete credentials: ${what}`, { backend: 'swift' });
  if (auth.kind === 'v1' && (auth.user === '' || auth.key === '')) throw missing('ST_USER and ST_KEY are required');
  if (auth.kind !== 'keystone') return;
  // gophercloud's AuthOptionsFromEnv checks, in its order (test/fixtures/kops/swift/auth_env.go).
  const user = auth.username ?? auth.userId;
  const appCredential = auth.applicationCredentialId ?? auth.applicationCredentialName;
  const domain = auth.domainId ?? auth.domainName;
  if (
    user === undefined &&
    auth.applicationCredentialId === undefined &&
    auth.applicationCredentialSecret === undefined
  )
    throw missing('OS_USERID or OS_USERNAME is required');
  if (auth.password === undefined && appCredential === undefined) throw missing('OS_PASSWORD is required');
  if (appCredential !== undefined && auth.applicationCredentialSecret === undefined)
    throw missing('OS_APPLICATION_CREDENTIAL_SECRET is required with an application credential');
  if (domain === undefined && auth.projectId === undefined && auth.projectName !== undefined)
    throw missing('OS_PROJECT_ID (or OS_DOMAIN_ID / OS_DOMAIN_NAME) is required with OS_PROJECT_NAME');
  if (auth.applicationCredentialId === undefined && auth.applicationCredentialName !== undefined) {
    if (user === undefined) throw missing('an application credential given by name needs OS_USERNAME or OS_USERID');
    if (auth.username !== undefined && domain === undefined)
      throw missing('OS_DOMAIN_ID or OS_DOMAIN_NAME is required with OS_USERNAME and an application credential name');
  }
}

/**
 * Authenticates once, through the store's `transport` (its proxy, if any); the driver calls it
 * again when a token is refused (kops's AllowReauth).
 */
export async function authenticate(
  auth: SwiftAuth,
  transport: SwiftTransport,
  signal?: AbortSignal,
): Promise<SwiftSession> {
  switch (auth.kind) {
    case 'token':
      return { storageUrl: auth.storageUrl.replace(/\/+$/, ''), token: auth.token };
    case 'v1':
      return authenticateV1(auth, transport, signal);
    case 'keystone':
      return authenticateKeystone(auth, transport, signal);
  }
}

async function authenticateV1(
  auth: { authUrl: string; user: string; key: string },
  transport: SwiftTransport,
  signal?: AbortSignal,
): Promise<SwiftSession> {
  const headers = { 'X-Auth-User': auth.user, 'X-Auth-Key': auth.key };
  const response = await transport.fetch(auth.authUrl, { headers, signal });
  await response.arrayBuffer();
  const storageUrl = response.headers.get('x-storage-url');
  const token = response.headers.get('x-auth-token');
  if (!response.ok || storageUrl === null || token === null) throw new SwiftHttpError(response.status, 'auth');
  return { storageUrl: storageUrl.replace(/\/+$/, ''), token };
}

interface CatalogEntry {
  type?: string;
  endpoints?: Array<{ interface?: string; region?: string; region_id?: string; url?: string }>;
}

async function authenticateKeystone(
  auth: SwiftKeystoneAuth,
  transport: SwiftTransport,
  signal?: AbortSignal,
): Promise<SwiftSession> {
  const base = auth.authUrl.replace(/\/+$/, '');
  const url = /\/v3$/.test(base) ? `${base}/auth/tokens` : `${base}/v3/auth/tokens`;
  const response = await transport.fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ auth: keystoneBody(auth) }),
    signal,
  });
  const token = response.headers.get('x-subject-token');
  if (!response.ok || token === null) {
    await response.arrayBuffer();
    throw new SwiftHttpError(response.status, 'auth');
  }
  const body = (await response.json()) as { token?: { catalog?: CatalogEntry[] } };
  const wanted = auth.interface ?? 'public';
  const endpoints = (body.token?.catalog ?? [])
    .filter((entry) => entry.type === 'object-store')
    .flatMap((entry) => entry.endpoints ?? [])
    .filter((endpoint) => (endpoint.interface ?? 'public') === wanted)
    .filter((endpoint) => auth.region === undefined || (endpoint.region ?? endpoint.region_id) === auth.region);
  const storageUrl = endpoints[0]?.url;
  if (storageUrl === undefined) {
    const where = auth.region === undefined ? '' : ` in region ${JSON.stringify(auth.region)}`;
    throw new StateStoreError(
      'NotFound',
      `swift: the Keystone catalog has no ${wanted} object-store endpoint${where}`,
      {
        backend: 'swift',
      },
    );
  }
  return { storageUrl: storageUrl.replace(/\/+$/, ''), token };
}

/** The `auth` object of a Keystone v3 token request, as gophercloud builds it. */
function keystoneBody(auth: SwiftKeystoneAuth): Record<string, unknown> {
  const domain =
    auth.domainId !== undefined
      ? { id: auth.domainId }
      : auth.domainName !== undefined
        ? { name: auth.domainName }
        : undefined;
  const user =
    auth.userId !== undefined
      ? { id: auth.userId }
      : { name: auth.username, ...(domain === undefined ? {} : { domain }) };
  if (auth.applicationCredentialSecret !== undefined) {
    // An application credential carries its own scope: sending one is refused.
    const credential =
      auth.applicationCredentialId !== undefined
        ? { id: auth.applicationCredentialId, secret: auth.applicationCredentialSecret }
        : { name: auth.applicationCredentialName, secret: auth.applicationCredentialSecret, user };
    return { identity: { methods: ['application_credential'], application_credential: credential } };
  }
  const identity = { methods: ['password'], password: { user: { ...user, password: auth.password } } };
  const project =
    auth.projectId !== undefined
      ? { id: auth.projectId }
      : auth.projectName !== undefined
        ? { name: auth.projectName, ...(domain === undefined ? {} : { domain }) }
        : undefined;
  return project === undefined ? { identity } : { identity, scope: { project } };
}
