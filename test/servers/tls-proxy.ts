/**
 * HTTPS in front of an http:// test server: a throwaway certificate authority made in the test
 * (node-forge, RSA keys from node:crypto), and a TLS-terminating TCP proxy on 127.0.0.1 that
 * forwards the decrypted bytes to the server unchanged (the Host header, and so the SigV4
 * signature, stays the client's). It counts the TCP connections it accepts, so a test can tell
 * one refused handshake from a retried one, and the HTTP requests that went through it, exactly
 * (each connection's bytes read by HTTP/1.1's framing, so a kept-alive connection's every request
 * counts), telling the AWS SDK's (its `aws-sdk-js` user agent) from the others (the direct path
 * sends none).
 *
 * @example
 * ```ts
 * const ca = throwawayCa('test CA');
 * const proxy = await startTlsProxy(rgw.endpoint, ca.serverIdentity());
 * // a client that trusts ca.certificate (NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE) reaches rgw at proxy.endpoint
 * await proxy.stop();
 * ```
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import forge from 'node-forge';

/** A certificate and its private key, as PEM. */
export interface TlsIdentity {
  cert: string;
  key: string;
}

/** A certificate authority that exists for one test run. */
export interface ThrowawayCa {
  /** The CA's own certificate (PEM): what a client trusts. */
  certificate: string;
  /** A server certificate for 127.0.0.1 (subjectAltName IP) and `dnsNames`, signed by this CA. */
  serverIdentity(dnsNames?: readonly string[]): TlsIdentity;
}

const DAY_MS = 24 * 3600 * 1000;

function rsaKey(): { pem: string; key: forge.pki.rsa.PrivateKey } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { pem: privateKey, key: forge.pki.privateKeyFromPem(privateKey) };
}

function certificate(
  subject: string,
  subjectKey: forge.pki.rsa.PrivateKey,
  issuer: string,
  issuerKey: forge.pki.rsa.PrivateKey,
  extensions: object[],
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(subjectKey.n, subjectKey.e);
  // Positive, random: two CAs of one run never share a serial.
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + DAY_MS);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer([{ name: 'commonName', value: issuer }]);
  cert.setExtensions(extensions);
  cert.sign(issuerKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

/** Makes a CA named `name` (give each CA of a test its own name). */
export function throwawayCa(name: string): ThrowawayCa {
  const ca = rsaKey();
  const caExtensions = [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ];
  return {
    certificate: certificate(name, ca.key, name, ca.key, caExtensions),
    serverIdentity: (dnsNames = []) => {
      const server = rsaKey();
      const cert = certificate('127.0.0.1', server.key, name, ca.key, [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [{ type: 7, ip: '127.0.0.1' }, ...dnsNames.map((value) => ({ type: 2, value }))],
        },
      ]);
      return { cert, key: server.pem };
    },
  };
}

