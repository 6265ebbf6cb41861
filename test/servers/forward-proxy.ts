/**
 * A forward HTTP proxy for the tests, on 127.0.0.1, as a corporate proxy that HTTPS_PROXY and
 * HTTP_PROXY name: CONNECT tunnels (for https:// endpoints) and requests in absolute form
 * (`GET http://host:port/path`, for http:// ones). Every host name it is asked for is 127.0.0.1
 * (the port is kept): the tests name their endpoints `*.proxy.test`, which only this proxy
 * resolves, so a request that did not go through it cannot reach the server at all.
 *
 * It logs each request it gets (what it was asked, and the `Proxy-Authorization` it carried),
 * counts the TCP connections clients opened to it (keep-alive: fewer than the requests), and can
 * ask for credentials (407 without the right Basic pair) or refuse every CONNECT with a status.
 *
 * @example
 * ```ts
 * const proxy = await startForwardProxy({ credentials: { user: 'u', password: 'p' } });
 * // HTTP_PROXY=http://u:p@127.0.0.1:<port>, endpoint http://s3.proxy.test:<server port>
 * proxy.log(); // [{ kind: 'forward', target: 'http://s3.proxy.test:1234/bucket/key', ... }]
 * await proxy.stop();
 * ```
 */
import http from 'node:http';
import net from 'node:net';

/** One request the proxy received. */
export interface ProxyLogEntry {
  /** `connect`: a CONNECT tunnel; `forward`: an http request in absolute form. */
  kind: 'connect' | 'forward';
  method: string;
  /** `host:port` of a CONNECT, the absolute URL of a forwarded request. */
  target: string;
  /** The `Proxy-Authorization` header as received, if any. */
  authorization: string | undefined;
  /** The status the proxy answered itself (200 for an opened tunnel; the server's answer is not logged). */
  status?: number;
}

/** The log entry of a tunnel the proxy opened to `target` (`host:port`) for a client that sent `authorization`. */
export function openedTunnel(target: string, authorization: string | undefined): ProxyLogEntry {
  return { kind: 'connect', method: 'CONNECT', target, authorization, status: 200 };
}

/** Options of {@link startForwardProxy}. */
export interface ForwardProxyOptions {
  /** Answer 407 to any request without `Proxy-Authorization: Basic` of this pair. */
  credentials?: { user: string; password: string };
  /** Answer every CONNECT with this status (403, 502 ...) instead of opening the tunnel. */
  refuseConnect?: number;
}

/** A running proxy. */
export interface ForwardProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The requests received so far, oldest first. */
  log(): ProxyLogEntry[];
  /** TCP connections clients opened to the proxy so far. */
  connections(): number;
  /** Changes what the proxy asks for or refuses, for the requests from now on. */
  configure(options: ForwardProxyOptions): void;
  stop(): Promise<void>;
}

const REASONS: Record<number, string> = {
  403: 'Forbidden',
  407: 'Proxy Authentication Required',
  502: 'Bad Gateway',
};

/** Starts a proxy on 127.0.0.1. */
export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  let settings = options;
  const entries: ProxyLogEntry[] = [];
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const upstream = new http.Agent({ keepAlive: true });
  const authorized = (header: string | undefined) => {
    const { credentials } = settings;
    if (credentials === undefined) return true;
    const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
    return header === expected;
  };

  const server = http.createServer((request, response) => {
    const authorization = request.headers['proxy-authorization'];
    const entry: ProxyLogEntry = {
      kind: 'forward',
      method: request.method ?? '',
      target: request.url ?? '',
      authorization,
    };
    entries.push(entry);
    if (!authorized(authorization)) {
      entry.status = 407;
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-length': '0' }).end();
      return;
    }
    const target = new URL(request.url ?? '/');
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const forwarded = http.request(
      {
        host: '127.0.0.1',
        port: Number(target.port || 80),
        method: request.method,
        path: `${target.pathname}${target.search}`,
        headers,
        agent: upstream,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });

  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const authorization = request.headers['proxy-authorization'];
    const entry: ProxyLogEntry = { kind: 'connect', method: 'CONNECT', target: request.url ?? '', authorization };
    entries.push(entry);
    const status = !authorized(authorization) ? 407 : (settings.refuseConnect ?? 200);
    entry.status = status;
    if (status !== 200) {
      const challenge = status === 407 ? 'Proxy-Authenticate: Basic realm="test"\r\n' : '';
      client.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Refused'}\r\n${challenge}Content-Length: 0\r\n\r\n`);
      return;
    }
    const port = Number((request.url ?? '').split(':').pop());
    const backend = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) backend.write(head);
      client.pipe(backend).pipe(client);
    });
    sockets.add(backend);
    const cut = () => {
      client.destroy();
      backend.destroy();
    };
    backend.on('close', () => sockets.delete(backend));
    backend.on('error', cut);
    client.on('error', cut);
  });

  server.on('connection', (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log: () => entries.map((entry) => ({ ...entry })),
    connections: () => accepted,
    configure: (next) => {
      settings = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        upstream.destroy();
        server.close(() => resolve());
      }),
  };
}
