/**
 * HTTPS in front of an http:// test server: a throwaway certificate authority made in the test
 * (node-forge, RSA keys from node:crypto), and a TLS-terminating TCP proxy on 127.0.0.1 that
 * forwards the decrypted bytes to the server unchanged (the Host header, and so the SigV4
 * signature, stays the client's). It counts the TCP connections it accepts, so a test can tell
 * one refused handshake from a retried one, and the HTTP requests that went through it, telling
 * the AWS SDK's (its `aws-sdk-js` user agent) from the others (the direct path sends none).
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
  /** HTTP requests forwarded so far, and how many of them the AWS SDK sent. */
  requests(): { total: number; sdk: number };
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1 with `identity`, forwarding each connection to `target` (`http://host:port`). */
export async function startTlsProxy(target: string, identity: TlsIdentity): Promise<TlsProxy> {
  const upstream = new URL(target);
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const streams: Array<{ text: string }> = [];
  const server = tls.createServer({ cert: identity.cert, key: identity.key }, (client) => {
    const stream = { text: '' };
    streams.push(stream);
    client.on('data', (chunk: Buffer) => (stream.text += chunk.toString('latin1')));
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
    requests: () => countRequests(streams.map((stream) => stream.text)),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const REQUEST_LINE = /(?:GET|PUT|HEAD|DELETE|POST) \S+ HTTP\/1\.1\r\n/g;
const SDK_AGENT = /\r\nuser-agent: [^\r]*aws-sdk-js/i;

/** The requests in the bytes clients sent (test traffic: a few hundred kilobytes), and the SDK's among them. */
function countRequests(streams: readonly string[]): { total: number; sdk: number } {
  const counted = { total: 0, sdk: 0 };
  for (const text of streams) {
    for (const match of text.matchAll(REQUEST_LINE)) {
      // A request line starts the stream or follows a CRLF (the end of the previous request).
      if (match.index > 0 && text.slice(match.index - 2, match.index) !== '\r\n') continue;
      const end = text.indexOf('\r\n\r\n', match.index);
      const head = text.slice(match.index, end === -1 ? undefined : end);
      counted.total++;
      if (SDK_AGENT.test(head)) counted.sdk++;
    }
  }
  return counted;
}
