import { StateStoreError } from '../../errors.js';
import type { StoreUrl } from '../../vfs/url.js';
import type { BackendFactory } from '../factory.js';
import type { OpenVfsOptions } from '../options.js';
import { authFromEnv, checkAuth } from './auth.js';
import { SwiftClient } from './client.js';
import { SwiftTransport } from './http.js';
import { proxySettings } from '../common/proxy-env.js';
import { SwiftDriver } from './driver.js';
import { parseSwiftUrl } from './url.js';
import { redactedCopy, redactInspection } from '../../vfs/redact.js';

export { SwiftDriver } from './driver.js';
export type { SwiftAuth, SwiftBackendOptions, SwiftKeystoneAuth, SwiftPreAuth, SwiftV1Auth } from './types.js';

/** `openVfs` options (the Swift section is `OpenVfsOptions.swift`). */
export type SwiftOpenOptions = OpenVfsOptions;

/**
 * Opens `swift://container/prefix`. Credentials come from `options.swift.auth`, else from the
 * environment as kops reads it (`OS_AUTH_URL`, `OS_USERNAME`, `OS_PASSWORD`, `OS_PROJECT_NAME`,
 * `OS_DOMAIN_NAME`, `OS_APPLICATION_CREDENTIAL_*`, `OS_REGION_NAME`), else Swift v1 auth
 * (`ST_AUTH`, `ST_USER`, `ST_KEY`). Requests go through `HTTPS_PROXY` / `HTTP_PROXY` of the same
 * environment, `NO_PROXY` honoured (./http.ts). Nothing is sent until the first call: a wrong
 * password is Unauthenticated there, a missing container NotFound naming it.
 */
export const swiftBackend: BackendFactory = {
  schemes: ['swift'],
  async open(url: StoreUrl, options: SwiftOpenOptions) {
    const location = parseSwiftUrl(url);
    const env = options.env ?? process.env;
    const auth = options.swift?.auth ?? authFromEnv(env);
    if (auth === undefined) {
      throw new StateStoreError(
        'Unauthenticated',
        `swift: no credentials for ${location.url}: set OS_AUTH_URL with OS_USERNAME/OS_PASSWORD/OS_PROJECT_NAME ` +
          '(or OS_APPLICATION_CREDENTIAL_ID/_SECRET), or ST_AUTH/ST_USER/ST_KEY, or pass options.swift.auth',
        { backend: 'swift' },
      );
    }
    checkAuth(auth);
    // HTTPS_PROXY / HTTP_PROXY / NO_PROXY of the store's environment, as kops's client reads them
    // (Node's fetch reads none): a value that is no http:// proxy URL is refused here.
    const proxies = proxySettings(
      env,
      (why) => new StateStoreError('InvalidArgument', `swift: ${why}`, { backend: 'swift' }),
    );
    const transport = new SwiftTransport(proxies);
    // The client keeps the credentials and, once signed in, the token (#25.5).
    const client = redactInspection(
      new SwiftClient(redactedCopy(auth, 'SwiftAuth'), options.retry, transport),
      'SwiftClient',
    );
    return new SwiftDriver(location, client, {
      retry: options.retry,
      createIfAbsent: options.swift?.createIfAbsent,
    });
  },
};
