/**
 * Starts s3rver 3.7.1 (npm) on 127.0.0.1 with random ports, in a child process run with
 * `node --openssl-legacy-provider` (s3rver's list continuation tokens use DES), with the
 * compatibility layer of `s3rver-middleware.ts` in front of it. One server per test file.
 *
 * @example
 * ```ts
 * const server = await startS3rver({ buckets: ['state'] });
 * const vfs = await openVfs('s3://state/prefix', { s3: server.options });
 * await server.stop();
 * ```
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../helpers/repo-root.js';
import { stopChild, waitForLine } from './child.js';
import { nodeEntry } from './node-entry.js';
import type { Fault, RecordedRequest } from './s3rver-middleware.js';
import type { DialectSwitches } from './s3rver-dialect.js';
import type { ChecksumAnswer } from './s3rver-checksums.js';

export type { Fault, RecordedRequest } from './s3rver-middleware.js';
export type { DialectSwitches } from './s3rver-dialect.js';
export type { ChecksumAnswer } from './s3rver-checksums.js';

/** The access key s3rver always knows. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Options of {@link startS3rver}. */
export interface StartS3rverOptions {
  /** Buckets to create; a region makes the bucket answer like an AWS bucket in that region. */
  buckets: Array<string | { name: string; region?: string }>;
  /** More key pairs to accept besides {@link S3RVER_CREDENTIALS}. */
  accounts?: Array<{ accessKeyId: string; secretAccessKey: string }>;
  /** How many ports to listen on (same store behind each). Default 1. */
  listeners?: number;
  /**
   * Read every request as path-style, whatever host it names (s3rver otherwise takes a Host that is
   * no IP and not `localhost` for a bucket name): for endpoints named other than 127.0.0.1.
   */
  pathStyleOnly?: boolean;
}

/** A running server. */
export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` of the first listener. */
  endpoint: string;
  /** Every listener's endpoint. */
  endpoints: string[];
  /** Requests received so far, oldest first (signatures redacted). */
  requests(): Promise<RecordedRequest[]>;
  clearRequests(): Promise<void>;
  /** Makes the next `fault.times` matching requests fail with the given S3 error. */
  injectFault(fault: Fault): Promise<void>;
  clearFaults(): Promise<void>;
  /** Makes conditional requests behave as another server's do (see s3rver-dialect.ts); `undefined` resets to AWS. */
  setDialect(switches: Partial<DialectSwitches> | undefined): Promise<void>;
  /** Flips the first stored byte of an object, keeping its size, ETag and stored checksum. */
  corrupt(bucket: string, key: string): Promise<void>;
  /** Which stored checksum GetObject and HeadObject answer with (`crc32` at start; see s3rver-checksums.ts). */
  setChecksumAnswer(answer: ChecksumAnswer): Promise<void>;
  stop(): Promise<void>;
}

const ROOT = REPO_ROOT;

/** Starts the server; resolves once it listens. */
export async function startS3rver(options: StartS3rverOptions): Promise<S3rverHandle> {
  const config = {
    buckets: options.buckets.map((bucket) => (typeof bucket === 'string' ? { name: bucket } : bucket)),
    accounts: options.accounts ?? [],
    listeners: options.listeners ?? 1,
    ...(options.pathStyleOnly === true ? { vhostBuckets: false } : {}),
  };
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--no-warnings', ...nodeEntry('test/servers/s3rver-child.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, S3RVER_CONFIG: JSON.stringify(config) },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const ports = await waitForLine(child, 's3rver', (line) => {
    try {
      return (JSON.parse(line) as { ports: number[] }).ports;
    } catch {
      throw new Error(`s3rver printed ${line}`);
    }
  });
  const endpoints = ports.map((port) => `http://127.0.0.1:${port}`);
  const endpoint = endpoints[0]!;
  const control = async (method: string, what: string, body?: unknown): Promise<Response> => {
    const response = await fetch(`${endpoint}/__s3rver/${what}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`s3rver control ${method} ${what}: HTTP ${response.status}`);
    return response;
  };
  return {
    endpoint,
    endpoints,
    requests: async () => (await (await control('GET', 'requests')).json()) as RecordedRequest[],
    clearRequests: async () => void (await control('DELETE', 'requests')),
    injectFault: async (fault) => void (await control('POST', 'faults', fault)),
    clearFaults: async () => void (await control('DELETE', 'faults')),
    setDialect: async (switches) =>
      void (await (switches === undefined ? control('DELETE', 'dialect') : control('POST', 'dialect', switches))),
    corrupt: async (bucket, key) => void (await control('POST', 'corrupt', { bucket, key })),
    setChecksumAnswer: async (answer) => void (await control('POST', 'checksum-answer', { answer })),
    stop: () => stopChild(child),
  };
}
