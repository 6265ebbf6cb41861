/**
 * The TLS proxy's request count (test/servers/tls-proxy.ts), which the TLS tests compare with
 * what their clients sent: every request is counted, the later ones of a kept-alive connection
 * too, whatever the body before them (none, a Content-Length body that ends without a line
 * break, a chunked one), and bytes inside a body that look like a request are not.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { startTlsProxy, throwawayCa, type TlsProxy } from './tls-proxy.js';

const ca = throwawayCa('statestore tls-proxy test CA');
let server: http.Server;
let proxy: TlsProxy;
/** The requests the server behind the proxy answered: its own count, to compare with the proxy's. */
let answered = 0;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      answered++;
      response.end(`${request.method} ${request.url}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy = await startTlsProxy(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, ca.serverIdentity());
});

afterAll(async () => {
  await proxy.stop();
  await new Promise((resolve) => server.close(resolve));
});

/** One request through the proxy on `agent`, its body sent as given (chunked when `chunks`). */
function send(agent: https.Agent, method: string, path: string, body?: string | string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers = typeof body === 'string' ? { 'content-length': Buffer.byteLength(body) } : undefined;
    const request = https.request(`${proxy.endpoint}${path}`, { method, agent, ca: ca.certificate, headers });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => resolve(text));
    });
    if (Array.isArray(body)) for (const chunk of body) request.write(chunk);
    request.end(typeof body === 'string' ? body : undefined);
  });
}

it('counts every request of a kept-alive connection, after bodies of every framing', async () => {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  // A body that looks like requests: at its start, after a CRLF, and at its end (no CRLF after it).
  const lookalike = 'GET /not-a-request HTTP/1.1\r\nHost: x\r\n\r\nPUT /neither HTTP/1.1\r\n';
  const sent: Array<[string, string, (string | string[])?]> = [
    ['GET', '/first'],
    ['PUT', '/length', 'no line break at the end'],
    ['GET', '/after-a-body'],
    ['PUT', '/lookalike', lookalike],
    ['POST', '/chunked', ['one chunk, ', lookalike, 'and the last']],
    ['DELETE', '/delete'],
    ['HEAD', '/head'], // last: Node's agent does not reuse the connection after a HEAD
  ];
  const connectionsBefore = proxy.connections();
  const countedBefore = proxy.requests();
  const answers: string[] = [];
  for (const [method, path, body] of sent) answers.push(await send(agent, method, path, body));
  agent.destroy();
  expect(answers).toEqual(sent.map(([method, path]) => (method === 'HEAD' ? '' : `${method} ${path}`)));
  expect(proxy.connections() - connectionsBefore).toBe(1); // all on one kept-alive connection
  expect(answered).toBe(sent.length);
  const counted = proxy.requests();
  expect({ total: counted.total - countedBefore.total, unframed: counted.unframed }).toEqual({
    total: sent.length,
    unframed: 0,
  });
});

it('counts the requests of several connections, and a connection that is not HTTP as unframed', async () => {
  const before = proxy.requests();
  const agents = [new https.Agent({ keepAlive: true }), new https.Agent({ keepAlive: true })];
  for (const agent of agents) for (const path of ['/a', '/b']) await send(agent, 'PUT', path, 'x');
  for (const agent of agents) agent.destroy();
  expect(proxy.requests().total - before.total).toBe(4);

  const { port } = new URL(proxy.endpoint);
  await new Promise<void>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(port), ca: ca.certificate }, () =>
      socket.end('not an HTTP request\r\n\r\n'),
    );
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
  });
  expect(proxy.requests()).toMatchObject({ total: before.total + 4, unframed: before.unframed + 1 });
});
