/**
 * `statestore doctor` and `probeStore()`: the file store through the built bin on a real
 * pseudo-terminal (util-linux `script -qfc`), s3rver (with the compat layer's conditions) and a
 * real Swift, with and without best-effort create-if-absent.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { probeStore } from '../../src/store/probe.js';
import { escapeTerminal } from '../../src/cli/doctor.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { startSwift, type SwiftHandle } from '../servers/swift.js';
import { CLI, requireBuiltCli, tempDir } from './harness.js';

/** Runs the bin on a pseudo-terminal; resolves with what the terminal showed and the exit code. */
function onTerminal(args: string[]): Promise<{ output: string; code: number | null }> {
  const quoted = [process.execPath, CLI, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' };
  const child = spawn('script', ['-qefc', quoted, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ output, code })));
}

let s3: S3rverHandle;
let swift: SwiftHandle;

beforeAll(async () => {
  requireBuiltCli();
  [s3, swift] = await Promise.all([startS3rver({ buckets: ['doctor'] }), startSwift({ containers: ['doctor'] })]);
}, 240_000);

afterAll(async () => {
  await Promise.all([s3?.stop(), swift?.stop()]);
});

describe('statestore doctor on a terminal', () => {
  it('reports a file store as safe, exit 0, with the path from the store escaped', async () => {
    const dir = path.join(tempDir(), 'store-\x1b[31mred');
    mkdirSync(dir);
    const { output, code } = await onTerminal(['doctor', `file://${dir}`]);
    process.stderr.write(`doctor on a file store:\n${output}\n`);
    expect(code).toBe(0);
    expect(output).toContain('store-%1B%5B31mred'); // the URL is percent-encoded; the rest is escaped
    expect(output).not.toContain('\x1b[31m');
    expect(output).toMatch(/compare-and-swap: +honoured/);
    expect(output).toMatch(/mergeConfig: +safe/);
  });

  it('prints JSON with --json', async () => {
    const { output, code } = await onTerminal(['doctor', `file://${tempDir()}`, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(output.slice(output.indexOf('{'))) as { guarantees: { leases: string } };
    expect(report.guarantees.leases).toBe('safe');
  });

  it('escapes control characters as \\xNN', () => {
    expect(escapeTerminal('a\x1b[2Jb\x07\u009b')).toBe('a\\x1b[2Jb\\x07\\x9b');
  });
});

describe('probeStore on servers', () => {
  it('s3rver: every condition honoured, the bucket facts asked', async () => {
    const vfs = await openVfs('s3://doctor/probe', {
      env: {},
      s3: { endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS },
    });
    const report = await probeStore(vfs);
    await vfs.close();
    process.stderr.write(`probeStore on s3rver: ${JSON.stringify(report)}\n`);
    expect(report.conditions).toEqual({
      create: 'honoured',
      compareAndSwap: 'honoured',
      copy: 'honoured',
      delete: 'honoured',
    });
    expect(report.guarantees).toEqual({
      mergeConfig: 'safe',
      leases: 'safe',
      moveCopies: 'create-only',
      deleteSource: 'conditional',
    });
    expect(report.unsafe).toBe(false);
    expect(report.latencyMs).toBeGreaterThan(0);
  });

  it('swift: no condition claimed, so merges and leases are refused (not unsafe)', async () => {
    const vfs = await openVfs('swift://doctor/plain', { env: swift.env });
    const report = await probeStore(vfs);
    await vfs.close();
    process.stderr.write(`probeStore on swift: ${JSON.stringify(report)}\n`);
    expect(report.conditions.compareAndSwap).toBe('not-claimed');
    expect(report.conditions.create).toBe('not-claimed');
    expect(report.guarantees.mergeConfig).toBe('unsupported');
    expect(report.guarantees.leases).toBe('unsupported');
    expect(report.guarantees.moveCopies).toBe('overwrite');
    expect(report.unsafe).toBe(false);
  });

  it('swift with best-effort create-if-absent: merges serialised by the lease', async () => {
    const vfs = await openVfs('swift://doctor/best-effort', {
      env: swift.env,
      swift: { createIfAbsent: 'best-effort' },
    } as Parameters<typeof openVfs>[1]);
    const report = await probeStore(vfs);
    await vfs.close();
    expect(report.conditions.create).toBe('honoured');
    expect(report.guarantees.mergeConfig).toBe('lease');
    expect(report.guarantees.leases).toBe('unsupported');
    // The scratch objects are gone.
    const check = await openVfs('swift://doctor', { env: swift.env });
    expect((await check.list()).objects).toEqual([]);
    await check.close();
  });
});
