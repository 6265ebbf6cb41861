/**
 * Sends one request with the direct path's wire to 127.0.0.1:$WIRE_PORT and leaves the wire open
 * (never closed): the process must still exit, its idle connection not holding it (s3-wire.test.ts).
 */
import { Wire } from '../../src/backends/s3/direct/wire.js';

const port = Number(process.env['WIRE_PORT']);
const wire = new Wire({ secure: false, maxSockets: 4, connectTimeoutMs: 5000, socketTimeoutMs: 600_000 });
const answer = await wire.send({
  method: 'GET',
  hostname: '127.0.0.1',
  port,
  path: '/bucket/key',
  headers: { host: 'h' },
});
process.stdout.write(`${answer.status}\n`);
