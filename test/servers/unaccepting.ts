/**
 * A port on 127.0.0.1 to which a TCP connection is never made: what a client sees of a proxy behind
 * a firewall that drops its packets. A listening socket alone is not that (Linux completes the
 * handshake and queues the connection until it is accepted), so the port is held by a child
 * process that listens with a backlog of 1 and then blocks its thread, accepting nothing; this
 * module fills its accept queue (Linux holds backlog + 1 connections), after which Linux drops
 * every further SYN (`tcp_conn_request`: an accept queue that is full drops the SYN): a client's
 * connect stays pending until it gives up.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';

/** The port, and how to free it. */
export interface UnacceptingPort {
  port: number;
  stop(): Promise<void>;
}

const HOLDER = `
const server = require('node:net').createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n');
  // Blocks the thread (and so its event loop): nothing is ever accepted.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
`;

/** Connections that fill the queue of a backlog-1 listener (Linux: `sk_ack_backlog > sk_max_ack_backlog` is full). */
const QUEUE_FILL = 2;

/** Starts the holder and fills its accept queue: a connection to `port` from now on is never made. */
export async function startUnacceptingPort(): Promise<UnacceptingPort> {
  const child = spawn(process.execPath, ['-e', HOLDER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the port holder exited (${code ?? 'signal'})`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
  });
  const queued: net.Socket[] = [];
  // One after another, each connected (queued by the kernel) before the next.
  for (let i = 0; i < QUEUE_FILL; i++) {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    queued.push(socket);
  }
  return {
    port,
    stop: async () => {
      for (const socket of queued) socket.destroy();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
