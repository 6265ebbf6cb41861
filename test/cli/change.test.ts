import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { COMPLEX, MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

/** Parsed CLI output or YAML, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side JSON walked by known paths
type Loose = any;

const configOf = (dir: string, cluster: string): string => readFileSync(path.join(dir, cluster, 'config'), 'utf8');
const valueOf = (text: string): Loose => parseYaml(text).value;

describe('statestore set/unset/patch/replace/diff/validate (built bin)', () => {
  let store: { dir: string; url: string };
  beforeAll(() => {
    requireBuiltCli();
    store = makeStore();
  });

  it('set --dry-run prints the unified diff and writes nothing; set writes; --json is parseable', async () => {
    const before = configOf(store.dir, MINIMAL.cluster);
    const dry = await run(['set', 'cluster', MINIMAL.cluster, 'spec.kubernetesVersion=1.31.0', '--dry-run'], {
      state: store.url,
    });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+  kubernetesVersion: 1.31.0');
    expect(dry.stdout).toMatch(/^--- minimal.example.com\/config/);
    expect(configOf(store.dir, MINIMAL.cluster)).toBe(before);
    const real = await run(['set', 'cluster', MINIMAL.cluster, 'spec.kubernetesVersion=1.31.0', '--json'], {
      state: store.url,
    });
    expect(real.code).toBe(0);
    const result = JSON.parse(real.stdout) as { changed: boolean; operations: Array<{ path: string; value: unknown }> };
    expect(result.changed).toBe(true);
    // The spec change also bumps metadata.generation, as kops's update does.
    expect(result.operations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ op: 'replace', path: '/spec/kubernetesVersion', value: '1.31.0' }),
      ]),
    );
    expect(result.operations.map((operation) => operation.path).sort()).toEqual([
      '/metadata/generation',
      '/spec/kubernetesVersion',
    ]);
    expect(valueOf(configOf(store.dir, MINIMAL.cluster)).spec.kubernetesVersion).toBe('1.31.0');
    // kops refuses a cluster without kubernetesVersion (legacy.go:47): exit 4, nothing written.
    const refused = await run(['unset', 'cluster', MINIMAL.cluster, 'spec.kubernetesVersion'], { state: store.url });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('spec.kubernetesVersion: Required value');
    expect(valueOf(configOf(store.dir, MINIMAL.cluster)).spec.kubernetesVersion).toBe('1.31.0');
    const unset = await run(['unset', 'cluster', MINIMAL.cluster, 'spec.kubelet.anonymousAuth'], { state: store.url });
    expect(unset.code).toBe(0);
    expect(valueOf(configOf(store.dir, MINIMAL.cluster)).spec.kubelet).toEqual({});
  });

  it('sets instance group fields (kubernetes/kops#7976) and needs --name for them', async () => {
    const ok = await run(['set', 'ig', 'nodes', 'spec.maxSize=7', '--name', COMPLEX.cluster], { state: store.url });
    expect(ok.code).toBe(0);
    expect(
      valueOf(readFileSync(path.join(store.dir, COMPLEX.cluster, 'instancegroup/nodes'), 'utf8')).spec.maxSize,
    ).toBe(7);
    const noCluster = await run(['set', 'ig', 'nodes', 'spec.maxSize=7'], { state: store.url });
    expect(noCluster.code).toBe(2);
  });

  it('patches with strategic, merge and json patches, from -p or stdin; a typo fails with did-you-mean and writes nothing', async () => {
    const [strategic, merge, json] = await Promise.all([
      run(['patch', 'cluster', COMPLEX.cluster, '-p', '{"spec":{"kubernetesVersion":"1.30.1"}}', '--dry-run'], {
        state: store.url,
      }),
      run(['patch', 'ig', 'nodes', '--name', COMPLEX.cluster, '--type', 'merge', '-f', '-', '--dry-run'], {
        state: store.url,
        input: 'spec:\n  minSize: 5\n',
      }),
      run(
        [
          'patch',
          'cluster',
          COMPLEX.cluster,
          '--type',
          'json',
          '-p',
          '[{"op":"replace","path":"/spec/kubernetesVersion","value":"1.30.2"}]',
          '--dry-run',
          '--json',
        ],
        { state: store.url },
      ),
    ]);
    expect(strategic.stdout).toContain('+  kubernetesVersion: 1.30.1');
    expect(merge.stdout).toContain('+  minSize: 5');
    expect(JSON.parse(json.stdout)).toMatchObject({
      changed: true,
      dryRun: true,
      operations: expect.arrayContaining([
        expect.objectContaining({ path: '/spec/kubernetesVersion', value: '1.30.2' }),
      ]),
    });
    const before = configOf(store.dir, COMPLEX.cluster);
    const typo = await run(['patch', 'cluster', COMPLEX.cluster, '-p', '{"spec":{"kubernetesVersoin":"1.30.1"}}'], {
      state: store.url,
    });
    expect(typo.code).toBe(4);
    expect(typo.stderr).toContain('did you mean "kubernetesVersion"?');
    expect(configOf(store.dir, COMPLEX.cluster)).toBe(before);
    // A value kops's own validation refuses (validation.go:520): exit 4, kops's message, nothing written.
    const hostBits = await run(['set', 'cluster', COMPLEX.cluster, 'spec.networkCIDR=172.20.0.1/16'], {
      state: store.url,
    });
    expect(hostBits.code).toBe(4);
    expect(hostBits.stderr).toContain(
      'spec.networking.networkCIDR: Invalid value: "172.20.0.1/16": Network contains bits outside prefix (did you mean "172.20.0.0/16")',
    );
    expect(configOf(store.dir, COMPLEX.cluster)).toBe(before);
  });

  it('pipes get -o yaml into replace -f - (and diff -f -), conditional on the version read', async () => {
    const yaml = (await run(['get', 'cluster', COMPLEX.cluster, '-o', 'yaml'], { state: store.url })).stdout;
    const edited = yaml.replace(/kubernetesVersion: .*/, 'kubernetesVersion: 1.32.0');
    const diff = await run(['diff', '-f', '-', '--json'], { state: store.url, input: edited });
    expect(JSON.parse(diff.stdout)).toMatchObject([
      {
        kind: 'Cluster',
        name: COMPLEX.cluster,
        exists: true,
        operations: expect.arrayContaining([
          expect.objectContaining({ op: 'replace', path: '/spec/kubernetesVersion', value: '1.32.0' }),
        ]),
      },
    ]);
    const replaced = await run(['replace', '-f', '-'], { state: store.url, input: edited });
    expect(replaced.code).toBe(0);
    expect(replaced.stderr).toContain('replaced');
    expect(valueOf(configOf(store.dir, COMPLEX.cluster)).spec.kubernetesVersion).toBe('1.32.0');
    const absent = await run(['replace', '-f', '-'], {
      state: store.url,
      input: edited.replace(/name: complex.example.com/, 'name: absent.example.com'),
    });
    expect(absent.code).toBe(3);
  });

  it('replace --force creates an instance group of --name; delete ig is a dry run unless --yes', async () => {
    const group = readFileSync(path.join(store.dir, MINIMAL.cluster, 'instancegroup/nodes'), 'utf8').replace(
      /name: nodes.*/,
      'name: extra',
    );
    const without = await run(['replace', '-f', '-', '--name', MINIMAL.cluster], { state: store.url, input: group });
    expect(without.code).toBe(3);
    const created = await run(['replace', '-f', '-', '--name', MINIMAL.cluster, '--force', '--json'], {
      state: store.url,
      input: group,
    });
    expect(JSON.parse(created.stdout)).toMatchObject([
      { kind: 'InstanceGroup', cluster: MINIMAL.cluster, name: 'extra', changed: true },
    ]);
    const extra = path.join(store.dir, MINIMAL.cluster, 'instancegroup/extra');
    const dry = await run(['delete', 'ig', 'extra', '--name', MINIMAL.cluster], { state: store.url });
    expect(dry.stdout).toBe(`${MINIMAL.cluster}/instancegroup/extra\n`);
    expect(existsSync(extra)).toBe(true);
    expect((await run(['delete', 'ig', 'extra', '--name', MINIMAL.cluster, '--yes'], { state: store.url })).code).toBe(
      0,
    );
    expect(existsSync(extra)).toBe(false);
    // The last node group: kops refuses the cluster left (legacy.go:295), exit 4, nothing deleted.
    const last = await run(['delete', 'ig', 'nodes', '--name', MINIMAL.cluster, '--yes'], { state: store.url });
    expect(last.code).toBe(4);
    expect(last.stderr).toContain('must configure at least one Node InstanceGroup');
    expect(existsSync(path.join(store.dir, MINIMAL.cluster, 'instancegroup/nodes'))).toBe(true);
  });

  it('validates files and stored clusters: exit 4 with did-you-mean on errors, --json parseable', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'cluster.yaml');
    writeFileSync(file, configOf(store.dir, MINIMAL.cluster).replace('networkCIDR:', 'networkCIRD:'));
    const [bad, badJson, good] = await Promise.all([
      run(['validate', '-f', file]),
      run(['validate', '-f', file, '--json']),
      run(['validate', 'cluster', MINIMAL.cluster], { state: store.url }),
    ]);
    expect(bad.code).toBe(4);
    expect(bad.stdout).toContain('did you mean "networkCIDR"?');
    const report = JSON.parse(badJson.stdout) as {
      valid: boolean;
      documents: Array<{ issues: Array<{ didYouMean?: string }> }>;
    };
    expect(report.valid).toBe(false);
    expect(report.documents[0]!.issues[0]!.didYouMean).toBe('networkCIDR');
    expect(good.code).toBe(0);
  });

  it("validate shows each issue's kops source and the kops rules not run: a count, -v one line each, --json, --cloud-facts runs them", async () => {
    const dir = tempDir();
    const groups = ['master-us-test-1a', 'nodes'].map(
      (name) => valueOf(readFileSync(path.join(store.dir, MINIMAL.cluster, 'instancegroup', name), 'utf8')).spec,
    );
    // What EC2 would say: the control-plane machine type arm64, the image x86_64.
    const facts = path.join(dir, 'facts.yaml');
    writeFileSync(
      facts,
      JSON.stringify({
        machineTypes: {
          [groups[0].machineType]: { architectures: ['arm64'] },
          [groups[1].machineType]: { architectures: ['x86_64'] },
        },
        images: { [groups[0].image]: { architecture: 'x86_64' } },
      }),
    );
    const badFacts = path.join(dir, 'bad-facts.yaml');
    writeFileSync(badFacts, 'machineTypes:\n  m5.large: { architectures: x86_64 }\n');
    const args = ['validate', 'cluster', MINIMAL.cluster];
    const [plain, verbose, json, withFacts, withFactsJson, bad] = await Promise.all([
      run(args, { state: store.url }),
      run([...args, '-v'], { state: store.url }),
      run([...args, '--json'], { state: store.url }),
      run([...args, '--cloud-facts', facts], { state: store.url }),
      run([...args, '--cloud-facts', facts, '--json'], { state: store.url }),
      run([...args, '--cloud-facts', badFacts], { state: store.url }),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('machineTypes.m5.large must be { architectures: [strings], gpu?: boolean }');
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('3 kops rules not run for lack of cloud facts');
    expect(plain.stderr).not.toContain('aws.go');
    for (const line of [236, 245, 264])
      expect(verbose.stderr).toContain(`not run: kops pkg/apis/kops/validation/aws.go:${line}: needs EC2`);
    const skipped = (JSON.parse(json.stdout) as { skipped: Array<{ source: string; reason: string }> }).skipped;
    expect(skipped.map((s) => s.source)).toEqual([236, 245, 264].map((n) => `pkg/apis/kops/validation/aws.go:${n}`));
    expect(withFacts.code).toBe(4);
    expect(withFacts.stdout).toContain(
      `master-us-test-1a.spec.machineType: Invalid value: "${groups[0].machineType}": machine type architecture "arm64" does not match image architecture "x86_64" [kops pkg/apis/kops/validation/aws.go:264]`,
    );
    expect(withFacts.stderr).not.toContain('not run');
    const report = JSON.parse(withFactsJson.stdout) as Loose;
    expect(report.skipped).toEqual([]);
    expect(report.documents.flatMap((d: Loose) => d.issues)).toContainEqual(
      expect.objectContaining({ source: 'pkg/apis/kops/validation/aws.go:264' }),
    );
  });
});

