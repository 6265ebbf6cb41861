/**
 * A thin HTTP front (on 127.0.0.1) over the firebase-tools Storage emulator that adds what the
 * emulator lacks for the GCS JSON API, reproducing Google Cloud Storage's documented behaviour:
 *
 * - Generation preconditions. `ifGenerationMatch=N` on an upload (multipart, media or resumable:
 *   checked at initiation and again on every chunk PUT, so also at finalisation), a delete, a
 *   rewrite's destination, or a read: if the live object's generation is not N, the answer is
 *   HTTP 412 `{"error":{"code":412,"errors":[{"reason":"conditionNotMet",...}]}}`. `ifGenerationMatch=0`
 *   means "no live object": it fails with the same 412 when the object exists (GCS does not answer 409).
 *   `ifSourceGenerationMatch` on a rewrite is checked the same way against the source.
 * - Reads pinned to a generation (`generation=N` on GET): 404 when the live object is not at N
 *   (no object versioning, as on a bucket without it).
 * - Bucket create, `POST /storage/v1/b?project=P` `{"name":...}`: 200 with the bucket resource
 *   (the emulator creates buckets implicitly on first use; this only makes the SDK call succeed).
 * - Bucket get, `GET /storage/v1/b/B`: the bucket resource as GCS answers it for a bucket with
 *   neither object versioning nor a default KMS key (both fields absent).
 * - Rewrite at the SDK's path `/storage/v1/b/B/o/O/rewriteTo/b/B2/o/O2`: routed to the emulator's
 *   rewrite, whose answer is GCS's `{"kind":"storage#rewriteResponse","done":true,"resource":{...}}`.
 * - Listing (`GET /storage/v1/b/B/o`): `maxResults` counts objects AND common prefixes together, in
 *   name order, with an opaque `nextPageToken` (the emulator pages objects only and returns every
 *   prefix on each page). Served here from the emulator's full listing.
 * - Unique generations: the emulator stamps `generation = Date.now()`, so two writes to one object in
 *   the same millisecond would share a generation and break compare-and-swap. Writes to an object
 *   are therefore held until the clock has passed that object's last generation.
 *
 * Every mutating request and every conditional request is serialised per object (bucket + name),
 * check and write under one lock, so racing writers race for real and exactly one wins.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';

interface Target {
  bucket: string;
  name: string;
}

const conditionNotMet = JSON.stringify({
  error: {
    code: 412,
    message: 'At least one of the pre-conditions you specified did not hold.',
    errors: [
      {
        message: 'At least one of the pre-conditions you specified did not hold.',
        domain: 'global',
        reason: 'conditionNotMet',
        locationType: 'header',
        location: 'If-Match',
      },
    ],
  },
});

/** How the front is reached. */
export interface FrontOptions {
  /**
   * Clients reach the front through a TLS proxy (test/servers/tls-proxy.ts): a resumable upload's
   * session URL (the `Location` answer, which the emulator builds as http:// to the front itself,
   * and which is always given at the host the client asked, as GCS gives its own) is https://.
   */
  behindTls?: boolean;
}

