import { createHash } from 'node:crypto';
import { isStateStoreError } from '../../src/errors.js';
import { codeOf, text, type ConformanceContext } from './suite.js';

/** Read, write, stat, delete, copy, keys. */
export function basicCases(ctx: ConformanceContext): void {
  it('writes and reads back bytes with matching info', async () => {
    const vfs = ctx.vfs();
    const body = new Uint8Array([0, 1, 2, 250, 255]);
    const written = await vfs.write('dir/object.bin', body);
    expect(written.key).toBe('dir/object.bin');
    expect(written.size).toBe(5);
    expect(typeof written.version).toBe('string');
    expect(written.version.length).toBeGreaterThan(0);
    const read = await vfs.read('dir/object.bin');
    expect([...read.body]).toEqual([...body]);
    expect(read.info.version).toBe(written.version);
    expect(read.info.size).toBe(5);
    expect(read.info.lastModified).toBeInstanceOf(Date);
  });

  it('stores strings as UTF-8 and reports md5 when it claims to', async () => {
    const vfs = ctx.vfs();
    const info = await vfs.write('text', 'héllo ✓');
    expect(text((await vfs.read('text')).body)).toBe('héllo ✓');
    expect(info.size).toBe(Buffer.byteLength('héllo ✓'));
    if (vfs.capabilities.md5) {
      const stat = await vfs.stat('text');
      expect(stat.md5).toBe(createHash('md5').update('héllo ✓').digest('hex'));
    }
  });

  it('stores an empty object', async () => {
    const vfs = ctx.vfs();
    await vfs.write('empty', new Uint8Array(0));
    const read = await vfs.read('empty');
    expect(read.body.byteLength).toBe(0);
    expect((await vfs.stat('empty')).size).toBe(0);
  });

  it('gives NotFound for a missing key on read, readStream and stat', async () => {
    const vfs = ctx.vfs();
    expect(await codeOf(vfs.read('missing'))).toBe('NotFound');
    expect(await codeOf(vfs.readStream('missing'))).toBe('NotFound');
    expect(await codeOf(vfs.stat('missing/deeper'))).toBe('NotFound');
  });

  it('keeps the version while unchanged and changes it when the content changes', async () => {
    const vfs = ctx.vfs();
    const first = await vfs.write('v', 'one');
    expect((await vfs.stat('v')).version).toBe(first.version);
    expect((await vfs.stat('v')).version).toBe(first.version);
    const second = await vfs.write('v', 'two');
    expect(second.version).not.toBe(first.version);
    const third = await vfs.write('v', 'one');
    expect(third.version).not.toBe(second.version);
    expect(text((await vfs.read('v')).body)).toBe('one');
  });

  it('deletes, and deleting a missing key succeeds', async () => {
    const vfs = ctx.vfs();
    await vfs.write('a/b/c', 'x');
    await vfs.delete('a/b/c');
    expect(await codeOf(vfs.read('a/b/c'))).toBe('NotFound');
    await vfs.delete('a/b/c');
    await vfs.delete('never/existed');
    const page = await vfs.list({ prefix: 'a/', delimiter: '/' });
    expect(page.objects).toEqual([]);
    expect(page.prefixes).toEqual([]);
  });

  it('copies, keeping the source, and refuses a missing source with NotFound', async () => {
    const vfs = ctx.vfs();
    await vfs.write('src/one', 'payload');
    const info = await vfs.copy('src/one', 'dst/one');
    expect(info.key).toBe('dst/one');
    expect(info.size).toBe(7);
    expect(text((await vfs.read('dst/one')).body)).toBe('payload');
    expect(text((await vfs.read('src/one')).body)).toBe('payload');
    await vfs.write('dst/two', 'old');
    await vfs.copy('src/one', 'dst/two');
    expect(text((await vfs.read('dst/two')).body)).toBe('payload');
    expect(await codeOf(vfs.copy('src/missing', 'dst/three'))).toBe('NotFound');
    expect(await codeOf(vfs.read('dst/three'))).toBe('NotFound');
  });

  const weirdKeys = [
    'with space/file name.yaml',
    'unicode/ünïcødé-日本語-🚀',
    'plus/a+b+c',
    'percent/100%25-%2F-%',
    'query/a?b=c&d#frag',
    'tilde~and=equals,comma;semi:colon@at!bang',
    'quotes/"double" \'single\'',
    'brackets/[x]{y}(z)<w>',
    // 1024 bytes in all, in segments short enough for every filesystem (255-byte names).
    `long/${Array.from({ length: 5 }, (_, i) => String(i).repeat(199)).join('/')}/${'k'.repeat(1024 - 5 - 5 * 200)}`,
  ];
  it.each(weirdKeys.map((key) => [key.slice(0, 40), key]))('round-trips the key %s', async (_label, key) => {
    const vfs = ctx.vfs();
    await vfs.write(key, key);
    expect(text((await vfs.read(key)).body)).toBe(key);
    expect((await vfs.stat(key)).key).toBe(key);
    const dir = key.slice(0, key.indexOf('/') + 1);
    const listed = [];
    for await (const info of vfs.listAll({ prefix: dir })) listed.push(info.key);
    expect(listed).toEqual([key]);
    await vfs.delete(key);
    expect(await codeOf(vfs.stat(key))).toBe('NotFound');
  });

  const hostileKeys = [
    '../escape',
    'a/../../b',
    'a//b',
    '/absolute',
    'trailing/',
    '',
    '.',
    'a/./b',
    'nul\0byte',
    'k'.repeat(1025),
  ];
  it.each(hostileKeys.map((key) => [JSON.stringify(key).slice(0, 30), key]))(
    'refuses the key %s with InvalidArgument before any I/O',
    async (_label, key) => {
      const vfs = ctx.vfs();
      for (const call of [
        vfs.read(key),
        vfs.stat(key),
        vfs.write(key, 'x'),
        vfs.delete(key),
        vfs.copy('x', key),
        vfs.readStream(key),
      ]) {
        const err = await call.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
      }
      expect((await vfs.list()).objects).toEqual([]);
    },
  );

  it('refuses prefixes that could leave the root', async () => {
    const vfs = ctx.vfs();
    expect(await codeOf(vfs.list({ prefix: '../' }))).toBe('InvalidArgument');
    expect(await codeOf(vfs.list({ prefix: '/etc' }))).toBe('InvalidArgument');
  });

  it('has a printable URL without credentials and a backend name', () => {
    const vfs = ctx.vfs();
    expect(vfs.url).toMatch(/^[a-z0-9]+:\/\//);
    expect(vfs.url).not.toMatch(/\/\/[^/]*:[^/]*@/);
    expect(vfs.backend.length).toBeGreaterThan(0);
  });
}