/** A running proxy. */
export interface TlsProxy {
  /** `https://127.0.0.1:<port>`. */
  endpoint: string;
  /** TCP connections accepted so far (a refused handshake counts one). */
  connections(): number;
  /**
   * HTTP requests forwarded so far (each counted by its head: exact, kept-alive connections
   * included), how many of them the AWS SDK sent, and the connections whose bytes were not
   * HTTP/1.1 requests (their requests after the first unreadable byte are not counted).
   */
  requests(): { total: number; sdk: number; unframed: number };
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1 with `identity`, forwarding each connection to `target` (`http://host:port`). */
export async function startTlsProxy(target: string, identity: TlsIdentity): Promise<TlsProxy> {
  const upstream = new URL(target);
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const connections: RequestHeads[] = [];
  const server = tls.createServer({ cert: identity.cert, key: identity.key }, (client) => {
    const heads = new RequestHeads();
    connections.push(heads);
    client.on('data', (chunk: Buffer) => heads.push(chunk));
    const backend = net.connect(Number(upstream.port), upstream.hostname);
    sockets.add(backend);
    backend.on('close', () => sockets.delete(backend));
    const cut = () => {
      client.destroy();
      backend.destroy();
    };
    client.on('error', cut);
    backend.on('error', cut);
    client.pipe(backend).pipe(client);
  });
  server.on('connection', (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that refuses the certificate aborts the handshake: expected, not a test failure.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    connections: () => accepted,
    requests: () => countRequests(connections),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const SDK_AGENT = /\r\nuser-agent: [^\r]*aws-sdk-js/i;
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]$/;
const CRLF = Buffer.from('\r\n');
const BLANK_LINE = Buffer.from('\r\n\r\n');

/** Where a connection's framing is: in a head, a body's bytes, a chunk's size line or data, or the trailers. */
type Framing =
  | { in: 'head' }
  | { in: 'body'; left: number }
  | { in: 'chunk-size' }
  | { in: 'chunk-data'; left: number }
  | { in: 'trailers' };

/**
 * The request heads of one connection's bytes as the client sends them, found by HTTP/1.1's
 * framing (RFC 9112): a head up to its blank line, then a body of its Content-Length, or chunks up
 * to the last one's trailers (Transfer-Encoding: chunked), or none. So every request counts, the
 * later ones of a kept-alive connection too, and bytes in a body never do. Bytes that are not
 * HTTP/1.1 requests (a head without a request line, a bad length) make the connection `unframed`:
 * nothing more is counted on it.
 */
class RequestHeads {
  readonly heads: string[] = [];
  unframed = false;
  private pending: Buffer = Buffer.alloc(0);
  private framing: Framing = { in: 'head' };

  push(chunk: Buffer): void {
    if (this.unframed) return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (!this.unframed && this.step());
  }

  /** Consumes what the framing can from the pending bytes; false when it needs more. */
  private step(): boolean {
    const framing = this.framing;
    if (framing.in === 'body' || framing.in === 'chunk-data') {
      const taken = Math.min(framing.left, this.pending.length);
      this.pending = this.pending.subarray(taken);
      framing.left -= taken;
      if (framing.left > 0) return false;
      this.framing = framing.in === 'body' ? { in: 'head' } : { in: 'chunk-size' };
      return true;
    }
    const separator = framing.in === 'head' ? BLANK_LINE : CRLF;
    const end = this.pending.indexOf(separator);
    if (end === -1) return false;
    const text = this.pending.subarray(0, end).toString('latin1');
    this.pending = this.pending.subarray(end + separator.length);
    if (framing.in === 'head') this.head(text);
    else if (framing.in === 'trailers') this.framing = text === '' ? { in: 'head' } : framing;
    else this.chunkSize(text);
    return true;
  }

  private head(text: string): void {
    // A client may send empty lines before a request line (RFC 9112 2.2): they are no head.
    const head = text.replace(/^(?:\r\n)+/, '');
    if (head === '') return;
    const [requestLine = '', ...fields] = head.split('\r\n');
    if (!REQUEST_LINE.test(requestLine)) return this.unframe();
    this.heads.push(head);
    const field = (name: string) =>
      fields
        .find((line) => line.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim();
    const transferEncoding = field('transfer-encoding')?.toLowerCase();
    const contentLength = field('content-length');
    if (transferEncoding !== undefined && /(?:^|,)\s*chunked$/.test(transferEncoding)) {
      this.framing = { in: 'chunk-size' };
    } else if (contentLength !== undefined) {
      if (!/^\d+$/.test(contentLength)) return this.unframe();
      const left = Number(contentLength);
      this.framing = left === 0 ? { in: 'head' } : { in: 'body', left };
    } else this.framing = { in: 'head' }; // a request without either has no body
  }

  private chunkSize(line: string): void {
    const size = /^([0-9a-fA-F]+)[ \t]*(?:;.*)?$/.exec(line)?.[1];
    if (size === undefined) return this.unframe();
    const left = parseInt(size, 16);
    // The chunk's data, then the CRLF that ends it; the last (0) chunk is followed by trailers.
    this.framing = left === 0 ? { in: 'trailers' } : { in: 'chunk-data', left: left + 2 };
  }

  private unframe(): void {
    this.unframed = true;
    this.pending = Buffer.alloc(0);
  }
}

/** The requests of every connection, the AWS SDK's among them, and the connections not framed as HTTP/1.1. */
function countRequests(connections: readonly RequestHeads[]): { total: number; sdk: number; unframed: number } {
  const counted = { total: 0, sdk: 0, unframed: 0 };
  for (const connection of connections) {
    counted.total += connection.heads.length;
    counted.sdk += connection.heads.filter((head) => SDK_AGENT.test(head)).length;
    if (connection.unframed) counted.unframed++;
  }
  return counted;
}
