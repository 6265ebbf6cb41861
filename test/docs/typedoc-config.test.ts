/**
 * The API reference (`npm run docs`, TypeDoc) renders every guide of docs/ as a page instead of
 * copying its Markdown raw, and names each module by its import path (`statestore`, not `index`).
 * Checked on the configuration, not by running TypeDoc (~25 s); `npm run docs` treats its warnings
 * (a link to a missing guide or anchor) as errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/index.js';

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');

describe('typedoc.json', () => {
  const config = JSON.parse(read('typedoc.json')) as { entryPoints: string[]; projectDocuments?: string[] };
  const pkg = JSON.parse(read('package.json')) as { name: string; exports: Record<string, unknown> };

  it('renders every guide in docs/', () => {
    const guides = readdirSync(path.join(REPO_ROOT, 'docs'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/${file}`)
      .sort();
    expect([...(config.projectDocuments ?? [])].sort()).toEqual(guides);
  });

  it('names each entry point by the path it is imported as', () => {
    const subpaths = Object.keys(pkg.exports).filter((key) => key !== './package.json');
    expect(config.entryPoints).toHaveLength(subpaths.length);
    const modules = config.entryPoints.map((entry) => /@module (\S+)/.exec(read(entry))?.[1]);
    expect(modules.sort()).toEqual(
      subpaths.map((key) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`)).sort(),
    );
  });
});
