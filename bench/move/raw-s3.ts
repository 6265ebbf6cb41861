/**
 * The same requests as the ceiling rows, without the AWS SDK: SigV4 signed here (the signing key
 * derived once), sent with Node's http on a keep-alive agent, the answer's status checked and its
 * body drained. What a request costs the client when nothing but the request is done: the figure
 * that says how much of a move's CPU per object is the SDK's stack (issue #29: "whether the hot
 * path needs the SDK's full stack").
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import pLimit from 'p-limit';
import type { Measure } from './report.js';
import type { SeededFile } from './shapes.js';
import type { Server } from './tools.js';

const REGION = 'us-east-1';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** RFC 3986 encoding of one path segment, as SigV4 wants it for S3 (the segment's `/` kept apart). */
const encodeSegment = (segment: string): string =>
  encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A signer for one server: the signing key of the day derived once. */
function signer(server: Server) {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const scope = `${day}/${REGION}/s3/aws4_request`;
  let key: Buffer = createHmac('sha256', `AWS4${server.credentials.secretAccessKey}`).update(day).digest();
  for (const part of [REGION, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const host = new URL(server.endpoint).host;
  return (method: string, path: string, headers: Record<string, string>, query = ''): Record<string, string> => {
    const amzDate = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
    const all: Record<string, string> = { ...headers, host, 'x-amz-date': amzDate };
    all['x-amz-content-sha256'] ??= 'UNSIGNED-PAYLOAD';
    const names = Object.keys(all)
      .map((name) => name.toLowerCase())
      .sort();
    const lower = Object.fromEntries(Object.entries(all).map(([name, value]) => [name.toLowerCase(), value]));
    const canonical = [
      method,
      path,
      query,
      ...names.map((name) => `${name}:${lower[name]!.trim()}`),
      '',
      names.join(';'),
      lower['x-amz-content-sha256'],
    ].join('\n');
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', key).update(toSign).digest('hex');
    return {
      ...all,
      authorization: `AWS4-HMAC-SHA256 Credential=${server.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
    };
  };
}

/** Sends one request; resolves with the body, rejects on a status other than 200. */
function send(
  agent: http.Agent,
  endpoint: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, host: endpoint.hostname, port: endpoint.port, method, path, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const answer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          if (response.statusCode === 200) resolve(answer);
          else reject(new Error(`${method} ${path}: ${response.statusCode} ${answer.toString().slice(0, 200)}`));
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const pathOf = (bucket: string, key: string) => `/${bucket}/${key.split('/').map(encodeSegment).join('/')}`;

/** Runs `request` for each item, 64 in flight on one keep-alive agent; timed in-process (CPU: this process's). */
async function inFlight64<T>(
  server: Server,
  items: readonly T[],
  request: (
    item: T,
    send: (method: string, path: string, headers: Record<string, string>, body?: Buffer) => Promise<Buffer>,
  ) => Promise<void>,
): Promise<Measure> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const endpoint = new URL(server.endpoint);
  const sign = signer(server);
  const limit = pLimit(64);
  const signed = (method: string, path: string, headers: Record<string, string>, body?: Buffer) =>
    send(agent, endpoint, method, path, sign(method, path, headers), body);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    await Promise.all(items.map((item) => limit(() => request(item, signed))));
  } finally {
    agent.destroy();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Every file copied bucket to bucket without the SDK, 64 at a time: CopyObject, or (`getPut`)
 * GetObject and PutObject with `If-None-Match: *`. Timed in-process (CPU: this process's).
 */
export function rawCeiling(server: Server, files: SeededFile[], prefix: string, getPut: boolean): Promise<Measure> {
  return inFlight64(server, files, async (file, signed) => {
    const to = pathOf('dst', `${prefix}/${file.key}`);
    const from = pathOf('src', file.key);
    if (!getPut) {
      await signed('PUT', to, { 'x-amz-copy-source': from });
      return;
    }
    const body = await signed('GET', from, { 'x-amz-content-sha256': EMPTY_SHA256 });
    await signed('PUT', to, { 'if-none-match': '*', 'content-length': String(body.byteLength) }, body);
  });
}

/** One kind of bare request, for what each costs the server and the client (run.ts's request rows). */
export type RequestKind = 'copy' | 'get' | 'put-if-none-match';

/**
 * One request of `kind` per key, 64 in flight, without the SDK: CopyObject `src/<key>` ->
 * `dst/<prefix>/<key>`, GetObject of `src/<key>`, or PutObject of `body` to `dst/<prefix>/<key>`
 * with `If-None-Match: *` (a create, as statestore writes a cluster's config).
 */
export function rawRequests(
  server: Server,
  kind: RequestKind,
  keys: readonly string[],
  prefix: string,
  body = Buffer.alloc(0),
): Promise<Measure> {
  return inFlight64(server, keys, async (key, signed) => {
    const to = pathOf('dst', `${prefix}/${key}`);
    const from = pathOf('src', key);
    if (kind === 'copy') await signed('PUT', to, { 'x-amz-copy-source': from });
    else if (kind === 'get') await signed('GET', from, { 'x-amz-content-sha256': EMPTY_SHA256 });
    else await signed('PUT', to, { 'if-none-match': '*', 'content-length': String(body.byteLength) }, body);
  });
}

/**
 * Lists `src/<prefix>/` whole, 1,000 keys a page, without the SDK: each page's keys, sizes and
 * ETags taken from the XML by a scan of its tags. What a rerun's listing costs the client when
 * only the listing is done.
 */
export async function rawList(server: Server, prefix: string): Promise<Measure & { keys: number }> {
  const agent = new http.Agent({ keepAlive: true });
  const endpoint = new URL(server.endpoint);
  const sign = signer(server);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let keys = 0;
  let token: string | undefined;
  try {
    do {
      const query = [
        ...(token === undefined ? [] : [`continuation-token=${encodeSegment(token)}`]),
        'list-type=2',
        `prefix=${encodeSegment(`${prefix}/`)}`,
      ].join('&');
      const headers = sign('GET', '/src', { 'x-amz-content-sha256': EMPTY_SHA256 }, query);
      const xml = (await send(agent, endpoint, 'GET', `/src?${query}`, headers)).toString('utf8');
      for (const match of xml.matchAll(/<Contents>.*?<Key>(.*?)<\/Key>.*?<ETag>(.*?)<\/ETag>.*?<Size>(\d+)<\/Size>/gs))
        if (match[1] !== undefined && match[2] !== undefined && Number(match[3]) >= 0) keys += 1;
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
        ? /<NextContinuationToken>(.*?)<\/NextContinuationToken>/.exec(xml)?.[1]
        : undefined;
    } while (token !== undefined);
  } finally {
    agent.destroy();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6, keys };
}
