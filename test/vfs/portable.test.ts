/**
 * The portable layer's side of the driver contract (src/vfs/driver.ts): drivers receive one
 * `condition` and never the caller's `ifMatch`/`ifNoneMatch`; whatever a driver throws goes through
 * its `mapError` once, and a `mapError` that breaks its own contract still ends as Unknown.
 */
import { MemoryDriver } from '../../src/backends/memory/driver.js';
import { StateStoreError } from '../../src/errors.js';
import type { ErrorContext, VfsDriver } from '../../src/vfs/driver.js';
import { portable } from '../../src/vfs/portable.js';
import { errorCode } from '../helpers/index.js';

let counter = 0;

/** A memfs driver whose calls are recorded, and whose write can be made to throw a raw error. */
function recordingDriver(options: { failWrite?: unknown; mapError?: VfsDriver['mapError'] } = {}) {
  const inner = new MemoryDriver(`portable-${process.pid}-${counter++}`);
  const seen: Array<{ op: string; options: Record<string, unknown> }> = [];
  const mapped: ErrorContext[] = [];
  const driver: VfsDriver = {
    url: inner.url,
    backend: inner.backend,
    capabilities: inner.capabilities,
    read: (key, o) => (seen.push({ op: 'read', options: { ...o } }), inner.read(key, o)),
    readStream: (key, o) => inner.readStream(key, o),
    stat: (key, o) => (seen.push({ op: 'stat', options: { ...o } }), inner.stat(key, o)),
    write: async (key, body, o) => {
      seen.push({ op: 'write', options: { ...o } });
      if (options.failWrite !== undefined) throw options.failWrite;
      return inner.write(key, body, o);
    },
    writeStream: (key, body, o) => inner.writeStream(key, body, o),
    delete: (key, o) => (seen.push({ op: 'delete', options: { ...o } }), inner.delete(key, o)),
    list: (o) => inner.list(o),
    copy: (from, to, o) => (seen.push({ op: 'copy', options: { ...o } }), inner.copy(from, to, o)),
    mapError: (err, context) => {
      mapped.push(context);
      return options.mapError !== undefined ? options.mapError(err, context) : inner.mapError(err, context);
    },
    close: () => inner.close(),
  };
  return { vfs: portable(driver), seen, mapped };
}

describe('portable layer: what a driver receives', () => {
  it('passes one condition and none of the caller-side ifMatch / ifNoneMatch fields', async () => {
    const { vfs, seen } = recordingDriver();
    const created = await vfs.write('a', 'one', { ifNoneMatch: '*' });
    await vfs.write('a', 'two', { ifMatch: created.version });
    await vfs.write('a', 'three');
    const info = await vfs.stat('a');
    await vfs.read('a', { ifMatch: info.version });
    await vfs.copy('a', 'b', { ifNoneMatch: '*' });
    await vfs.delete('b');
    expect(seen.map((call) => [call.op, call.options.condition])).toEqual([
      ['write', { kind: 'absent' }],
      ['write', { kind: 'version', version: created.version }],
      ['write', { kind: 'none' }],
      ['stat', { kind: 'none' }],
      ['read', { kind: 'version', version: info.version }],
      ['copy', { kind: 'absent' }],
      ['delete', { kind: 'none' }],
    ]);
    for (const call of seen) {
      expect(call.options).not.toHaveProperty('ifMatch');
      expect(call.options).not.toHaveProperty('ifNoneMatch');
    }
  });

  it("maps a raw driver failure once through the driver's mapError, with the operation, key and condition", async () => {
    const raw = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { vfs, mapped } = recordingDriver({
      failWrite: raw,
      mapError: (err, context) => new StateStoreError('Unavailable', `mapped ${context.op}`, { cause: err }),
    });
    expect(await errorCode(vfs.write('k', 'x', { ifNoneMatch: '*' }))).toBe('Unavailable');
    expect(mapped).toEqual([{ op: 'write', key: 'k', condition: { kind: 'absent' }, signal: undefined }]);
  });

  it('passes a StateStoreError a driver raised on purpose without mapping it again', async () => {
    const deliberate = new StateStoreError('InvalidArgument', 'segment too long');
    const { vfs, mapped } = recordingDriver({ failWrite: deliberate });
    await expect(vfs.write('k', 'x')).rejects.toBe(deliberate);
    expect(mapped).toEqual([]);
  });

  it('turns a mapError that throws or returns something else into Unknown, keeping the original as cause', async () => {
    const raw = new Error('boom');
    const throwing = recordingDriver({
      failWrite: raw,
      mapError: () => {
        throw new Error('mapper bug');
      },
    });
    await expect(throwing.vfs.write('k', 'x')).rejects.toMatchObject({ code: 'Unknown', cause: raw });
    const wrongType = recordingDriver({ failWrite: raw, mapError: () => raw as unknown as StateStoreError });
    await expect(wrongType.vfs.write('k', 'x')).rejects.toMatchObject({ code: 'Unknown', cause: raw });
  });
});
