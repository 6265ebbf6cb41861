import { REQUESTS_ENV } from '../../src/backends/s3/direct/index.js';

/** The S3 request paths a test runs through: the direct one on its own wire, on Node's http, and the SDK. */
export const S3_REQUEST_MODES = ['direct', 'http', 'sdk'] as const;

/**
 * Runs `body` with STATESTORE_S3_REQUESTS set to `mode` (`direct`: unset), then `cleanup` (closing
 * the stores `body` opened, which read the variable when they made their requests' path), then
 * restores the variable.
 *
 * @example
 * ```ts
 * await withS3Requests('sdk', async () => roundTrip(await store()), () => closeAll());
 * ```
 */
export async function withS3Requests<T>(
  mode: string,
  body: () => Promise<T>,
  cleanup: () => Promise<unknown>,
): Promise<T> {
  const before = process.env[REQUESTS_ENV];
  if (mode === 'direct') delete process.env[REQUESTS_ENV];
  else process.env[REQUESTS_ENV] = mode;
  try {
    return await body();
  } finally {
    await cleanup();
    if (before === undefined) delete process.env[REQUESTS_ENV];
    else process.env[REQUESTS_ENV] = before;
  }
}
