import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isStateStoreError } from '../errors.js';
import { assertAbove, codeOf, text } from './helpers.js';
import type { ConformanceContext } from './types.js';

/** Keys every backend must store and list back unchanged. */
const WEIRD_KEYS = [
  'with space/file name.yaml',
  'unicode/ünïcødé-日本語-🚀',
  'plus/a+b+c',
  'percent/100%25-%2F-%',
  'query/a?b=c&d#frag',
  'tilde~and=equals,comma;semi:colon@at!bang',
  'quotes/"double" \'single\'',
  'brackets/[x]{y}(z)<w>',
  // 1024 bytes in all (less the target's keyPrefixBytes), in segments short enough for every
  // filesystem (255-byte names).
  longKey(1024),
];

/** A key of exactly `bytes` bytes: `long/000.../111.../kkk`, segments of at most 199 bytes. */
function longKey(bytes: number): string {
  let key = 'long';
  for (let i = 0; key.length + 201 < bytes; i++) key += `/${String(i % 10).repeat(199)}`;
  return `${key}/${'k'.repeat(bytes - key.length - 1)}`;
}

/** Keys the portable layer must refuse before the driver sees them. */
const HOSTILE_KEYS = [
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

/** Read, write, stat, delete, copy, keys. */
export function basicCases(ctx: ConformanceContext): void {
  readWriteCases(ctx);
  deleteCopyCases(ctx);
  keyCases(ctx);
}

function readWriteCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('writes and reads back bytes with matching info', async () => {
    const vfs = ctx.vfs();
    const body = new Uint8Array([0, 1, 2, 250, 255]);
    const written = await vfs.write('dir/object.bin', body);
    assert.equal(written.key, 'dir/object.bin');
    assert.equal(written.size, 5);
    assert.equal(typeof written.version, 'string');
    assertAbove(written.version.length, 0, 'version length');
    const read = await vfs.read('dir/object.bin');
    assert.deepEqual([...read.body], [...body]);
    assert.equal(read.info.version, written.version);
    assert.equal(read.info.size, 5);
    assert.ok(read.info.lastModified instanceof Date, 'lastModified is a Date');
  });

  it('stores strings as UTF-8 and reports md5 when it claims to', async () => {
    const vfs = ctx.vfs();
    const info = await vfs.write('text', 'héllo ✓');
    assert.equal(text((await vfs.read('text')).body), 'héllo ✓');
    assert.equal(info.size, Buffer.byteLength('héllo ✓'));
    if (vfs.capabilities.md5) {
      const stat = await vfs.stat('text');
      assert.equal(stat.md5, createHash('md5').update('héllo ✓').digest('hex'));
    }
  });

  it('stores an empty object', async () => {
    const vfs = ctx.vfs();
    await vfs.write('empty', new Uint8Array(0));
    const read = await vfs.read('empty');
    assert.equal(read.body.byteLength, 0);
    assert.equal((await vfs.stat('empty')).size, 0);
  });

  it('gives NotFound for a missing key on read, readStream and stat', async () => {
    const vfs = ctx.vfs();
    assert.equal(await codeOf(vfs.read('missing')), 'NotFound');
    assert.equal(await codeOf(vfs.readStream('missing')), 'NotFound');
    assert.equal(await codeOf(vfs.stat('missing/deeper')), 'NotFound');
  });

  it('keeps the version while unchanged and changes it when the content changes', async () => {
    const vfs = ctx.vfs();
    const first = await vfs.write('v', 'one');
    assert.equal((await vfs.stat('v')).version, first.version);
    assert.equal((await vfs.stat('v')).version, first.version);
    const second = await vfs.write('v', 'two');
    assert.notEqual(second.version, first.version);
    const third = await vfs.write('v', 'one');
    assert.notEqual(third.version, second.version);
    assert.equal(text((await vfs.read('v')).body), 'one');
  });
}

function deleteCopyCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('deletes, and deleting a missing key succeeds', async () => {
    const vfs = ctx.vfs();
    await vfs.write('a/b/c', 'x');
    await vfs.delete('a/b/c');
    assert.equal(await codeOf(vfs.read('a/b/c')), 'NotFound');
    await vfs.delete('a/b/c');
    await vfs.delete('never/existed');
    const page = await vfs.list({ prefix: 'a/', delimiter: '/' });
    assert.deepEqual(page.objects, []);
    assert.deepEqual(page.prefixes, []);
  });

  it('copies, keeping the source, and refuses a missing source with NotFound', async () => {
    const vfs = ctx.vfs();
    await vfs.write('src/one', 'payload');
    const info = await vfs.copy('src/one', 'dst/one');
    assert.equal(info.key, 'dst/one');
    assert.equal(info.size, 7);
    assert.equal(text((await vfs.read('dst/one')).body), 'payload');
    assert.equal(text((await vfs.read('src/one')).body), 'payload');
    await vfs.write('dst/two', 'old');
    await vfs.copy('src/one', 'dst/two');
    assert.equal(text((await vfs.read('dst/two')).body), 'payload');
    assert.equal(await codeOf(vfs.copy('src/missing', 'dst/three')), 'NotFound');
    assert.equal(await codeOf(vfs.read('dst/three')), 'NotFound');
  });
}

function keyCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  // One case per key, named as Jest's `it.each('... %s')` named them before the suite shipped.
  for (const weird of WEIRD_KEYS) {
    it(`round-trips the key ${weird.slice(0, 40)}`, async () => {
      const vfs = ctx.vfs();
      const prefixBytes = ctx.target.keyPrefixBytes;
      const long = weird.startsWith('long/');
      const key = long ? longKey(1024 - prefixBytes) : weird;
      // One byte more would not fit the provider's limit once prefixed: refused before any request.
      if (long && prefixBytes > 0)
        assert.equal(await codeOf(vfs.write(longKey(1025 - prefixBytes), 'x')), 'InvalidArgument');
      await vfs.write(key, key);
      assert.equal(text((await vfs.read(key)).body), key);
      assert.equal((await vfs.stat(key)).key, key);
      const dir = key.slice(0, key.indexOf('/') + 1);
      const listed = [];
      for await (const info of vfs.listAll({ prefix: dir })) listed.push(info.key);
      assert.deepEqual(listed, [key]);
      await vfs.delete(key);
      assert.equal(await codeOf(vfs.stat(key)), 'NotFound');
    });
  }

  for (const key of HOSTILE_KEYS) {
    it(`refuses the key ${JSON.stringify(key).slice(0, 30)} with InvalidArgument before any I/O`, async () => {
      const vfs = ctx.vfs();
      const calls = [
        vfs.read(key),
        vfs.stat(key),
        vfs.write(key, 'x'),
        vfs.delete(key),
        vfs.copy('x', key),
        vfs.readStream(key),
      ];
      for (const call of calls) {
        const err = await call.then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(isStateStoreError(err, 'InvalidArgument'), `expected InvalidArgument, got ${String(err)}`);
      }
      assert.deepEqual((await vfs.list()).objects, []);
    });
  }

  it('refuses prefixes that could leave the root', async () => {
    const vfs = ctx.vfs();
    assert.equal(await codeOf(vfs.list({ prefix: '../' })), 'InvalidArgument');
    assert.equal(await codeOf(vfs.list({ prefix: '/etc' })), 'InvalidArgument');
  });

  it('has a printable URL without credentials and a backend name', async () => {
    const vfs = ctx.vfs();
    assert.match(vfs.url, /^[a-z0-9]+:\/\//);
    assert.doesNotMatch(vfs.url, /\/\/[^/]*:[^/]*@/);
    assertAbove(vfs.backend.length, 0, 'backend name length');
  });
}
