/**
 * The store on a real Swift, which enforces no compare-and-swap: mergeConfig refused when the
 * store claims no create-if-absent either, run under the cluster's lease when it claims
 * create-if-absent (best effort); and what `probeStore` (`statestore doctor`) reports for both.
 * Run by swift.test.ts, on its Swift (swift-shared.ts): one start of Swift for both.
 */
import { openVfs } from '../../src/backends/registry.js';
import { openStateStore } from '../../src/store/open.js';
import { probeStore } from '../../src/store/probe.js';
import type { Vfs } from '../../src/vfs/types.js';
import { onTerminal, requireBuiltCli } from '../cli/harness.js';
import { errorCode } from '../helpers/index.js';
import type { SwiftHandle } from '../servers/swift.js';
import { stopSwiftServer, swiftServer } from './swift-shared.js';
import { treeFiles, TREES } from '../store/trees.js';

let server: SwiftHandle;
let counter = 0;

beforeAll(async () => {
  server = await swiftServer();
}, 240_000);

afterAll(stopSwiftServer);

function open(url: string): Promise<Vfs> {
  return openVfs(url, { env: server.env });
}

/** A store that claims create-if-absent, as kops's swiftfs does (checked as the write arrives). */
function bestEffort(url: string): Promise<Vfs> {
  return openVfs(url, { env: server.env, swift: { createIfAbsent: 'best-effort' } } as Parameters<typeof openVfs>[1]);
}

describe('swift: what the store does without compare-and-swap', () => {
  it('refuses mergeConfig with Unsupported when it claims no create-if-absent either, leaving the config', async () => {
    const tree = TREES[0]!;
    const vfs = await open(`swift://moves/merge-${++counter}`);
    const files = treeFiles(tree);
    for (const [key, body] of files) await vfs.write(key, body);
    const store = await openStateStore(vfs);
    const configKey = `${tree.cluster}/config`;
    expect(await errorCode(store.mergeConfig(tree.cluster, { spec: { kubernetesVersion: '1.30.0' } }))).toBe(
      'Unsupported',
    );
    expect(Buffer.from((await vfs.read(configKey)).body).equals(files.get(configKey)!)).toBe(true);
    await vfs.close();
  });

  it('merges under the cluster lease with create-if-absent: 6 writers x 3 merges, no update lost', async () => {
    const tree = TREES[0]!;
    const url = `swift://moves/merge-lease-${++counter}`;
    const seed = await bestEffort(url);
    for (const [key, body] of treeFiles(tree)) await seed.write(key, body);
    const writers = await Promise.all(Array.from({ length: 6 }, () => bestEffort(url)));
    try {
      const stores = await Promise.all(writers.map((vfs) => openStateStore(vfs)));
      await Promise.all(
        stores.map(async (store, writer) => {
          for (let merge = 0; merge < 3; merge++) {
            const result = await store.mergeConfig(tree.cluster, {
              spec: { cloudLabels: { [`writer-${writer}-merge-${merge}`]: 'kept' } },
            });
            expect(result.changed).toBe(true);
          }
        }),
      );
      const labels = (await stores[0]!.getCluster(tree.cluster)).value.spec?.cloudLabels ?? {};
      const expected = Array.from({ length: 18 }, (_, i) => `writer-${Math.floor(i / 3)}-merge-${i % 3}`);
      expect(expected.filter((label) => labels[label] !== 'kept')).toEqual([]);
      // Each merge released the lease it took.
      expect(
        await seed
          .stat(`${tree.cluster}/backups/statestore/lease`)
          .catch((err: unknown) => (err as { code?: string }).code),
      ).toBe('NotFound');
    } finally {
      await Promise.all([seed, ...writers].map((vfs) => vfs.close()));
    }
  });
});

describe('swift: probeStore (statestore doctor)', () => {
  beforeAll(requireBuiltCli);

  it('prints the report on a terminal: merges and leases refused, not unsafe (exit 0)', async () => {
    const { output, code } = await onTerminal(['doctor', 'swift://doctor/terminal'], server.env);
    process.stderr.write(`doctor on swift:\n${output}\n`);
    expect(code).toBe(0);
    expect(output).toMatch(/compare-and-swap: +not-claimed/);
    expect(output).toMatch(/mergeConfig: +refused \(Unsupported\)/);
  });

  it('swift: no condition claimed, so merges and leases are refused (not unsafe)', async () => {
    const vfs = await open('swift://doctor/plain');
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
    const vfs = await bestEffort('swift://doctor/best-effort');
    const report = await probeStore(vfs);
    await vfs.close();
    expect(report.conditions.create).toBe('honoured');
    expect(report.guarantees.mergeConfig).toBe('lease');
    expect(report.guarantees.leases).toBe('unsupported');
    // The scratch objects are gone.
    const check = await open('swift://doctor');
    expect((await check.list()).objects).toEqual([]);
    await check.close();
  });
});
