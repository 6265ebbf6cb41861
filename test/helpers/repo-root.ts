import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository's root folder, found from the working directory upwards. Test helpers are also
 * imported by bench scripts run with tsx as ES modules, where `__dirname` does not exist, and by
 * Jest as CommonJS, where `import.meta` does not: this works for both.
 */
export const REPO_ROOT: string = (() => {
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'kops-statestore'
    )
      return dir;
    if (path.dirname(dir) === dir) throw new Error('run from inside the statestore repository');
  }
})();
