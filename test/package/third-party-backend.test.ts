/**
 * Issue #16: a third-party backend proves itself through the package as published. The built
 * package is packed with `npm pack`, unpacked into a scratch project's node_modules (its runtime
 * dependencies linked from this repository's node_modules: no network), and a tiny Map-backed
 * backend written against `kops-statestore/driver` only (fixtures/tiny-backend.mjs) runs
 * `kops-statestore/testing`'s suite under `node --test` in a child process.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runConformance, type TestFramework } from '../../src/testing/index.js';
import { REPO_ROOT } from '../helpers/index.js';

const run = promisify(execFile);
const FIXTURES = path.join(REPO_ROOT, 'test', 'package', 'fixtures');
const ENTRY_FILES = ['index', 'driver', 'testing'].flatMap((entry) => [`dist/${entry}.js`, `dist/${entry}.cjs`]);

/** The names of the cases the suite registers, counted with a framework that runs nothing. */
function conformanceCaseNames(): string[] {
  const names: string[] = [];
  const framework: TestFramework = {
    describe: (_name, body) => body(),
    it: (name) => names.push(name),
    beforeEach: () => undefined,
    afterEach: () => undefined,
  };
  runConformance({ name: 'count', open: () => Promise.reject(new Error('not run')) }, { framework });
  return names;
}

/** Packs the repository into `work` and installs the tarball as `project/node_modules/kops-statestore`. */
async function installPacked(work: string, project: string): Promise<void> {
  const env = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
  // --ignore-scripts: `prepack` rebuilds dist/ with tsup's clean, which would delete the CLI under
  // the suites running beside this one (they failed with exit 1 now and then). npm test built it.
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: REPO_ROOT,
    env,
  });
  const tarball = path.join(work, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
  const installed = path.join(project, 'node_modules', 'kops-statestore');
  mkdirSync(installed, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    const link = path.join(project, 'node_modules', dependency);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules', dependency), link, 'dir');
  }
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'tiny-backend', private: true, type: 'module' }),
  );
  for (const file of ['tiny-backend.mjs', 'tiny.conformance.mjs'])
    copyFileSync(path.join(FIXTURES, file), path.join(project, file));
}

/** Runs the node:test file, resolving with its exit code and TAP output even when it fails. */
async function nodeTest(project: string): Promise<{ code: number; tap: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--test', '--test-reporter=tap', 'tiny.conformance.mjs'], {
      cwd: project,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, tap: stdout };
  } catch (err) {
    const failure = err as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof failure.code === 'number' ? failure.code : -1, tap: `${failure.stdout}\n${failure.stderr}` };
  }
}

/** The results of the direct children of the TAP subtest `title` (4-space indented lines). */
function subtestResults(tap: string, title: string): { ok: string[]; notOk: string[]; plan: string | undefined } {
  const lines = tap.split('\n');
  const start = lines.indexOf(`# Subtest: ${title}`);
  const end = lines.findIndex((line, i) => i > start && new RegExp(`^(not )?ok \\d+ - ${title}$`).test(line));
  const block = start === -1 || end === -1 ? [] : lines.slice(start + 1, end);
  return {
    ok: block.filter((line) => /^ {4}ok \d+ - /.test(line)).map((line) => line.replace(/^ {4}ok \d+ - /, '')),
    // Each failure with its YAML detail block (the assertion's message and stack), for the report.
    notOk: block.flatMap((line, i) => {
      if (!/^ {4}not ok \d+ - /.test(line)) return [];
      const detailEnd = block.findIndex((next, j) => j > i && next === '      ...');
      return [block.slice(i, detailEnd === -1 ? i + 1 : detailEnd).join('\n')];
    }),
    plan: block.find((line) => /^ {4}1\.\.\d+$/.test(line))?.trim(),
  };
}

describe('a third-party backend through the packed tarball', () => {
  let work: string;
  let child: { code: number; tap: string };

  beforeAll(async () => {
    const missing = ENTRY_FILES.filter((file) => !existsSync(path.join(REPO_ROOT, file)));
    if (missing.length > 0)
      throw new Error(`${missing.join(', ')} missing: run \`npm run build\` first (\`npm test\` builds before jest)`);
    work = mkdtempSync(path.join(tmpdir(), 'statestore-third-party-'));
    const project = path.join(work, 'project');
    await installPacked(work, project);
    child = await nodeTest(project);
  }, 240_000);

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('passes every statestore/testing conformance case under node:test', () => {
    const expected = conformanceCaseNames();
    expect(expected.length).toBeGreaterThanOrEqual(59);
    const results = subtestResults(child.tap, 'conformance: tiny');
    expect(results.notOk).toEqual([]);
    expect(results.plan).toBe(`1..${expected.length}`);
    expect(results.ok).toHaveLength(expected.length);
    // TAP escapes `#` and `\` in names.
    expect(results.ok.map((name) => name.replace(/\\([#\\])/g, '$1'))).toEqual(expected);
    expect(child.code).toBe(0);
  });

  it("opens tiny:// with openVfs from the main entry 'statestore'", () => {
    const results = subtestResults(child.tap, 'tiny backend through the main entry');
    expect(results.notOk).toEqual([]);
    expect(results.ok).toEqual(["opens tiny://x with openVfs from 'kops-statestore'"]);
    expect(child.tap).toMatch(/^# fail 0$/m);
  });
});
