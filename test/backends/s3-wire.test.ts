/**
 * The direct path's HTTP/1.1 client (src/backends/s3/direct/wire.ts) against a server on
 * 127.0.0.1 that writes its answers byte by byte as the test says: the shapes S3 servers send
 * (Content-Length, chunked cut anywhere, HEAD, Connection: close, an interim 100), a body cut
 * mid-way, a streamed body read slowly or dropped, and a header value it must refuse.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { Wire, type WireRequest } from '../../src/backends/s3/direct/wire.js';
import { nodeEntry } from '../servers/node-entry.js';

/** Each request's answer, as the raw writes the server makes (a function of the request head). */
type Script = (head: string, socket: net.Socket) => void;

describe('s3 direct path: the wire', () => {
  let server: net.Server;
  let port: number;
  let script: Script = () => undefined;
  const heads: string[] = [];
  let connections = 0;
  let wire: Wire;

  beforeAll(async () => {
    server = net.createServer((socket) => {
      connections += 1;
      let buffered = '';
      socket.on('error', () => undefined);
      socket.on('data', (data) => {
        buffered += data.toString('latin1');
        for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
          const head = buffered.slice(0, end);
          const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
          if (buffered.length < end + 4 + length) return;
          buffered = buffered.slice(end + 4 + length);
          heads.push(head);
          script(head, socket);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const open = (socketTimeoutMs = 5000) =>
    (wire = new Wire({ secure: false, maxSockets: 4, connectTimeoutMs: 2000, socketTimeoutMs }));
  afterEach(() => {
    wire?.close();
    heads.length = 0;
  });

  const request = (method = 'GET', extra: Partial<WireRequest> = {}): WireRequest => ({
    method,
    hostname: '127.0.0.1',
    port,
    path: '/bucket/key',
    headers: { host: `127.0.0.1:${port}` },
    ...extra,
  });

  it('reads Content-Length and chunked bodies, however the packets cut them, on one kept connection', async () => {
    open();
    const before = connections;
    script = (head, socket) => {
      if (head.startsWith('GET /bucket/key')) {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: "a"\r\n\r\nhel');
        setTimeout(() => socket.write('lo'), 5);
        return;
      }
      // Chunked, cut inside a size line, inside a chunk and before the last chunk's CRLF.
      const parts = [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
        '3',
        '\r\nabc\r\n4\r\nde',
        'fg\r',
        '\n0\r\n\r\n',
      ];
      parts.forEach((part, i) => setTimeout(() => socket.write(part), i * 3));
    };
    const first = await wire.send(request());
    expect(first.status).toBe(200);
    expect(first.body.toString()).toBe('hello');
    expect(first.headers['etag']).toBe('"a"');
    const second = await wire.send(request('GET', { path: '/bucket/other' }));
    expect(second.body.toString()).toBe('abcdefg');
    expect(connections - before).toBe(1);
    expect(heads[0]).toContain(`host: 127.0.0.1:${port}`);
  });

  it('reads no body after a HEAD, a 204 or an interim 100, and sends a PUT body with its length', async () => {
    open();
    script = (head, socket) => {
      if (head.startsWith('HEAD')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n');
      else if (head.startsWith('DELETE')) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      else socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nETag: "p"\r\nContent-Length: 0\r\n\r\n');
    };
    const head = await wire.send(request('HEAD'));
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '1234', 0]);
    expect((await wire.send(request('DELETE'))).status).toBe(204);
    const put = await wire.send(request('PUT', { body: Buffer.from('data!') }));
    expect([put.status, put.headers['etag']]).toEqual([200, '"p"']);
    expect(heads[2]).toMatch(/content-length: 5/);
    // A PUT without a body says its length is 0 (a CopyObject).
    await wire.send(request('PUT'));
    expect(heads[3]).toMatch(/content-length: 0/);
  });

  it('opens a new connection after Connection: close, and fails a body cut short', async () => {
    open();
    const before = connections;
    script = (_head, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
      socket.end();
    };
    await wire.send(request());
    await wire.send(request());
    expect(connections - before).toBe(2);
    script = (_head, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      socket.destroy();
    };
    await expect(wire.send(request())).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('streams a body with backpressure, and closes the connection of a stream dropped early', async () => {
    open();
    const size = 4 * 1024 * 1024;
    script = (_head, socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      socket.write(Buffer.alloc(size, 7));
    };
    const answer = await wire.send(request(), undefined, () => true);
    let bytes = 0;
    for await (const chunk of answer.stream!) {
      bytes += (chunk as Buffer).length;
      if (bytes < size / 2) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(bytes).toBe(size);
    const before = connections;
    const dropped = await wire.send(request(), undefined, () => true);
    dropped.stream!.destroy();
    // The next request cannot go on a connection whose body was left unread.
    const next = await wire.send(request(), undefined, () => true);
    let nextBytes = 0;
    for await (const chunk of next.stream!) nextBytes += (chunk as Buffer).length;
    expect([connections - before, nextBytes]).toEqual([1, size]);
  });

  it('fails a request whose server goes silent (TimeoutError), endless headers, an aborted wait, and refuses a header value with CR or LF', async () => {
    open(200);
    script = () => undefined;
    await expect(wire.send(request())).rejects.toMatchObject({ name: 'TimeoutError' });
    // Headers without end: refused past 64 KiB instead of kept in memory.
    open();
    script = (_head, socket) => socket.write(`HTTP/1.1 200 OK\r\n${'x-filler: y\r\n'.repeat(6000)}`);
    await expect(wire.send(request())).rejects.toMatchObject({ code: 'HPE_INVALID' });
    wire.close();
    // A request waiting for a connection (all busy) leaves the queue when aborted.
    wire = new Wire({ secure: false, maxSockets: 1, connectTimeoutMs: 2000, socketTimeoutMs: 5000 });
    script = () => undefined;
    const busy = wire.send(request()).catch((err: unknown) => err);
    const aborted = new AbortController();
    const queued = wire.send(request(), aborted.signal);
    aborted.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    wire.close();
    expect(await busy).toBeDefined();
    const sent = heads.length;
    const injected = request('GET', { headers: { host: 'h', 'content-type': 'text/plain\r\nx-evil: 1' } });
    await expect(wire.send(injected)).rejects.toMatchObject({ code: 'ERR_INVALID_CHAR' });
    expect(heads.length).toBe(sent);
  });

  it('lets a process exit with a wire left open: an idle connection does not hold it', async () => {
    script = (_head, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const child = spawn(process.execPath, nodeEntry('test/backends/s3-wire-child.ts'), {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], WIRE_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect([code, stdout.trim()]).toEqual([0, '200']);
  });
});
