/** Options of the OpenStack Swift backend (`swift://container/prefix`). */

/**
 * Keystone v3 credentials, as kops reads them from `OS_*` (gophercloud's `AuthOptionsFromEnv`):
 * a user and password scoped to a project, or an application credential. Never printed.
 */
export interface SwiftKeystoneAuth {
  /** Selects Keystone v3. */
  kind: 'keystone';
  /** `OS_AUTH_URL`, e.g. `https://keystone.example.com:5000/v3` (`/v3` is added when missing). */
  authUrl: string;
  /** `OS_USERNAME` (or `userId`, `OS_USERID`). */
  username?: string;
  /** `OS_USERID`: the user by id instead of name. */
  userId?: string;
  /** `OS_PASSWORD`. */
  password?: string;
  /** `OS_PROJECT_NAME` / `OS_TENANT_NAME`, or `OS_PROJECT_ID` / `OS_TENANT_ID`. */
  projectName?: string;
  /** `OS_PROJECT_ID` / `OS_TENANT_ID`: the project by id. */
  projectId?: string;
  /** `OS_DOMAIN_NAME` / `OS_DOMAIN_ID`: the domain of the user and of the project, as in gophercloud. */
  domainName?: string;
  /** `OS_DOMAIN_ID`: the domain by id. */
  domainId?: string;
  /** `OS_APPLICATION_CREDENTIAL_ID`, or `..._NAME` with a username; with `..._SECRET`. */
  applicationCredentialId?: string;
  /** `OS_APPLICATION_CREDENTIAL_NAME` (with `username`): the application credential by name. */
  applicationCredentialName?: string;
  /** `OS_APPLICATION_CREDENTIAL_SECRET`. */
  applicationCredentialSecret?: string;
  /** `OS_REGION_NAME`: the region of the object-store endpoint in the catalog. Default: the first. */
  region?: string;
  /** Endpoint interface in the catalog. Default `public`. */
  interface?: 'public' | 'internal' | 'admin';
}

/** Swift's own v1 auth (tempauth, swauth): `ST_AUTH`, `ST_USER` (`account:user`), `ST_KEY`. Never printed. */
export interface SwiftV1Auth {
  /** Selects Swift v1 auth. */
  kind: 'v1';
  /** `ST_AUTH`: the auth endpoint, e.g. `http://127.0.0.1:8080/auth/v1.0`. */
  authUrl: string;
  /** `ST_USER`: `account:user`. */
  user: string;
  /** `ST_KEY`: the user's key. */
  key: string;
}

/** A storage URL and token obtained elsewhere (`OS_STORAGE_URL`, `OS_AUTH_TOKEN`); not renewed. */
export interface SwiftPreAuth {
  /** Selects a ready token. */
  kind: 'token';
  /** `OS_STORAGE_URL`: the account's storage URL. */
  storageUrl: string;
  /** `OS_AUTH_TOKEN`. */
  token: string;
}

/** One of the ways to reach a Swift account. */
export type SwiftAuth = SwiftKeystoneAuth | SwiftV1Auth | SwiftPreAuth;

/**
 * Per-store options of the Swift backend. Without `auth`, it is read from the environment
 * (`options.env ?? process.env`): the `OS_*` variables kops reads (Keystone v3), else
 * `ST_AUTH`/`ST_USER`/`ST_KEY` (Swift v1 auth), else `OS_STORAGE_URL`/`OS_AUTH_TOKEN`.
 */
export interface SwiftBackendOptions {
  /** Credentials; default: read from the environment as described above. */
  auth?: SwiftAuth;
  /**
   * Swift checks `If-None-Match: *` when a PUT arrives, without a lock: of several creators racing
   * for one absent key, more than one can succeed (measured on Swift 2.30: 20 racing PUTs, several
   * 201s), the last one's bytes winning. So by default (`refuse`) the backend does not claim
   * create-if-absent and `ifNoneMatch` is refused with Unsupported before any I/O. `best-effort`
   * claims it anyway, as kops's swiftfs `CreateFile` does (a check, then a write, under a
   * process-wide lock): a key that exists when the write arrives is refused with AlreadyExists,
   * racing creators in one process run one at a time (exactly one wins), but creators in
   * different processes may both succeed, the later write winning.
   */
  createIfAbsent?: 'refuse' | 'best-effort';
}
