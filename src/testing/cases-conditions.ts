import assert from 'node:assert/strict';
import type { Vfs } from '../vfs/types.js';
import { codeOf, text } from './helpers.js';
import type { ConformanceContext } from './types.js';

/** Create-if-absent, compare-and-swap, conditional delete and the two races. */
export function conditionCases(ctx: ConformanceContext): void {
  writeConditionCases(ctx);
  otherConditionCases(ctx);
  raceCases(ctx);
}

/**
 * For a backend without the capability: the call is refused with Unsupported before any I/O and
 * `key` is left as it was (absent when `before` is undefined). The case then ends: the refusal is
 * what the contract asks of such a backend.
 */
export async function assertRefused(vfs: Vfs, key: string, call: Promise<unknown>, before?: string): Promise<void> {
  assert.equal(await codeOf(call), 'Unsupported');
  if (before === undefined) assert.equal(await codeOf(vfs.stat(key)), 'NotFound');
  else assert.equal(text((await vfs.read(key)).body), before);
}

function writeConditionCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('creates with ifNoneMatch when absent and refuses with AlreadyExists when present', async () => {
    const vfs = ctx.vfs();
    if (!(await vfs.loadCapabilities()).ifNoneMatch)
      return assertRefused(vfs, 'cond/new', vfs.write('cond/new', 'x', { ifNoneMatch: '*' }));
    const created = await vfs.write('cond/new', 'first', { ifNoneMatch: '*' });
    assert.equal(created.size, 5);
    assert.equal(await codeOf(vfs.write('cond/new', 'second', { ifNoneMatch: '*' })), 'AlreadyExists');
    assert.equal(text((await vfs.read('cond/new')).body), 'first');
  });

  it('writes with ifMatch at the current version and refuses a stale one with PreconditionFailed', async () => {
    const vfs = ctx.vfs();
    const v1 = await vfs.write('cond/cas', 'one');
    if (!(await vfs.loadCapabilities()).ifMatch) {
      return assertRefused(vfs, 'cond/cas', vfs.write('cond/cas', 'two', { ifMatch: v1.version }), 'one');
    }
    const v2 = await vfs.write('cond/cas', 'two', { ifMatch: v1.version });
    assert.equal(text((await vfs.read('cond/cas')).body), 'two');
    assert.equal(await codeOf(vfs.write('cond/cas', 'stale', { ifMatch: v1.version })), 'PreconditionFailed');
    assert.equal(text((await vfs.read('cond/cas')).body), 'two');
    const v3 = await vfs.write('cond/cas', 'three', { ifMatch: v2.version });
    assert.notEqual(v3.version, v2.version);
  });

  it('refuses ifMatch on a missing key with PreconditionFailed and creates nothing', async () => {
    const vfs = ctx.vfs();
    const other = await vfs.write('cond/other', 'x');
    if (!(await vfs.loadCapabilities()).ifMatch) {
      return assertRefused(vfs, 'cond/absent', vfs.write('cond/absent', 'y', { ifMatch: other.version }));
    }
    assert.equal(await codeOf(vfs.write('cond/absent', 'y', { ifMatch: other.version })), 'PreconditionFailed');
    assert.equal(await codeOf(vfs.stat('cond/absent')), 'NotFound');
  });

  it('checks ifMatch on read and stat', async () => {
    const vfs = ctx.vfs();
    const v1 = await vfs.write('cond/read', 'one');
    assert.equal(text((await vfs.read('cond/read', { ifMatch: v1.version })).body), 'one');
    await vfs.write('cond/read', 'two');
    assert.equal(await codeOf(vfs.read('cond/read', { ifMatch: v1.version })), 'PreconditionFailed');
    assert.equal(await codeOf(vfs.stat('cond/read', { ifMatch: v1.version })), 'PreconditionFailed');
  });
}

function otherConditionCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('copies with destination conditions', async () => {
    const vfs = ctx.vfs();
    await vfs.write('cond/src', 'source');
    const dst = await vfs.write('cond/dst', 'destination');
    if (!(await vfs.loadCapabilities()).ifNoneMatch) {
      await assertRefused(vfs, 'cond/fresh', vfs.copy('cond/src', 'cond/fresh', { ifNoneMatch: '*' }));
    } else {
      assert.equal(await codeOf(vfs.copy('cond/src', 'cond/dst', { ifNoneMatch: '*' })), 'AlreadyExists');
      assert.equal(text((await vfs.read('cond/dst')).body), 'destination');
      await vfs.copy('cond/src', 'cond/fresh', { ifNoneMatch: '*' });
      assert.equal(text((await vfs.read('cond/fresh')).body), 'source');
    }
    if (!(await vfs.loadCapabilities()).ifMatch) {
      await assertRefused(vfs, 'cond/dst', vfs.copy('cond/src', 'cond/dst', { ifMatch: dst.version }), 'destination');
    } else {
      await vfs.write('cond/dst', 'changed');
      assert.equal(await codeOf(vfs.copy('cond/src', 'cond/dst', { ifMatch: dst.version })), 'PreconditionFailed');
      assert.equal(text((await vfs.read('cond/dst')).body), 'changed');
    }
  });

  it('deletes with ifMatch only at the current version', async () => {
    const vfs = ctx.vfs();
    if (!(await vfs.loadCapabilities()).deleteIfMatch) {
      assert.equal(await codeOf(vfs.delete('cond/x', { ifMatch: 'v' })), 'Unsupported');
      return;
    }
    const v1 = await vfs.write('cond/del', 'one');
    const v2 = await vfs.write('cond/del', 'two');
    assert.equal(await codeOf(vfs.delete('cond/del', { ifMatch: v1.version })), 'PreconditionFailed');
    assert.equal(text((await vfs.read('cond/del')).body), 'two');
    await vfs.delete('cond/del', { ifMatch: v2.version });
    assert.equal(await codeOf(vfs.stat('cond/del')), 'NotFound');
    assert.equal(await codeOf(vfs.delete('cond/del', { ifMatch: v2.version })), 'PreconditionFailed');
  });

  it('refuses ifMatch together with ifNoneMatch, and malformed conditions, with InvalidArgument', async () => {
    const vfs = ctx.vfs();
    assert.equal(await codeOf(vfs.write('cond/both', 'x', { ifMatch: 'v', ifNoneMatch: '*' })), 'InvalidArgument');
    assert.equal(await codeOf(vfs.write('cond/both', 'x', { ifNoneMatch: 'v1' as '*' })), 'InvalidArgument');
    assert.equal(await codeOf(vfs.write('cond/both', 'x', { ifMatch: '' })), 'InvalidArgument');
    assert.equal(await codeOf(vfs.stat('cond/both')), 'NotFound');
  });
}

/**
 * Starts `n` writers at once and checks that exactly one won, that every loser failed with one of
 * `loserCodes`, and that the winner's content is what is stored.
 */
async function race(vfs: Vfs, key: string, n: number, write: (i: number) => Promise<unknown>, loserCodes: string[]) {
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => write(i)));
  const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
  assert.equal(winners.length, 1, `expected exactly one winner, got ${winners.length}`);
  for (const result of results) {
    if (result.status === 'rejected') {
      const code = (result.reason as { code?: unknown } | null | undefined)?.code;
      assert.ok(loserCodes.includes(code as string), `a loser failed with ${String(code)}: ${String(result.reason)}`);
    }
  }
  assert.equal(text((await vfs.read(key)).body), `writer-${winners[0]}`);
}

function raceCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('lets exactly one of N racing create-if-absent writers win', async () => {
    const vfs = ctx.vfs();
    if (!(await vfs.loadCapabilities()).ifNoneMatch) {
      return assertRefused(vfs, 'race/create', vfs.write('race/create', 'x', { ifNoneMatch: '*' }));
    }
    await race(
      vfs,
      'race/create',
      ctx.target.racers,
      (i) => vfs.write('race/create', `writer-${i}`, { ifNoneMatch: '*' }),
      ['AlreadyExists', 'Conflict'],
    );
  });

  it('lets exactly one of N racing compare-and-swap writers from the same version win', async () => {
    const vfs = ctx.vfs();
    const base = await vfs.write('race/cas', 'base');
    if (!(await vfs.loadCapabilities()).ifMatch) {
      return assertRefused(vfs, 'race/cas', vfs.write('race/cas', 'x', { ifMatch: base.version }), 'base');
    }
    await race(
      vfs,
      'race/cas',
      ctx.target.racers,
      (i) => vfs.write('race/cas', `writer-${i}`, { ifMatch: base.version }),
      ['PreconditionFailed', 'Conflict'],
    );
  });
}
