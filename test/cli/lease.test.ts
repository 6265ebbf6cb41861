/**
 * `statestore lease acquire|release|show`, and the leases `move` and `edit` take by default (built
 * bin, file:// stores): a lease held by someone else stops them with exit code 5 naming the holder
 * and its expiry; `--no-lease` skips it; a leased move leaves no lease behind, at either end.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMPLEX, MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

const cluster = MINIMAL.cluster;
const leaseFile = (dir: string, name = cluster): string => path.join(dir, name, 'backups', 'statestore', 'lease');

describe('statestore lease (built bin)', () => {
  beforeAll(requireBuiltCli);

  it('acquire, show, refuse others (exit 5, holder named), release', async () => {
    const store = makeStore([MINIMAL]);
    const state = { state: store.url };
    const taken = await run(['lease', 'acquire', 'cluster', cluster, '--owner', 'ci-42', '--ttl', '5m'], state);
    expect(taken.code).toBe(0);
    expect(taken.stdout).toContain('leased by "ci-42" until');

    const shown = await run(['lease', 'show', 'cluster', cluster, '--json'], state);
    const info = JSON.parse(shown.stdout) as { owner: string; leased: boolean; expiresAt: string };
    expect([info.owner, info.leased]).toEqual(['ci-42', true]);

    const again = await run(['lease', 'acquire', 'cluster', cluster, '--owner', 'someone-else'], state);
    expect(again.code).toBe(5);
    expect(again.stderr).toContain('"ci-42"');
    expect(again.stderr).toContain(info.expiresAt);

    const notYours = await run(['lease', 'release', 'cluster', cluster, '--owner', 'someone-else'], state);
    expect(notYours.code).toBe(5);
    expect(existsSync(leaseFile(store.dir))).toBe(true);
    const released = await run(['lease', 'release', 'cluster', cluster, '--owner', 'ci-42'], state);
    expect(released.code).toBe(0);
    expect(existsSync(leaseFile(store.dir))).toBe(false);
    expect((await run(['lease', 'show', 'cluster', cluster], state)).stdout).toContain('is not leased');

    // A damaged lease object: show and release fail (exit 1), release --force removes it.
    mkdirSync(path.dirname(leaseFile(store.dir)), { recursive: true }); // the release removed the empty folders
    writeFileSync(leaseFile(store.dir), 'not a lease');
    expect((await run(['lease', 'release', 'cluster', cluster], state)).code).toBe(1);
    expect(existsSync(leaseFile(store.dir))).toBe(true);
    expect((await run(['lease', 'release', 'cluster', cluster, '--force'], state)).code).toBe(0);
    expect(existsSync(leaseFile(store.dir))).toBe(false);
  });

  it('refuses a bad ttl (exit 2) or cluster name (exit 4) and writes nothing', async () => {
    const store = makeStore([MINIMAL]);
    const badTtl = await run(['lease', 'acquire', 'cluster', cluster, '--ttl', '-5s'], { state: store.url });
    expect(badTtl.code).toBe(2);
    const badName = await run(['lease', 'acquire', 'cluster', 'Not_A_Name'], { state: store.url });
    expect(badName.code).toBe(4);
    expect(existsSync(leaseFile(store.dir))).toBe(false);
  });

  it('move and edit stop at a lease held by someone else (exit 5) unless --no-lease; a leased move leaves none', async () => {
    const store = makeStore([MINIMAL, COMPLEX]);
    const state = { state: store.url };
    expect((await run(['lease', 'acquire', 'cluster', cluster, '--owner', 'rolling-change'], state)).code).toBe(0);

    const destination = pathToFileURL(path.join(tempDir(), 'store')).href;
    const blocked = await run(['move', store.url, destination]);
    expect(blocked.code).toBe(5);
    expect(blocked.stderr).toContain('"rolling-change"');
    expect(blocked.stderr).toContain('--no-lease');

    const editor = path.join(tempDir(), 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\necho opened >> "$0.log"\n', { mode: 0o755 });
    const edit = await run(['edit', 'cluster', cluster], { ...state, env: { EDITOR: editor } });
    expect(edit.code).toBe(5);
    expect(edit.stderr).toContain('"rolling-change"');
    expect(existsSync(`${editor}.log`)).toBe(false); // refused before the editor opened

    const forced = await run(['move', store.url, destination, '--no-lease']);
    expect(forced.code).toBe(0);
    expect(existsSync(leaseFile(store.dir))).toBe(true); // someone else's: untouched

    // The other cluster is free: a leased move of it takes and releases its lease, and copies none.
    const other = pathToFileURL(path.join(tempDir(), 'store')).href;
    const leased = await run(['move', store.url, other, '--cluster', COMPLEX.cluster]);
    expect(leased.code).toBe(0);
    expect(existsSync(leaseFile(store.dir, COMPLEX.cluster))).toBe(false);
    expect(existsSync(leaseFile(new URL(other).pathname, COMPLEX.cluster))).toBe(false);
    expect(existsSync(leaseFile(new URL(destination).pathname))).toBe(false);
  });
});
