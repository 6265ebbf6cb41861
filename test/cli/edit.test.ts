import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { CLI, MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

/** Parsed CLI output or YAML, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side JSON walked by known paths
type Loose = any;

/**
 * A scripted $EDITOR: each launch appends what it was shown to a log, then applies the next step
 * of STEPS (a JSON list of [from, to] replacements, one per launch); RACE_FILE, when set, is
 * rewritten during the first launch, as another writer would; RACE_ARGS (a JSON list of the bin's
 * arguments) runs the bin as that other writer instead, through the store.
 */
const EDITOR_SCRIPT = `
import { execFileSync } from 'node:child_process';
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
if (process.env.RACE_ARGS && launches === 0) execFileSync(process.execPath, JSON.parse(process.env.RACE_ARGS), { stdio: 'ignore' });
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
  const editWith = (what: string[], steps: Array<[string, string]>, extra: NodeJS.ProcessEnv = {}) => {
    const log = path.join(tempDir(), 'log');
    const env = { EDITOR: `${process.execPath} ${editor}`, EDIT_LOG: log, STEPS: JSON.stringify(steps), ...extra };
    return run(['edit', ...what], { state: store.url, env }).then((result) => ({ ...result, log }));
  };
  const edit = (steps: Array<[string, string]>, extra: NodeJS.ProcessEnv = {}) =>
    editWith(['cluster', MINIMAL.cluster], steps, extra);
  const editGroup = (steps: Array<[string, string]>) => editWith(['ig', 'nodes', '--name', MINIMAL.cluster], steps);

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
    const result = await editGroup([['maxSize: .*', 'maxSize: 9']]);
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

  it("a lost race re-applies the user's change on the new version: the other write is kept, generation moves on", async () => {
    const setByOther = [
      CLI,
      'set',
      'cluster',
      MINIMAL.cluster,
      'spec.masterPublicName=api.raced.example.com',
      '--no-lease',
    ];
    const before = (parseYaml(readFileSync(config(), 'utf8')).value as Loose).metadata.generation ?? 0;
    const result = await edit([['kubernetesVersion: .*', 'kubernetesVersion: 1.35.0']], {
      RACE_ARGS: JSON.stringify(setByOther),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('changed by someone else');
    expect(result.stderr).toContain('+  masterPublicName: api.raced.example.com');
    expect(launches(result.log)).toHaveLength(1);
    const stored = parseYaml(readFileSync(config(), 'utf8')).value as Loose;
    expect(stored.spec.masterPublicName).toBe('api.raced.example.com');
    expect(stored.spec.kubernetesVersion).toBe('1.35.0');
    // The other write took generation + 1, the edit's save + 1 more: never back.
    expect(stored.metadata.generation).toBe(before + 2);
  });

  it('a lost race on the same field reopens the editor on the re-applied change, both values shown; the save writes it', async () => {
    const setByOther = [
      CLI,
      'set',
      'cluster',
      MINIMAL.cluster,
      'spec.kubernetesVersion=1.36.0',
      'spec.masterPublicName=api.other.example.com',
      '--no-lease',
    ];
    const result = await edit(
      [
        ['kubernetesVersion: .*', 'kubernetesVersion: 1.35.1'],
        ['', ''], // the user reads the conflict and saves as it is
      ],
      { RACE_ARGS: JSON.stringify(setByOther) },
    );
    expect(result.code).toBe(0);
    const [, reopened] = launches(result.log);
    expect(reopened).toContain('# cluster "minimal.example.com" was changed by someone else while you edited it.');
    expect(reopened).toContain('#   /spec/kubernetesVersion: theirs "1.36.0", yours "1.35.1"');
    expect(stripHeader(reopened!)).toContain('kubernetesVersion: 1.35.1');
    expect(stripHeader(reopened!)).toContain('masterPublicName: api.other.example.com');
    const stored = parseYaml(readFileSync(config(), 'utf8')).value as Loose;
    expect(stored.spec.kubernetesVersion).toBe('1.35.1');
    expect(stored.spec.masterPublicName).toBe('api.other.example.com');
  });

  it('a changed metadata.name reopens the editor with the error; nothing is renamed or created', async () => {
    const result = await editGroup([['name: nodes', 'name: workers']]);
    expect(result.code).toBe(4);
    const [, reopened] = launches(result.log);
    expect(reopened).toContain('# /metadata/name: cannot change from "nodes"');
    expect(existsSync(path.join(store.dir, MINIMAL.cluster, 'instancegroup/workers'))).toBe(false);
  });

  it('the same errors after two saves stop the edit (exit 4), even when the file changed in between', async () => {
    // An editor that keeps changing another field and never fixes the typo: without the rule it loops.
    const steps: Array<[string, string]> = [['kubernetesVersion: .*', 'kubernetesVersoin: 1.34.1']];
    for (let i = 0; i < 20; i++) steps.push(['masterPublicName: .*', `masterPublicName: api${i}.example.com`]);
    const result = await edit(steps);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Edit cancelled: no valid changes were saved (the same errors twice).');
    expect(launches(result.log)).toHaveLength(2);
    const kept = /A copy of your changes is in (\S+)/.exec(result.stderr)![1]!;
    expect(readFileSync(kept, 'utf8')).toContain('kubernetesVersoin: 1.34.1');
  });
});

const stripHeader = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
