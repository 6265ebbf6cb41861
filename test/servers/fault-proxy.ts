/**
 * A fault-injecting HTTP reverse proxy for the tests, on 127.0.0.1, between an SDK and a real
 * test server (s3rver, Azurite, the GCS emulator). Faults are drawn from a seeded PRNG, so a run
 * is reproducible:
 *
 * - `errorRate`: answer without forwarding, with the status and body the provider uses when it
 *   sheds load (S3 `503 SlowDown`, GCS `503 backendError`, Azure `503 ServerBusy`) or a bare 500.
 *   Nothing reaches the server, so a retry is always safe.
 * - `resetRate`: forward the request, let the server act on it, then cut the connection half-way
 *   through the response body (an empty body: before the headers). The client cannot know whether
 *   the request took effect: the hardest case for conditional writes, as with real networks. The
 *   answer is read whole before the cut, so chunked answers (the GCS emulator's media downloads,
 *   served like GCS's own with `Transfer-Encoding: chunked`) are cut half-way as well.
 * - `dropRate`: destroy the client's socket before forwarding (a connection reset).
 * - `latencyMs`: a random delay up to this before forwarding.
 *
 * `stats` counts what was done; `setEnabled(false)` passes everything through.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../helpers/mulberry32.js';

export type FaultFlavour = 's3' | 'gcs' | 'azure' | 'generic';

export interface FaultOptions {
  target: string;
  seed?: number;
  errorRate?: number;
  resetRate?: number;
  dropRate?: number;
  latencyMs?: number;
  flavour?: FaultFlavour;
  /**
   * Forward the client's own Host header instead of the target's. A server that builds follow-up
   * URLs from it (the GCS emulator's resumable upload sessions) then sends the client back
   * through the proxy, so those requests meet the faults too.
   */
  preserveHost?: boolean;
  /**
   * Called with each answer before it is passed on (its client waits meanwhile): a test runs
   * another client's request here, between the server acting on a request and its client hearing
   * of it, an interleaving no timing could force.
   */
  beforeAnswer?: (request: { method: string; path: string }, answer: http.IncomingMessage) => Promise<void>;
}

/** One request as the proxy received it. */
export interface ProxiedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use as the SDK's endpoint. */
  endpoint: string;
  stats: { requests: number; errors: number; resets: number; drops: number; forwarded: number };
  /** Paths of the requests received, oldest first (query included). */
  paths: string[];
  /** The requests received, oldest first: method, path (query included) and headers (names in lower case). */
  received: ProxiedRequest[];
  setEnabled(enabled: boolean): void;
  stop(): Promise<void>;
}

function shedLoad(flavour: FaultFlavour, random: () => number): { status: number; type: string; body: string } {
  if (random() < 0.25) return { status: 500, type: 'text/plain', body: 'internal error (injected)' };
  switch (flavour) {
    case 's3':
      return {
        status: 503,
        type: 'application/xml',
        body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      };
    case 'gcs':
      return {
        status: 503,
        type: 'application/json',
        body: JSON.stringify({ error: { code: 503, message: 'Backend Error', errors: [{ reason: 'backendError' }] } }),
      };
    case 'azure':
      return {
        status: 503,
        type: 'application/xml',
        body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is busy.</Message></Error>',
      };
    default:
      return { status: 503, type: 'text/plain', body: 'service unavailable (injected)' };
  }
}

export async function startFaultProxy(options: FaultOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = mulberry32(options.seed ?? 1);
  const stats = { requests: 0, errors: 0, resets: 0, drops: 0, forwarded: 0 };
  const paths: string[] = [];
  const received: ProxiedRequest[] = [];
  let enabled = true;

  const server = http.createServer((req, res) => {
    stats.requests += 1;
    paths.push(req.url ?? '');
    received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const roll = random();
    const errorRate = enabled ? (options.errorRate ?? 0) : 0;
    const dropRate = enabled ? (options.dropRate ?? 0) : 0;
    const resetRate = enabled ? (options.resetRate ?? 0) : 0;
    if (roll < errorRate) {
      stats.errors += 1;
      const fault = shedLoad(options.flavour ?? 'generic', random);
      req.resume();
      req.on('end', () => {
        res.writeHead(fault.status, {
          'content-type': fault.type,
          'content-length': Buffer.byteLength(fault.body),
          connection: 'close',
        });
        res.end(fault.body);
      });
      return;
    }
    if (roll < errorRate + dropRate) {
      stats.drops += 1;
      req.socket.destroy();
      return;
    }
    const reset = roll < errorRate + dropRate + resetRate;
    const delay = enabled && options.latencyMs ? random() * options.latencyMs : 0;
    setTimeout(() => forward(req, res, reset), delay);
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, reset: boolean): void {
    stats.forwarded += 1;
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: options.preserveHost ? req.headers : { ...req.headers, host: `${target.hostname}:${target.port}` },
      },
      (answer) => {
        const hook = options.beforeAnswer?.({ method: req.method ?? '', path: req.url ?? '' }, answer);
        if (hook === undefined) pass(answer);
        else
          hook.then(
            () => pass(answer),
            () => res.socket?.destroy(),
          );
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);

    function pass(answer: http.IncomingMessage): void {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (!reset) {
        answer.pipe(res);
        return;
      }
      // The whole answer is read first, so that its length is known whether the server sent a
      // Content-Length or a chunked body (the GCS emulator streams media downloads chunked).
      stats.resets += 1;
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const whole = Buffer.concat(chunks);
        // An empty answer is lost whole (the client sees a reset before any header); otherwise
        // the first half reaches the client before the reset.
        if (whole.byteLength === 0) res.socket?.destroy();
        else res.write(whole.subarray(0, Math.max(1, Math.floor(whole.byteLength / 2))), () => res.socket?.destroy());
      });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    paths,
    received,
    setEnabled: (value) => {
      enabled = value;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
