/**
 * `s3.requestTimeoutMs` is the idle timeout of one request (docs/backends.md): a server that
 * accepts the connection and never answers fails the call as Unavailable, after the store's
 * attempts, instead of leaving it pending. (Since @smithy/node-http-handler 4.x the handler's
 * `requestTimeout` only logs a warning; the store sets `socketTimeout`.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { openVfs } from '../../src/index.js';
import { isStateStoreError } from '../../src/errors.js';

describe('s3: a server that never answers', () => {
  let server: net.Server;
  let endpoint: string;
  const connections: net.Socket[] = [];

  beforeAll(async () => {
    server = net.createServer((socket) => {
      connections.push(socket);
      socket.on('data', () => undefined); // reads the request, never answers
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const socket of connections) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails each attempt after requestTimeoutMs of silence: Unavailable, every attempt made', async () => {
    const vfs = await openVfs('s3://bucket/prefix', {
      env: {},
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      s3: {
        endpoint,
        region: 'us-east-1',
        dialect: 'aws', // no probe: the server under test stalls every request
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        requestTimeoutMs: 300,
      },
    });
    const before = connections.length;
    try {
      const failure = await vfs.stat('cluster/config').then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isStateStoreError(failure, 'Unavailable')).toBe(true);
      expect(connections.length - before).toBe(2);
    } finally {
      await vfs.close();
    }
  });
});
