/** One check for "kops refuses this write": ValidationError with the issue, and no file of the store changed. */
import type { ValidationIssue } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection } from '../helpers/index.js';

/** Every file of the store: key, version and bytes. */
export async function everyFile(vfs: Vfs): Promise<string[]> {
  const files: string[] = [];
  for await (const info of vfs.listAll())
    files.push(`${info.key}@${info.version}\n${new TextDecoder().decode((await vfs.read(info.key)).body)}`);
  return files;
}

/** The call fails with ValidationError listing `issue`; no file of the store changed (key, version, bytes). */
export async function refused(vfs: Vfs, call: () => Promise<unknown>, issue: ValidationIssue): Promise<void> {
  const before = await everyFile(vfs);
  const err = await rejection(call());
  expect(err.code).toBe('ValidationError');
  expect(err.issues).toContainEqual(issue);
  expect(await everyFile(vfs)).toEqual(before);
}
