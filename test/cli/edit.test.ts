import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

/** Parsed CLI output or YAML, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side JSON walked by known paths
type Loose = any;

/**
 * A scripted $EDITOR: each launch appends what it was shown to a log, then applies the next step
 * of STEPS (a JSON list of [from, to] replacements, one per launch); RACE_FILE, when set, is
 * rewritten during the first launch, as another writer would.
 */
const EDITOR_SCRIPT = `
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
const log = process.env.EDIT_LOG;
const launches = existsSync(log) ? readFileSync(log, 'utf8').split('\\u0000').length - 1 : 0;
const text = readFileSync(file, 'utf8');
appendFileSync(log, text + '\\u0000');
const [from, to] = JSON.parse(process.env.STEPS)[launches] ?? ['', ''];
writeFileSync(file, from === '' ? text : text.replace(new RegExp(from), to));
if (process.env.RACE_FILE && launches === 0) {
  const stored = readFileSync(process.env.RACE_FILE, 'utf8');
  writeFileSync(process.env.RACE_FILE, stored.replace(/masterPublicName: .*/, 'masterPublicName: api.raced.example.com'));
}
`;

describe('statestore edit (built bin, scripted $EDITOR)', () => {
  let store: { dir: string; url: string };
  let editor: string;
  beforeAll(() => {
    requireBuiltCli();
    store = makeStore([MINIMAL]);
    editor = path.join(tempDir(), 'editor.mjs');
    writeFileSync(editor, EDITOR_SCRIPT);
  });
  const config = (): string => path.join(store.dir, MINIMAL.cluster, 'config');
  const launches = (log: string): string[] => readFileSync(log, 'utf8').split('\u0000').slice(0, -1);
  const edit = (steps: Array<[string, string]>, extra: NodeJS.ProcessEnv = {}) => {
    const log = path.join(tempDir(), 'log');
    const env = { EDITOR: `${process.execPath} ${editor}`, EDIT_LOG: log, STEPS: JSON.stringify(steps), ...extra };
    return run(['edit', 'cluster', MINIMAL.cluster], { state: store.url, env }).then((result) => ({ ...result, log }));
  };

  it("opens the stored text under kops's header, validates, shows the diff and writes", async () => {
    const result = await edit([['kubernetesVersion: .*', 'kubernetesVersion: 1.33.0']]);
    expect(result.code).toBe(0);
    const [shown] = launches(result.log);
    expect(shown!.startsWith("# Please edit the object below. Lines beginning with a '#' will be ignored,\n")).toBe(
      true,
    );
    expect(result.stdout).toContain('+  kubernetesVersion: 1.33.0');
    expect((parseYaml(readFileSync(config(), 'utf8')).value as Loose).spec.kubernetesVersion).toBe('1.33.0');
  });

  it('edits an instance group the same way (edit ig NAME --name CLUSTER)', async () => {
    const log = path.join(tempDir(), 'log');
    const env = {
      EDITOR: `${process.execPath} ${editor}`,
      EDIT_LOG: log,
      STEPS: JSON.stringify([['maxSize: .*', 'maxSize: 9']]),
    };
    const result = await run(['edit', 'ig', 'nodes', '--name', MINIMAL.cluster], { state: store.url, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('+  maxSize: 9');
    expect(
      (parseYaml(readFileSync(path.join(store.dir, MINIMAL.cluster, 'instancegroup/nodes'), 'utf8')).value as Loose)
        .spec.maxSize,
    ).toBe(9);
  });

  it('reopens an invalid edit with the errors as comments at the top, then writes the fixed one', async () => {
    const result = await edit([
      ['kubernetesVersion: .*', 'kubernetesVersoin: 1.34.1'],
      ['  kubernetesVersoin:', '  kubernetesVersion:'],
    ]);
    expect(result.code).toBe(0);
    const [, second] = launches(result.log);
    expect(second).toMatch(/^# Please edit[^]*\n# .*did you mean "kubernetesVersion"\?\n#\n/);
    expect(second).toContain('kubernetesVersoin: 1.34.1');
    expect((parseYaml(readFileSync(config(), 'utf8')).value as Loose).spec.kubernetesVersion).toBe('1.34.1');
  });

  it('an unchanged save cancels; an invalid file saved twice unchanged stops with exit 4', async () => {
    const same = await edit([]);
    expect(same.code).toBe(0);
    expect(same.stderr).toContain('Edit cancelled: no changes made.');
    const stuck = await edit([['kubernetesVersion: .*', 'kubernetesVersoin: 1.34.1']]);
    expect(stuck.code).toBe(4);
    expect(stuck.stderr).toContain('Edit cancelled: no valid changes were saved.');
    expect(launches(stuck.log)).toHaveLength(2);
  });

  it('a lost race writes nothing, shows what changed meanwhile, and keeps the edit (exit 5)', async () => {
    const result = await edit([['kubernetesVersion: .*', 'kubernetesVersion: 1.35.0']], { RACE_FILE: config() });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('changed by someone else');
    expect(result.stderr).toContain('+  masterPublicName: api.raced.example.com');
    const kept = /Your edit is in (\S+)\./.exec(result.stderr)![1]!;
    expect(readFileSync(kept, 'utf8')).toContain('kubernetesVersion: 1.35.0');
    const stored = parseYaml(readFileSync(config(), 'utf8')).value as Loose;
    expect(stored.spec.masterPublicName).toBe('api.raced.example.com');
    expect(stored.spec.kubernetesVersion).not.toBe('1.35.0');
  });
});
