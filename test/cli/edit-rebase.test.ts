/** rebaseEdit: the user's change re-applied onto another writer's version (src/cli/edit-rebase.ts). */
import { rebaseEdit } from '../../src/cli/edit-rebase.js';

describe('rebaseEdit', () => {
  const original = { metadata: { name: 'a', generation: 1 }, spec: { version: '1', api: 'x', subnets: [{ n: 's1' }] } };

  it("keeps their change and generation, adds the user's: no conflict when the fields differ", () => {
    const theirs = { ...original, metadata: { name: 'a', generation: 2 }, spec: { ...original.spec, api: 'y' } };
    const yours = { ...original, spec: { ...original.spec, version: '2' } };
    expect(rebaseEdit(original, yours, theirs)).toEqual({
      value: { metadata: { name: 'a', generation: 2 }, spec: { version: '2', api: 'y', subnets: [{ n: 's1' }] } },
      conflicts: [],
    });
  });

  it('lists a field both changed (yours applied), and any change inside an array both touched', () => {
    const theirs = { ...original, spec: { ...original.spec, version: '3', subnets: [{ n: 's0' }, { n: 's1' }] } };
    const yours = { ...original, spec: { ...original.spec, version: '2', subnets: [{ n: 's1', cidr: '10/8' }] } };
    const rebased = rebaseEdit(original, yours, theirs);
    expect(rebased.conflicts.map((c) => c.path)).toEqual(['/spec/version', '/spec/subnets/0/cidr']);
    expect(rebased.conflicts[0]).toEqual({ path: '/spec/version', theirs: '3', yours: '2' });
    expect((rebased.value as typeof original).spec.version).toBe('2');
  });

  it('lists a change that no longer applies (the field is gone) and skips it', () => {
    const theirs = { metadata: original.metadata, spec: { version: '1', subnets: [] } };
    const rebased = rebaseEdit(original, { ...original, spec: { ...original.spec, api: 'z' } }, theirs);
    expect(rebased.conflicts).toEqual([{ path: '/spec/api', theirs: undefined, yours: 'z' }]);
    expect(rebased.value).toEqual(theirs);
  });
});
