import { codeOf, text, type ConformanceContext } from './suite.js';

/** Create-if-absent, compare-and-swap, conditional delete and the two races. */
export function conditionCases(ctx: ConformanceContext): void {
  it('creates with ifNoneMatch when absent and refuses with AlreadyExists when present', async () => {
    const vfs = ctx.vfs();
    const created = await vfs.write('cond/new', 'first', { ifNoneMatch: '*' });
    expect(created.size).toBe(5);
    expect(await codeOf(vfs.write('cond/new', 'second', { ifNoneMatch: '*' }))).toBe('AlreadyExists');
    expect(text((await vfs.read('cond/new')).body)).toBe('first');
  });

  it('writes with ifMatch at the current version and refuses a stale one with PreconditionFailed', async () => {
    const vfs = ctx.vfs();
    const v1 = await vfs.write('cond/cas', 'one');
    const v2 = await vfs.write('cond/cas', 'two', { ifMatch: v1.version });
    expect(text((await vfs.read('cond/cas')).body)).toBe('two');
    expect(await codeOf(vfs.write('cond/cas', 'stale', { ifMatch: v1.version }))).toBe('PreconditionFailed');
    expect(text((await vfs.read('cond/cas')).body)).toBe('two');
    const v3 = await vfs.write('cond/cas', 'three', { ifMatch: v2.version });
    expect(v3.version).not.toBe(v2.version);
  });

  it('refuses ifMatch on a missing key with PreconditionFailed and creates nothing', async () => {
    const vfs = ctx.vfs();
    const other = await vfs.write('cond/other', 'x');
    expect(await codeOf(vfs.write('cond/absent', 'y', { ifMatch: other.version }))).toBe('PreconditionFailed');
    expect(await codeOf(vfs.stat('cond/absent'))).toBe('NotFound');
  });

  it('checks ifMatch on read and stat', async () => {
    const vfs = ctx.vfs();
    const v1 = await vfs.write('cond/read', 'one');
    expect(text((await vfs.read('cond/read', { ifMatch: v1.version })).body)).toBe('one');
    await vfs.write('cond/read', 'two');
    expect(await codeOf(vfs.read('cond/read', { ifMatch: v1.version }))).toBe('PreconditionFailed');
    expect(await codeOf(vfs.stat('cond/read', { ifMatch: v1.version }))).toBe('PreconditionFailed');
  });

  it('copies with destination conditions', async () => {
    const vfs = ctx.vfs();
    await vfs.write('cond/src', 'source');
    const dst = await vfs.write('cond/dst', 'destination');
    expect(await codeOf(vfs.copy('cond/src', 'cond/dst', { ifNoneMatch: '*' }))).toBe('AlreadyExists');
    expect(text((await vfs.read('cond/dst')).body)).toBe('destination');
    await vfs.copy('cond/src', 'cond/fresh', { ifNoneMatch: '*' });
    expect(text((await vfs.read('cond/fresh')).body)).toBe('source');
    if (vfs.capabilities.ifMatch) {
      await vfs.write('cond/dst', 'changed');
      expect(await codeOf(vfs.copy('cond/src', 'cond/dst', { ifMatch: dst.version }))).toBe('PreconditionFailed');
      expect(text((await vfs.read('cond/dst')).body)).toBe('changed');
    }
  });

  it('deletes with ifMatch only at the current version', async () => {
    const vfs = ctx.vfs();
    if (!vfs.capabilities.deleteIfMatch) {
      expect(await codeOf(vfs.delete('cond/x', { ifMatch: 'v' }))).toBe('Unsupported');
      return;
    }
    const v1 = await vfs.write('cond/del', 'one');
    const v2 = await vfs.write('cond/del', 'two');
    expect(await codeOf(vfs.delete('cond/del', { ifMatch: v1.version }))).toBe('PreconditionFailed');
    expect(text((await vfs.read('cond/del')).body)).toBe('two');
    await vfs.delete('cond/del', { ifMatch: v2.version });
    expect(await codeOf(vfs.stat('cond/del'))).toBe('NotFound');
    expect(await codeOf(vfs.delete('cond/del', { ifMatch: v2.version }))).toBe('PreconditionFailed');
  });

  it('refuses ifMatch together with ifNoneMatch, and malformed conditions, with InvalidArgument', async () => {
    const vfs = ctx.vfs();
    expect(await codeOf(vfs.write('cond/both', 'x', { ifMatch: 'v', ifNoneMatch: '*' }))).toBe('InvalidArgument');
    expect(await codeOf(vfs.write('cond/both', 'x', { ifNoneMatch: 'v1' as '*' }))).toBe('InvalidArgument');
    expect(await codeOf(vfs.write('cond/both', 'x', { ifMatch: '' }))).toBe('InvalidArgument');
    expect(await codeOf(vfs.stat('cond/both'))).toBe('NotFound');
  });

  it('lets exactly one of N racing create-if-absent writers win', async () => {
    const vfs = ctx.vfs();
    const n = ctx.target.racers;
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) => vfs.write('race/create', `writer-${i}`, { ifNoneMatch: '*' })),
    );
    const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected')
        expect(['AlreadyExists', 'Conflict']).toContain((result.reason as { code: string }).code);
    }
    expect(text((await vfs.read('race/create')).body)).toBe(`writer-${winners[0]}`);
  });

  it('lets exactly one of N racing compare-and-swap writers from the same version win', async () => {
    const vfs = ctx.vfs();
    const n = ctx.target.racers;
    const base = await vfs.write('race/cas', 'base');
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) => vfs.write('race/cas', `writer-${i}`, { ifMatch: base.version })),
    );
    const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected')
        expect(['PreconditionFailed', 'Conflict']).toContain((result.reason as { code: string }).code);
    }
    expect(text((await vfs.read('race/cas')).body)).toBe(`writer-${winners[0]}`);
  });
}
