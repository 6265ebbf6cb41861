/**
 * Temp files left by writers that died mid-write (`.statestore-tmp-*`) are removed by a listing
 * that passes their folder, once nothing has written to them for `tempMaxAgeMs`; fresh ones (a
 * write in progress) and everything else are left alone.
 */
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import type { Vfs } from '../../src/vfs/types.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('file-debris-');
});
afterEach(removeTempDirs);

const DAY = 24 * 60 * 60 * 1000;

async function leaveDebris(folder: string, name: string, ageMs: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, name);
  await writeFile(file, 'half a write');
  const when = new Date(Date.now() - ageMs);
  await utimes(file, when, when);
}

async function keys(vfs: Vfs): Promise<string[]> {
  const out: string[] = [];
  for await (const info of vfs.listAll()) out.push(info.key);
  return out;
}

it('removes abandoned temp files (writes, copies, lock candidates) in the folders a listing passes, keeps fresh ones', async () => {
  const vfs = await openVfs(`file://${dir}`);
  await vfs.write('c.example.com/config', 'kind: Cluster\n');
  await vfs.write('c.example.com/pki/issued/ca/keyset.yaml', 'kind: Keyset\n');
  const pki = path.join(dir, 'c.example.com', 'pki', 'issued', 'ca');
  await leaveDebris(pki, '.statestore-tmp-0123456789ab', 2 * DAY);
  await leaveDebris(pki, '.statestore-tmp-copy-42-abc', 2 * DAY);
  await leaveDebris(path.join(dir, 'c.example.com'), '.statestore-tmp-lock-ffeeddccbbaa', 2 * DAY);
  await leaveDebris(pki, '.statestore-tmp-fresh00000000', 60_000); // a write in progress
  await leaveDebris(pki, '.statestore-lock-0000', 2 * DAY); // locks are broken by lock takers, not here

  expect(await keys(vfs)).toEqual(['c.example.com/config', 'c.example.com/pki/issued/ca/keyset.yaml']);
  expect((await readdir(pki)).sort()).toEqual([
    '.statestore-lock-0000',
    '.statestore-tmp-fresh00000000',
    'keyset.yaml',
  ]);
  expect(await readdir(path.join(dir, 'c.example.com'))).not.toContain('.statestore-tmp-lock-ffeeddccbbaa');
  expect(Buffer.from((await vfs.read('c.example.com/pki/issued/ca/keyset.yaml')).body).toString()).toBe(
    'kind: Keyset\n',
  );
  await vfs.close();
});

it('keeps every temp file with tempMaxAgeMs: Infinity, and refuses a negative age', async () => {
  const vfs = await openVfs(`file://${dir}`, { file: { tempMaxAgeMs: Infinity } });
  await vfs.write('a/config', 'x');
  await leaveDebris(path.join(dir, 'a'), '.statestore-tmp-0123456789ab', 400 * DAY);
  expect(await keys(vfs)).toEqual(['a/config']);
  expect(await readdir(path.join(dir, 'a'))).toContain('.statestore-tmp-0123456789ab');
  await vfs.close();
  await expect(openVfs(`file://${dir}`, { file: { tempMaxAgeMs: -1 } })).rejects.toMatchObject({
    code: 'InvalidArgument',
  });
});
