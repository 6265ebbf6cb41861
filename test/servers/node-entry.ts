/**
 * How a test starts one of the repository's TypeScript entry points as a child process with
 * `process.execPath`: from the plain-JavaScript bundle that Jest's global setup built
 * (child-bundles.cjs, listed there), or through tsx when there is none (a bench script, a test
 * helper run outside Jest). The bundle starts without tsx's loader: ~0.6 s less CPU per child.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/repo-root.js';

/**
 * The node arguments that run `entry` (a path relative to the repository root, e.g.
 * `test/servers/s3rver-child.ts`), to be placed after node's own options and before the child's.
 */
export function nodeEntry(entry: string): string[] {
  const bundles = process.env['STATESTORE_TEST_CHILDREN'];
  if (bundles !== undefined && bundles !== '') {
    const bundle = path.join(bundles, entry.replace(/\.ts$/, '.mjs'));
    if (existsSync(bundle)) return [bundle];
  }
  return ['--import', 'tsx', path.join(REPO_ROOT, entry)];
}
