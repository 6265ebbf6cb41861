/**
 * Issue #14 items 3, 4, 7 and 9 at the store, on memory and file: hostile changes to mergeConfig
 * and putConfig are typed errors that write nothing; unknown fields a change introduces are
 * refused, those already stored are reported as warnings and kept.
 */
import type { StateStore } from '../../src/store/state-store.js';
import type { ClusterConfig } from '../../src/config/schema/types.generated.js';
import { isStateStoreError, type StateStoreError } from '../../src/errors.js';
import type { Vfs } from '../../src/vfs/types.js';
import { fileTarget, memoryTarget, stopAll } from '../backends/targets.js';
import { storeWithTree, TREES } from './trees.js';

afterAll(stopAll);
const tree = TREES[0]!;
const name = tree.cluster;
const key = `${name}/config`;

function deep(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

async function failure(promise: Promise<unknown>): Promise<StateStoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStateStoreError(err)) throw new Error(`expected a StateStoreError, got ${String(err)}`);
  return err;
}

const text = async (vfs: Vfs) => Buffer.from((await vfs.read(key)).body).toString();

describe.each([memoryTarget, fileTarget].map((t) => [t.name, t] as const))(
  'hostile mergeConfig and putConfig on %s',
  (_label, target) => {
    let vfs: Vfs;
    let store: StateStore;
    beforeEach(async () => {
      ({ vfs, store } = await storeWithTree(target, tree));
    });
    afterEach(async () => {
      await store.close();
    });

    it('a 5,000-deep value, a 5 MB document or a 100k-token path is InvalidArgument, and nothing is written (#14.3, #14.4)', async () => {
      const before = await vfs.stat(key);
      const value = deep(5000);
      const big = { additionalPolicies: { node: 'x'.repeat(5 * 1024 * 1024) } };
      const changes: unknown[] = [
        { spec: { cloudLabels: value } },
        { strategic: { spec: big } },
        { set: [`spec${'.a'.repeat(100_000)}=1`] },
        { unset: [`spec${'.a'.repeat(100_000)}`] },
        { mergePatch: { spec: { cloudLabels: value } } },
        { mergePatch: { spec: big } },
        { jsonPatch: [{ op: 'add', path: '/spec/cloudLabels', value }] },
        { jsonPatch: [{ op: 'add', path: '/a'.repeat(100_000), value: 1 }] },
        () => ({ spec: value }),
      ];
      for (const change of changes) {
        const err = await failure(store.mergeConfig(name, change as never));
        expect(err.code).toBe('InvalidArgument');
        expect(err.message).toMatch(/maxDepth|maxBytes|maxPathLength|maxPathTokens/);
      }
      const config = (await store.getCluster(name)).value;
      for (const bad of [
        { ...config, spec: { ...config.spec, cloudLabels: value } },
        { ...config, spec: { ...config.spec, ...big } },
      ]) {
        expect((await failure(store.putConfig(name, bad as ClusterConfig))).message).toMatch(/maxDepth|maxBytes/);
      }
      expect((await vfs.stat(key)).version).toBe(before.version);
    });

    it('an unknown field a change introduces is a ValidationError, prototype names included (#14.7)', async () => {
      const before = await text(vfs);
      for (const change of [
        { spec: { k8sVersion: '1.30' } },
        JSON.parse('{"spec":{"toString":"x","valueOf":1,"hasOwnProperty":true}}'),
        { mergePatch: { spec: { k8sVersion: '1.30' } } },
        { jsonPatch: [{ op: 'add', path: '/spec/k8sVersion', value: '1.30' }] },
        (config: ClusterConfig) => ({ ...config, spec: { ...config.spec, k8sVersion: '1.30' } }),
      ]) {
        const err = await failure(store.mergeConfig(name, change as never));
        expect(err.code).toBe('ValidationError');
        expect(err.message).toMatch(/unknown field "(k8sVersion|toString)" at \/spec\/\w+ in Cluster/);
      }
      expect(await text(vfs)).toBe(before);
      const group = await failure(
        store.mergeInstanceGroup(name, 'nodes', { spec: { machineTyp: 'm5.large' } } as never),
      );
      expect(group).toMatchObject({
        code: 'ValidationError',
        issues: [expect.objectContaining({ path: '/spec/machineTyp', didYouMean: 'machineType' })],
      });
      expect(
        (await failure(store.mergeInstanceGroup(name, 'nodes', { spec: { gpuCount: 1 } } as never))).message,
      ).toMatch(/unknown field "gpuCount" at \/spec\/gpuCount in InstanceGroup/);
    });

    it('unknown fields already stored are kept and reported in MergeResult.warnings (#14.7)', async () => {
      const stored = (await text(vfs)).replace('spec:\n', 'spec:\n  futureField: 1\n  kubernetesVersoin: typo\n');
      await vfs.write(key, stored);
      const result = await store.mergeConfig(name, { spec: { channel: 'alpha' } });
      expect(result.changed).toBe(true);
      expect(result.warnings).toEqual([
        expect.objectContaining({ path: '/spec/futureField', severity: 'warning' }),
        expect.objectContaining({
          path: '/spec/kubernetesVersoin',
          severity: 'warning',
          didYouMean: 'kubernetesVersion',
        }),
      ]);
      expect(await text(vfs)).toContain('  futureField: 1\n  kubernetesVersoin: typo\n');
      const noop = await store.mergeConfig(name, { spec: { channel: 'alpha' } });
      expect(noop).toMatchObject({ changed: false, warnings: [expect.anything(), expect.anything()] });
    });

    it.each(['__proto__', 'constructor', 'prototype'])(
      '"%s" as a subnet name is refused by every change form and by putConfig (#14.7)',
      async (bad) => {
        const before = await text(vfs);
        const subnets = [{ name: bad, type: 'Public', zone: 'us-test-1a', cidr: '172.20.32.0/19' }];
        for (const change of [
          { spec: { subnets } },
          { mergePatch: { spec: { subnets } } },
          { jsonPatch: [{ op: 'add', path: '/spec/subnets/-', value: subnets[0] }] },
          { set: [`spec.subnets[name=${bad}].type=Private`] },
        ]) {
          const err = await failure(store.mergeConfig(name, change as never));
          expect(err.code).toBe('InvalidArgument');
          expect(err.message).toContain(`"${bad}"`);
        }
        const config = (await store.getCluster(name)).value;
        expect(
          (await failure(store.putConfig(name, { ...config, spec: { ...config.spec, subnets } } as ClusterConfig)))
            .code,
        ).toBe('InvalidArgument');
        expect(await text(vfs)).toBe(before);
      },
    );

    it('--set of a misspelled field has a did-you-mean, and mixed forms say they cannot be mixed (#14.9)', async () => {
      const typo = await failure(store.mergeConfig(name, { set: ['spec.kubelet.maxPodz=1'] }));
      expect(typo.message).toMatch(/did you mean "spec\.kubelet\.maxPods"\?/);
      const mixed = await failure(
        store.mergeConfig(name, { set: ['spec.channel=alpha'], spec: { channel: 'beta' } } as never),
      );
      expect(mixed.code).toBe('InvalidArgument');
      expect(mixed.message).toMatch(/cannot be mixed with "spec"/);
      expect(mixed.message).not.toMatch(/unknown field/);
    });
  },
);
