import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { authenticate, type SwiftSession } from './auth.js';
import { withRetry, type RetryPolicy } from '../../vfs/retry.js';
import { networkErrorCode } from '../common/http-errors.js';
import { PROXY_REFUSED } from '../s3/errors.js';
import { SwiftHttpError } from './errors.js';
import { SwiftTransport } from './http.js';
import type { SwiftAuth } from './types.js';
import { putStream } from './upload.js';

/**
 * Failures worth another attempt: the service was busy or failing, or the connection broke (to
 * Swift or to the proxy); a proxy that could not reach Swift (its 5xx to CONNECT), or whose tunnel
 * did not open in time. A proxy's 407 or 403 would be refused again.
 */
function transient(err: unknown): boolean {
  if (err instanceof SwiftHttpError) return err.status >= 500 || err.status === 408 || err.status === 429;
  const shape = err as { name?: unknown; proxyStatus?: unknown; proxy?: unknown } | undefined;
  if (shape?.name === PROXY_REFUSED) return typeof shape.proxyStatus === 'number' && shape.proxyStatus >= 500;
  if (shape?.name === 'TimeoutError' && typeof shape.proxy === 'string') return true;
  return networkErrorCode(err) !== undefined;
}

/** One request to the Swift account, relative to the storage URL. */
export interface SwiftRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'DELETE';
  /** Already-encoded path below the storage URL, starting with `/`. */
  path: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  /** The whole body (streams go through {@link SwiftClient.putStream}). */
  body?: Uint8Array;
  signal?: AbortSignal;
  /** Statuses that are answers, not failures (e.g. 404 on DELETE). Default: 2xx only. */
  accept?: readonly number[];
  /** What a failure is about, for its message: the object (default) or the container. */
  target?: 'object' | 'container';
}

/**
 * The authenticated HTTP side of the driver: one token per store, obtained on first use, and
 * renewed once when Swift refuses it (tokens expire; kops sets gophercloud's AllowReauth).
 */
export class SwiftClient {
  private session: Promise<SwiftSession> | undefined;

  constructor(
    private readonly auth: SwiftAuth,
    private readonly retry: RetryPolicy = {},
    /** Direct, or through the proxy of the store's environment (http.ts). */
    private readonly transport: SwiftTransport = new SwiftTransport(undefined),
  ) {}

  /** Closes the connections kept to a proxy (requests without one use fetch's own pool). */
  close(): void {
    this.transport.close();
  }

  /**
   * Who this client acts as, without secrets: the auth URL and user (or a digest of a given
   * token). Two stores with equal identities may copy between each other inside Swift.
   */
  identity(): string {
    const auth = this.auth;
    switch (auth.kind) {
      case 'v1':
        return `v1|${auth.authUrl}|${auth.user}`;
      case 'keystone':
        return [
          'keystone',
          auth.authUrl,
          auth.userId ?? auth.username ?? '',
          auth.applicationCredentialId ?? auth.applicationCredentialName ?? '',
          auth.projectId ?? auth.projectName ?? '',
          auth.domainId ?? auth.domainName ?? '',
          auth.region ?? '',
        ].join('|');
      case 'token':
        return `token|${auth.storageUrl}|${createHash('sha256').update(auth.token).digest('hex').slice(0, 16)}`;
    }
  }

  /**
   * Sends a request; throws {@link SwiftHttpError} for a status not accepted. A 5xx, 408, 429 or a
   * connection that failed is retried under the store's retry policy (every body here is bytes,
   * so it can be sent again; streamed PUTs go through {@link SwiftClient.putStream}, never retried).
   */
  send(request: SwiftRequest): Promise<Response> {
    return withRetry(() => this.sendOnce(request), {
      ...this.retry,
      signal: request.signal,
      shouldRetry: (err) => request.signal?.aborted !== true && transient(err),
    });
  }

  private async sendOnce(request: SwiftRequest): Promise<Response> {
    let session = await this.currentSession(request.signal);
    let response = await this.fetchWith(session, request);
    if (response.status === 401 && this.auth.kind !== 'token') {
      await response.arrayBuffer();
      this.session = undefined;
      session = await this.currentSession(request.signal);
      response = await this.fetchWith(session, request);
    }
    if (response.ok || request.accept?.includes(response.status) === true) return response;
    await response.arrayBuffer().catch(() => undefined);
    throw new SwiftHttpError(response.status, request.target ?? 'object');
  }

  /**
   * PUTs a stream (see {@link putStream}). Swift refuses a stale token before the body is sent
   * (`Expect: 100-continue`), so that refusal is retried once with a new token.
   */
  async putStream(
    path: string,
    headers: Record<string, string>,
    body: Readable | AsyncIterable<Uint8Array>,
    seen: (chunk: Uint8Array) => void,
    signal?: AbortSignal,
  ): Promise<Headers> {
    let sent = false;
    const watch = (chunk: Uint8Array) => {
      sent = true;
      seen(chunk);
    };
    for (let attempt = 1; ; attempt++) {
      const session = await this.currentSession(signal);
      const url = `${session.storageUrl}${path}`;
      try {
        return await putStream({
          url,
          headers: { ...headers, 'X-Auth-Token': session.token },
          body,
          seen: watch,
          signal,
          transport: this.transport,
        });
      } catch (err) {
        const refused = err instanceof SwiftHttpError && err.status === 401 && this.auth.kind !== 'token';
        if (!refused || sent || attempt > 1) throw err;
        this.session = undefined;
      }
    }
  }

  private currentSession(signal: AbortSignal | undefined): Promise<SwiftSession> {
    if (this.session === undefined) {
      const pending = authenticate(this.auth, this.transport, signal);
      this.session = pending;
      // A failed authentication is not kept: the next call tries again.
      pending.catch(() => {
        if (this.session === pending) this.session = undefined;
      });
    }
    return this.session;
  }

  private fetchWith(session: SwiftSession, request: SwiftRequest): Promise<Response> {
    const query = Object.entries(request.query ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    );
    const search = query.length === 0 ? '' : `?${new URLSearchParams(query).toString()}`;
    return this.transport.fetch(`${session.storageUrl}${request.path}${search}`, {
      method: request.method,
      headers: { ...request.headers, 'X-Auth-Token': session.token },
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: request.signal,
    });
  }
}
