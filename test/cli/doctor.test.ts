/**
 * `statestore doctor` and `probeStore()`: a store that ignores every condition (exit 7); the file
 * store and s3rver (with the compat layer's conditions) through the built bin on a real
 * pseudo-terminal (util-linux `script -qfc`). Swift's report is in test/backends/swift-store.cases.ts (run by swift.test.ts).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { probeStore } from '../../src/store/probe.js';
import { escapeTerminal } from '../../src/cli/doctor.js';
import { runCli } from '../../src/cli/program.js';
import { registerBackend } from '../../src/backends/registry.js';
import { MemoryDriver } from '../../src/backends/memory/index.js';
import { NO_CONDITION, type DriverDeleteOptions, type DriverWriteOptions } from '../../src/vfs/driver.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { onTerminal, requireBuiltCli, tempDir } from './harness.js';

let s3: S3rverHandle;

beforeAll(async () => {
  requireBuiltCli();
  s3 = await startS3rver({ buckets: ['doctor'] });
}, 60_000);

afterAll(async () => {
  await s3?.stop();
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

/** A memfs driver that claims every condition and drops them all: a server that ignores them. */
class IgnoringDriver extends MemoryDriver {
  override write(key: string, body: Uint8Array | string, options: DriverWriteOptions) {
    return super.write(key, body, { ...options, condition: NO_CONDITION });
  }
  override copy(from: string, to: string, options: DriverWriteOptions) {
    return super.copy(from, to, { ...options, condition: NO_CONDITION });
  }
  override delete(key: string, options: DriverDeleteOptions) {
    return super.delete(key, { ...options, condition: NO_CONDITION });
  }
}

describe('a store that accepts conditions and ignores them', () => {
  beforeAll(() => {
    registerBackend({ schemes: ['ignoring'], open: async (url) => new IgnoringDriver(url.host, url.path) });
  });

  it('probeStore: every condition ignored; merges, leases, copies and deletes unsafe', async () => {
    const vfs = await openVfs('ignoring://probe');
    const report = await probeStore(vfs);
    await vfs.close();
    expect(report.conditions).toEqual({
      create: 'ignored',
      compareAndSwap: 'ignored',
      copy: 'ignored',
      delete: 'ignored',
    });
    expect(report.guarantees).toEqual({
      mergeConfig: 'unsafe',
      leases: 'unsafe',
      moveCopies: 'unsafe',
      deleteSource: 'unsafe',
    });
    expect(report.unsafe).toBe(true);
  });

  it('statestore doctor exits 7 (unsafe store)', async () => {
    const write = process.stdout.write.bind(process.stdout);
    let printed = '';
    process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
    try {
      expect(await runCli(['doctor', 'ignoring://store', '--json'])).toBe(7);
    } finally {
      process.stdout.write = write;
      process.exitCode = undefined;
    }
    expect(JSON.parse(printed)).toMatchObject({ unsafe: true, guarantees: { mergeConfig: 'unsafe' } });
  });
});

/** kops's environment for s3rver, as a user of the CLI sets it. */
const s3rverEnv = () => ({
  S3_ENDPOINT: s3.endpoint,
  S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
});

describe('probeStore on s3rver', () => {
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
    // An endpoint that is not AWS's, no setting: probed (s3rver with the compat layer honours AWS's conditions).
    expect(report.facts.s3Dialect).toEqual({ name: 'aws', probed: true, setBy: 'default' });
  });

  it('names the dialect and the setting that chose it: options.s3.dialect, STATESTORE_S3_DIALECT', async () => {
    const open = (options: Parameters<typeof openVfs>[1]) =>
      openVfs('s3://doctor/dialect', {
        ...options,
        s3: { endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS, ...options?.s3 },
      });
    const facts = async (vfs: Awaited<ReturnType<typeof openVfs>>) => {
      const report = await probeStore(vfs);
      await vfs.close();
      return report.facts.s3Dialect;
    };
    expect(await facts(await open({ env: {}, s3: { dialect: 'rgw' } }))).toEqual({
      name: 'rgw',
      probed: false,
      setBy: 'options.s3.dialect',
    });
    expect(await facts(await open({ env: { STATESTORE_S3_DIALECT: 'if-match=quoted, put-if-none-match' } }))).toEqual({
      name: 'if-match=quoted, put-if-none-match',
      probed: false,
      setBy: 'STATESTORE_S3_DIALECT',
    });
    expect(await facts(await open({ env: { STATESTORE_S3_DIALECT: 'probe' } }))).toEqual({
      name: 'aws',
      probed: true,
      setBy: 'STATESTORE_S3_DIALECT',
    });
  });

  it('prints the s3rver report on a terminal, exit 0', async () => {
    const { output, code } = await onTerminal(['doctor', 's3://doctor/terminal'], s3rverEnv());
    process.stderr.write(`doctor on s3rver:\n${output}\n`);
    expect(code).toBe(0);
    expect(output).toMatch(/compare-and-swap: +honoured/);
    expect(output).toMatch(/object versioning: +off/);
    expect(output).toMatch(
      /s3 dialect: +aws \(probed: the endpoint is not AWS's; a store probes at its first conditional write, doctor at once; STATESTORE_S3_DIALECT=aws skips the probe\)/,
    );
  });

  it('names STATESTORE_S3_DIALECT when it set the dialect', async () => {
    const { output, code } = await onTerminal(['doctor', 's3://doctor/terminal-set'], {
      ...s3rverEnv(),
      STATESTORE_S3_DIALECT: 'rgw',
    });
    expect(code).toBe(0);
    expect(output).toMatch(/s3 dialect: +rgw \(set by STATESTORE_S3_DIALECT\)/);
    // rgw: DeleteObject ignores If-Match, so the store does not claim conditional deletes.
    expect(output).toMatch(/conditional delete: +not-claimed/);
    // CopyObject ignores If-None-Match: create-only copies hold through the client; the line says so.
    expect(output.replace(/\s+/g, ' ')).toMatch(
      /move copies: +create-only \(a taken destination is never overwritten\); this server ignores If-None-Match on CopyObject, .*move --create-only listing/,
    );
  });
});
