/**
 * A counting HTTP reverse proxy on 127.0.0.1, between a backend's SDK and a real test server, so
 * the conformance suite can ask how many connections the client still holds (the
 * `ConformanceTarget.connections` hook). It counts what a socket leak looks like from the server's
 * side:
 *
 * - `open`: client connections not yet closed (idle keep-alive ones included);
 * - `busy`: those carrying an exchange not yet over: a request whose answer the proxy has not
 *   delivered whole and the client has not hung up, or whose answer the client has left unread
 *   in its socket's receive queue (read from Linux's /proc/net/tcp: the client is this process).
 *   A connection the client dropped unread, but did not close, is busy by either rule: an idle
 *   keep-alive connection in a pool is neither.
 *
 * When the client hangs up mid-answer, the proxy drops its request to the server too, as a server
 * would. The client's Host header is forwarded, so servers that build follow-up URLs from it (the
 * GCS emulator's resumable sessions, Swift's tempauth storage URL) send the client back through
 * the proxy. Each forwarded request has a connection of its own to the server.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A TCP socket on 127.0.0.1 as Linux lists it in `/proc/net/tcp`. */
interface KernelSocket {
  localPort: number;
  remotePort: number;
  /** `01` ESTABLISHED, `08` CLOSE_WAIT (the peer closed, this side has not), ... */
  state: string;
  /** Bytes received and not yet read by the process. */
  unread: number;
  /** Bytes written by the process and not yet acknowledged by the peer (a full receive window keeps them here). */
  unsent: number;
}

function kernelSockets(): KernelSocket[] {
  const sockets: KernelSocket[] = [];
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [localAddress, localPort] = (fields[1] ?? '').split(':');
    const [remoteAddress, remotePort] = (fields[2] ?? '').split(':');
    const [sendQueue, queue] = (fields[4] ?? '').split(':');
    if (localAddress !== '0100007F' || remoteAddress !== '0100007F') continue;
    if (localPort === undefined || remotePort === undefined || queue === undefined || sendQueue === undefined) continue;
    sockets.push({
      localPort: Number.parseInt(localPort, 16),
      remotePort: Number.parseInt(remotePort, 16),
      state: fields[3] ?? '',
      unread: Number.parseInt(queue, 16),
      unsent: Number.parseInt(sendQueue, 16),
    });
  }
  return sockets;
}

/** States in which the client still holds its end open: ESTABLISHED, and CLOSE_WAIT (the proxy closed). */
const HELD = new Set(['01', '08']);

/** What {@link ConnectionCounter.count} reports. */
export interface ConnectionCount {
  open: number;
  busy: number;
}

/** A running counting proxy. */
export interface ConnectionCounter {
  /** `http://127.0.0.1:<port>`: the endpoint the backend is given instead of the server's. */
  endpoint: string;
  count(): ConnectionCount;
  /**
   * Request body bytes that have left the client process and answer body bytes it has taken, since
   * the proxy started: the conformance suite's `transferred` hook. Counted by the proxy, then moved
   * across what the kernel holds between the two (both ends' send and receive queues, from
   * /proc/net/tcp), so that the suite's bound measures the client's own buffers, not loopback's
   * (whose receive windows grow to `net.ipv4.tcp_rmem`'s maximum, 32 MiB on the test machine).
   */
  transferred(): { received: number; sent: number };
  stop(): Promise<void>;
}

/** Starts a counting proxy in front of `target` (`http://127.0.0.1:<port>`). */
export async function startConnectionCounter(target: string): Promise<ConnectionCounter> {
  const upstreamUrl = new URL(target);
  /** Exchanges not yet over, by the client's port. */
  const exchanges = new Map<number, number>();
  const bytes = { received: 0, sent: 0 };

  const server = http.createServer((req, res) => {
    const client = req.socket.remotePort ?? 0;
    exchanges.set(client, (exchanges.get(client) ?? 0) + 1);
    let over = false;
    const end = () => {
      if (over) return;
      over = true;
      exchanges.set(client, Math.max(0, (exchanges.get(client) ?? 1) - 1));
    };
    const upstream = http.request(
      {
        host: upstreamUrl.hostname,
        port: upstreamUrl.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.on('data', (chunk: Buffer) => (bytes.sent += chunk.length));
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('finish', end);
    // The client hung up (or its connection was destroyed): the exchange is over, and the server's
    // side of it is dropped as well.
    res.on('close', () => {
      end();
      upstream.destroy();
    });
    req.on('data', (chunk: Buffer) => (bytes.received += chunk.length));
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    const client = socket.remotePort ?? 0;
    socket.once('close', () => exchanges.delete(client));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    count: () => {
      // The client's ends of connections to this proxy, as the kernel holds them: a socket the
      // client closed is gone (or in a closing state) even when the proxy has not noticed yet.
      const held = kernelSockets().filter((socket) => socket.remotePort === port && HELD.has(socket.state));
      const busy = held.filter((socket) => socket.unread > 0 || (exchanges.get(socket.localPort) ?? 0) > 0);
      return { open: held.length, busy: busy.length };
    },
    transferred: () => {
      let toClient = 0;
      let fromClient = 0;
      for (const socket of kernelSockets()) {
        if (socket.remotePort === port) {
          // The client's end: what it has not read yet, what it wrote and the proxy has not acknowledged.
          toClient += socket.unread;
          fromClient += socket.unsent;
        } else if (socket.localPort === port) {
          toClient += socket.unsent;
          fromClient += socket.unread;
        }
      }
      return { received: bytes.received + fromClient, sent: bytes.sent - toClient };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