/** Starts the front; resolves once it listens on a random port. */
export async function startFront(backendPort: number, options: FrontOptions = {}): Promise<http.Server> {
  const locks = new Map<string, Promise<void>>();
  const lastGeneration = new Map<string, number>();
  const uploads = new Map<string, { target: Target; ifGenerationMatch?: string }>();

  /** Runs `task` after every earlier task on the same object. */
  function serialise<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    locks.set(key, tail);
    void tail.then(() => {
      if (locks.get(key) === tail) locks.delete(key);
    });
    return run;
  }

  async function liveGeneration(target: Target): Promise<string | undefined> {
    const response = await fetch(
      `http://127.0.0.1:${backendPort}/storage/v1/b/${encodeURIComponent(target.bucket)}/o/${encodeURIComponent(target.name)}`,
    );
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new Error(`emulator metadata GET: HTTP ${response.status} ${(await response.text()).slice(0, 1500)}`);
    const body = (await response.json()) as { generation?: string | number };
    return body.generation === undefined ? undefined : String(body.generation);
  }

  /** Whether `condition` (a generation, "0" for absent) holds now. */
  async function holds(target: Target, condition: string | undefined): Promise<boolean> {
    if (condition === undefined) return true;
    const live = await liveGeneration(target);
    return condition === '0' ? live === undefined : live === condition;
  }

  async function waitForFreshGeneration(target: Target): Promise<void> {
    const key = `${target.bucket}/${target.name}`;
    const live = Number((await liveGeneration(target)) ?? 0);
    const last = Math.max(live, lastGeneration.get(key) ?? 0);
    while (Date.now() <= last) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body?: Buffer,
    onJson?: (json: Record<string, unknown>) => void,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        { host: '127.0.0.1', port: backendPort, method: req.method, path, headers: req.headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const payload = Buffer.concat(chunks);
            if (
              onJson !== undefined &&
              (response.statusCode ?? 500) < 300 &&
              String(response.headers['content-type'] ?? '').includes('json')
            ) {
              try {
                onJson(JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
              } catch {
                // Not JSON after all: nothing to learn from it.
              }
            }
            const location = response.headers.location;
            if (location !== undefined && req.headers.host !== undefined) {
              // At the host the client asked, as GCS answers: through a proxy (the suite's
              // connection counter, a TLS proxy) the upload's later requests pass it too.
              const session = new URL(location);
              const scheme = options.behindTls === true ? 'https' : 'http';
              response.headers.location = `${scheme}://${req.headers.host}${session.pathname}${session.search}`;
            }
            res.writeHead(response.statusCode ?? 500, response.headers);
            res.end(payload);
            resolve();
          });
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      if (body !== undefined) upstream.end(body);
      else req.pipe(upstream);
    });
  }

  function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  function fail412(res: ServerResponse): void {
    res.writeHead(412, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(conditionNotMet);
  }

  function remember(target: Target): (json: Record<string, unknown>) => void {
    return (json) => {
      const resource = (json.resource ?? json) as { generation?: string | number };
      if (resource.generation !== undefined)
        lastGeneration.set(`${target.bucket}/${target.name}`, Number(resource.generation));
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://front');
    const query = url.searchParams;
    const method = req.method ?? 'GET';
    const segments = url.pathname
      .split('/')
      .slice(1)
      .map((segment) => decodeURIComponent(segment));

    // Bucket insert.
    if (method === 'POST' && url.pathname === '/storage/v1/b') {
      const { name } = JSON.parse((await readBody(req)).toString('utf8') || '{}') as { name?: string };
      await fetch(`http://127.0.0.1:${backendPort}/storage/v1/b/${encodeURIComponent(name ?? '')}/o`);
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(bucketResource(name ?? '')));
      return;
    }

    // Bucket get.
    if (method === 'GET' && segments[0] === 'storage' && segments[2] === 'b' && segments.length === 4) {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(bucketResource(segments[3]!)));
      return;
    }

    // Rewrite: /storage/v1/b/B/o/O/rewriteTo/b/B2/o/O2
    if (method === 'POST' && segments[0] === 'storage' && segments[6] === 'rewriteTo' && segments.length === 11) {
      const source: Target = { bucket: segments[3]!, name: segments[5]! };
      const destination: Target = { bucket: segments[8]!, name: segments[10]! };
      const body = await readBody(req);
      await serialise(`${destination.bucket}/${destination.name}`, async () => {
        if (!(await holds(destination, query.get('ifGenerationMatch') ?? undefined))) return fail412(res);
        if (!(await holds(source, query.get('ifSourceGenerationMatch') ?? undefined))) return fail412(res);
        await waitForFreshGeneration(destination);
        await forward(
          req,
          res,
          `${url.pathname.replace(/^\/storage\/v1/, '')}${url.search}`,
          body,
          remember(destination),
        );
      });
      return;
    }

    // Uploads: /upload/storage/v1/b/B/o
    if (
      segments[0] === 'upload' &&
      segments[5] === 'o' &&
      segments.length === 6 &&
      (method === 'POST' || method === 'PUT')
    ) {
      const bucket = segments[4]!;
      const uploadId = query.get('upload_id');
      const body = await readBody(req);
      if (method === 'PUT' || uploadId !== null) {
        const upload = uploadId === null ? undefined : uploads.get(uploadId);
        if (upload === undefined) return forward(req, res, `${url.pathname}${url.search}`, body);
        await serialise(`${upload.target.bucket}/${upload.target.name}`, async () => {
          if (!(await holds(upload.target, upload.ifGenerationMatch))) return fail412(res);
          await waitForFreshGeneration(upload.target);
          await forward(req, res, `${url.pathname}${url.search}`, body, remember(upload.target));
        });
        return;
      }
      const name = query.get('name') ?? nameFromBody(body);
      if (name === undefined) return forward(req, res, `${url.pathname}${url.search}`, body);
      const target: Target = { bucket, name };
      const condition = query.get('ifGenerationMatch') ?? undefined;
      const resumable = (query.get('uploadType') ?? req.headers['x-goog-upload-protocol']) === 'resumable';
      await serialise(`${bucket}/${name}`, async () => {
        if (!(await holds(target, condition))) return fail412(res);
        if (resumable) {
          await forward(req, res, `${url.pathname}${url.search}`, body);
          const location = res.getHeader('location');
          const id = typeof location === 'string' ? new URL(location).searchParams.get('upload_id') : null;
          if (id !== null)
            uploads.set(id, { target, ...(condition === undefined ? {} : { ifGenerationMatch: condition }) });
          return;
        }
        await waitForFreshGeneration(target);
        await forward(req, res, `${url.pathname}${url.search}`, body, remember(target));
      });
      return;
    }

    // Listing: /storage/v1/b/B/o
    if (method === 'GET' && segments[0] === 'storage' && segments[4] === 'o' && segments.length === 5) {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(await list(segments[3]!, query)));
      return;
    }

    // Object get / delete: /storage/v1/b/B/o/O (and /download/storage/v1/...)
    const base = segments[0] === 'download' ? 1 : 0;
    if (
      segments[base] === 'storage' &&
      segments[base + 4] === 'o' &&
      segments.length === base + 6 &&
      (method === 'GET' || method === 'DELETE')
    ) {
      const target: Target = { bucket: segments[base + 3]!, name: segments[base + 5]! };
      const condition = query.get('ifGenerationMatch') ?? undefined;
      const pinned = query.get('generation');
      if (method === 'GET' && condition === undefined && pinned === null)
        return forward(req, res, `${url.pathname}${url.search}`);
      await serialise(`${target.bucket}/${target.name}`, async () => {
        if (!(await holds(target, condition))) return fail412(res);
        if (pinned !== null && (await liveGeneration(target)) !== pinned) {
          res.writeHead(404, { 'content-type': 'application/json; charset=UTF-8' });
          res.end(
            JSON.stringify({
              error: {
                code: 404,
                message: `No such object: ${target.bucket}/${target.name}`,
                errors: [{ domain: 'global', reason: 'notFound' }],
              },
            }),
          );
          return;
        }
        await forward(req, res, `${url.pathname}${url.search}`);
      });
      return;
    }

    await forward(req, res, `${url.pathname}${url.search}`);
  }

  async function list(bucket: string, query: URLSearchParams): Promise<Record<string, unknown>> {
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const maxResults = Number(query.get('maxResults') ?? 1000);
    const after =
      query.get('pageToken') === null ? undefined : Buffer.from(query.get('pageToken')!, 'base64url').toString('utf8');
    const items: Array<{ name: string }> = [];
    let token: string | undefined;
    do {
      const page = new URL(`http://127.0.0.1:${backendPort}/storage/v1/b/${encodeURIComponent(bucket)}/o`);
      page.searchParams.set('prefix', prefix);
      if (token !== undefined) page.searchParams.set('pageToken', token);
      const body = (await (await fetch(page)).json()) as { items?: Array<{ name: string }>; nextPageToken?: string };
      items.push(...(body.items ?? []));
      token = body.nextPageToken;
    } while (token !== undefined && token !== '');
    const entries = new Map<string, { name: string; item?: { name: string } }>();
    for (const item of items) {
      const cut = delimiter === '' ? -1 : item.name.indexOf(delimiter, prefix.length);
      if (cut < 0) entries.set(item.name, { name: item.name, item });
      else {
        const rolled = item.name.slice(0, cut + delimiter.length);
        entries.set(rolled, { name: rolled });
      }
    }
    const ordered = [...entries.values()]
      .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
      .filter((entry) => after === undefined || Buffer.compare(Buffer.from(entry.name), Buffer.from(after)) > 0);
    const page = ordered.slice(0, maxResults);
    const more = ordered.length > page.length && page.length > 0;
    return {
      kind: 'storage#objects',
      items: page.flatMap((entry) => (entry.item === undefined ? [] : [entry.item])),
      prefixes: page.flatMap((entry) => (entry.item === undefined ? [entry.name] : [])),
      ...(more ? { nextPageToken: Buffer.from(page[page.length - 1]!.name).toString('base64url') } : {}),
    };
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`front: ${String(err)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The object name from a multipart upload's JSON metadata part. */
function nameFromBody(body: Buffer): string | undefined {
  const head = body.subarray(0, 64 * 1024).toString('utf8');
  const start = head.indexOf('{');
  if (start < 0) return undefined;
  for (let end = head.indexOf('}', start); end > 0; end = head.indexOf('}', end + 1)) {
    try {
      const name = (JSON.parse(head.slice(start, end + 1)) as { name?: unknown }).name;
      return typeof name === 'string' ? name : undefined;
    } catch {
      // Not yet a complete JSON object: try the next closing brace.
    }
  }
  return undefined;
}

/** The bucket resource this front answers with: no versioning, no default KMS key. */
function bucketResource(name: string): Record<string, string> {
  return { kind: 'storage#bucket', id: name, name, projectNumber: '0', location: 'US', storageClass: 'STANDARD' };
}