describe('statestore create/delete/export/completion (built bin)', () => {
  let store: { dir: string; url: string };
  beforeAll(() => {
    requireBuiltCli();
    store = makeStore([MINIMAL]);
  });

  it("create cluster takes kops's flags; --dry-run -o yaml prints the documents; a second create exits 5", async () => {
    const flags = ['--cloud', 'aws', '--zones', 'us-test-1a,us-test-1b', '--node-count', '3', '--networking', 'cilium'];
    const dry = await run(['create', 'cluster', 'demo.example.com', ...flags, '--dry-run', '-o', 'yaml'], {
      state: store.url,
    });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^apiVersion: kops.k8s.io\/v1alpha2\nkind: Cluster\n/);
    expect(existsSync(path.join(store.dir, 'demo.example.com'))).toBe(false);
    const created = await run(['create', 'cluster', 'demo.example.com', ...flags, '--json'], { state: store.url });
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ created: 'demo.example.com' });
    expect(valueOf(configOf(store.dir, 'demo.example.com')).spec.networking.cilium).toBeDefined();
    const again = await run(['create', 'cluster', 'demo.example.com', ...flags], { state: store.url });
    expect(again.code).toBe(5);
    expect(again.stderr).toContain('already exists');
  });

  it('delete cluster is a dry run listing the files unless --yes', async () => {
    const dry = await run(['delete', 'cluster', MINIMAL.cluster, '--json'], { state: store.url });
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      wouldDelete: expect.arrayContaining([`${MINIMAL.cluster}/config`]),
    });
    expect(existsSync(path.join(store.dir, MINIMAL.cluster, 'config'))).toBe(true);
    const exportDir = tempDir();
    const [plain, withSecrets] = await Promise.all([
      run(['export', MINIMAL.cluster, '--to', path.join(exportDir, 'plain'), '--json'], { state: store.url }),
      run(['export', MINIMAL.cluster, '--to', path.join(exportDir, 'all'), '--include-secrets'], { state: store.url }),
    ]);
    const exported = JSON.parse(plain.stdout) as { written: string[]; skipped: string[] };
    expect(exported.written).toContain(`${MINIMAL.cluster}/config`);
    expect(exported.skipped.every((key) => /\/(secrets|pki\/private)\//.test(key))).toBe(true);
    expect(readFileSync(path.join(exportDir, 'plain', MINIMAL.cluster, 'config'), 'utf8')).toBe(
      configOf(store.dir, MINIMAL.cluster),
    );
    expect(withSecrets.code).toBe(0);
    for (const key of exported.skipped) expect(existsSync(path.join(exportDir, 'all', key))).toBe(true);
    const yes = await run(['delete', 'cluster', MINIMAL.cluster, '--yes'], { state: store.url });
    expect(yes.code).toBe(0);
    expect(existsSync(path.join(store.dir, MINIMAL.cluster, 'config'))).toBe(false);
  });

  it('prints a bash completion script that completes verbs and sub-verbs', async () => {
    const script = (await run(['completion', 'bash'])).stdout;
    const file = path.join(tempDir(), 'completion.bash');
    writeFileSync(file, script);
    const words = execFileSync(
      'bash',
      ['-c', `source ${file}; COMP_WORDS=(statestore get cl); COMP_CWORD=2; _statestore; echo "\${COMPREPLY[@]}"`],
      { encoding: 'utf8' },
    );
    expect(words.trim().split(' ').sort()).toEqual(['cluster', 'clusters']);
    expect((await run(['completion', 'fish'])).code).toBe(2);
  });
});
