/**
 * A front for the tests, on 127.0.0.1, that plays Amazon S3 for a bucket living in another region
 * than the one a request was signed for: no server here (RGW, s3rver) sends AWS's region answers.
 * A request signed for `bucketRegion` (the region in its SigV4 credential scope) goes on to the
 * real server behind (its Host header kept, so the signature still checks there); any other is
 * answered as AWS documents, by `answer`:
 *
 * - `permanent`: 301 PermanentRedirect with `x-amz-bucket-region` (AWS's answer at another
 *   region's endpoint: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html, "301
 *   Moved Permanently, PermanentRedirect"; the header is HeadBucket's,
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html). A HEAD's has no body.
 * - `malformed`: 400 AuthorizationHeaderMalformed, "the region 'X' is wrong; expecting 'Y'", with
 *   the document's `Region` (ErrorResponses.html; what the regions launched after March 20, 2019
 *   answer, https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingRouting.html). A HEAD's
 *   400 has no body: it carries `x-amz-bucket-region`, the only place it can say the region.
 * - `temporary`: 307 TemporaryRedirect with `Location` and the document's `Endpoint`, no region
 *   header (UsingRouting.html "Temporary request redirection": a bucket created in the last 24
 *   hours, asked at another region's endpoint,
 *   https://repost.aws/knowledge-center/s3-http-307-response).
 *
 * `configure(answer, { regionHeader: false })` drops `x-amz-bucket-region` from the 301 and 400
 * (an answer that does not say where the bucket lives: a proxy or gateway that strips the header).
 *
 * The bucket is the first path segment (path-style requests, what the tests send here).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which of AWS's answers the front gives a request signed for another region. */
export type RegionAnswer = 'permanent' | 'malformed' | 'temporary';

/** One request the front received. */
export interface FrontRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** The region of its SigV4 credential scope (undefined: unsigned). */
  signedFor: string | undefined;
  /** Whether it went on to the server (signed for the bucket's region). */
  forwarded: boolean;
}

export interface RegionFront {
  /** `http://127.0.0.1:<port>`: the store's endpoint. */
  endpoint: string;
  /** The requests received, oldest first. */
  received: FrontRequest[];
  /** Changes the answer for the requests from now on (`regionHeader: false`: without the header). */
  configure(answer: RegionAnswer, options?: { regionHeader?: boolean }): void;
  stop(): Promise<void>;
}

/** Starts a front for `target` (the real server) whose buckets live in `bucketRegion`. */
export async function startRegionFront(
  target: string,
  bucketRegion: string,
  answer: RegionAnswer,
): Promise<RegionFront> {
  const backend = new URL(target);
  const upstream = new http.Agent({ keepAlive: true });
  const received: FrontRequest[] = [];
  let mode = answer;
  let regionHeader = true;
  const server = http.createServer((request, response) => {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers['authorization'] ?? '')?.[1];
    const forwarded = signedFor === bucketRegion;
    received.push({ method, path: url, signedFor, forwarded });
    if (!forwarded) {
      request.resume();
      const bucket = decodeURIComponent(url.split('?')[0]!.split('/')[1] ?? '');
      const { status, headers, body } = awsAnswer(mode, { method, bucket, url, signedFor, bucketRegion });
      if (!regionHeader) delete headers['x-amz-bucket-region'];
      response.writeHead(status, { ...headers, 'content-length': String(body.length) });
      response.end(method === 'HEAD' ? undefined : body);
      return;
    }
    const onward = http.request(
      { host: backend.hostname, port: backend.port, method, path: url, headers: request.headers, agent: upstream },
      (answered) => {
        response.writeHead(answered.statusCode ?? 502, answered.headers);
        answered.pipe(response);
      },
    );
    onward.on('error', () => response.destroy());
    request.pipe(onward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    configure: (next, options) => {
      mode = next;
      regionHeader = options?.regionHeader ?? true;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        upstream.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Asked {
  method: string;
  bucket: string;
  url: string;
  signedFor: string | undefined;
  bucketRegion: string;
}

/** AWS's answer `mode` to `asked` (see the module doc for the pages each shape is from). */
function awsAnswer(
  mode: RegionAnswer,
  asked: Asked,
): { status: number; headers: Record<string, string>; body: string } {
  const { method, bucket, url, signedFor, bucketRegion } = asked;
  const xml = { 'content-type': 'application/xml', 'x-amz-request-id': 'FRONT0000000001' };
  const regional = `${bucket}.s3.${bucketRegion}.amazonaws.com`;
  const ids = '<RequestId>FRONT0000000001</RequestId><HostId>front-host-id</HostId>';
  switch (mode) {
    case 'permanent':
      return {
        status: 301,
        headers: { ...xml, 'x-amz-bucket-region': bucketRegion },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><Endpoint>${regional}</Endpoint><Bucket>${bucket}</Bucket>${ids}</Error>`,
      };
    case 'malformed':
      return {
        status: 400,
        headers: method === 'HEAD' ? { ...xml, 'x-amz-bucket-region': bucketRegion } : xml,
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region '${signedFor ?? ''}' is wrong; expecting '${bucketRegion}'</Message><Region>${bucketRegion}</Region>${ids}</Error>`,
      };
    case 'temporary':
      return {
        status: 307,
        headers: {
          ...xml,
          location: `https://${bucket}.s3-front-temporary.amazonaws.com${url.replace(/^\/[^/?]*/, '')}`,
        },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>TemporaryRedirect</Code><Message>Please re-send this request to the specified temporary endpoint. Continue to use the original request endpoint for future requests.</Message><Endpoint>${bucket}.s3-front-temporary.amazonaws.com</Endpoint><Bucket>${bucket}</Bucket>${ids}</Error>`,
      };
  }
}
