/**
 * The file backend removes a folder when a delete empties it (object stores have no folders). A
 * writer that found the folder may then see it gone when it creates its temp file: that write must
 * make the folder again, not fail with NotFound (seen as a lease acquisition failing under load,
 * test/store/lease-processes.test.ts).
 */
import { openVfs } from '../../src/backends/registry.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

afterAll(removeTempDirs);

it('writes into a folder that a concurrent delete empties and removes', async () => {
  const vfs = await openVfs(`file://${await tempDir('folder-race')}`);
  const failures: string[] = [];
  // Two writers, each creating and deleting its own file in one shared folder: every delete of the
  // folder's last file removes the folder while the other writer may be creating its temp file.
  const cycle = async (name: string) => {
    for (let round = 0; round < 300; round++) {
      const key = `cluster/backups/statestore/${name}`;
      try {
        await vfs.write(key, `${name} ${round}`, { ifNoneMatch: '*' });
        await vfs.delete(key);
      } catch (err) {
        failures.push(`${name} round ${round}: ${String(err)}`);
      }
    }
  };
  await Promise.all([cycle('one'), cycle('two'), cycle('three')]);
  expect(failures).toEqual([]);
  await vfs.close();
});
