/**
 * The library's matrix (test/store/kops-validation-entry-points.test.ts) through the built bin:
 * a few of kops's rules broken through each verb that can express them (set, unset, patch, edit,
 * edit ig, replace -f, rollback, apply -f, apply --prune, create cluster, delete ig). Each refusal exits 4, prints
 * kops's field path, message and source line, and leaves every file of the store (kops's minimal
 * tree, file://) as it was: bytes, names, and no lease or history file left behind.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MINIMAL, makeStore, requireBuiltCli, run, tempDir, type RunResult } from './harness.js';

const NAME = MINIMAL.cluster;
const FIXTURE = path.join('test/fixtures/kops/state-stores/minimal-1.34/tests', NAME);
const fixture = (file: string): string => readFileSync(path.join(FIXTURE, file), 'utf8');

/** Every file under `dir`: its path, bytes and modification time (a rewrite of the same bytes shows). */
function everyFile(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(`${path.relative(dir, full)} ${statSync(full).mtimeMs}\n${readFileSync(full, 'utf8')}`);
    }
  };
  walk(dir);
  return out;
}

/**
 * A scripted $EDITOR: every launch replaces FROM (a regular expression, multiline) with TO in the
 * file; from the second launch on the change is already there, so the file is saved as reopened
 * and the edit stops (docs/cli.md), printing the errors it still has. Each launch appends what it
 * was shown to EDIT_LOG.
 */
const EDITOR_SCRIPT = `
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
const file = process.argv[2];
const text = readFileSync(file, 'utf8');
appendFileSync(process.env.EDIT_LOG, text + '\\u0000');
writeFileSync(file, text.replace(new RegExp(process.env.FROM, 'm'), process.env.TO));
`;

// ---- kops's rules, as the bin prints them ----

const SUBNET_OUTSIDE =
  'spec.networking.subnets[0].cidr: Forbidden: subnet "us-test-1a" cidr "10.99.0.0/16" is not a subnet of the networkCIDR "172.20.0.0/16" [kops pkg/apis/kops/validation/validation.go:717]';
const EVEN_ETCD =
  'spec.etcdClusters[0].etcdMembers: Invalid value: 2: Should be an odd number of control-plane-zones for quorum. Use --zones and --control-plane-zones to declare node zones and control-plane zones separately [kops pkg/apis/kops/validation/validation.go:1562]';
const ETCD_REMOVED =
  'spec.etcdClusters[events]: Forbidden: EtcdClusters cannot be removed [kops pkg/apis/kops/validation/cluster.go:53]';
const CONTROL_PLANE_MAX_SIZE =
  'spec.maxSize: Invalid value: 3: controlPlane InstanceGroup must have maxSize set to 1, add more InstanceGroups instead [kops pkg/apis/kops/validation/instancegroup.go:71]';
const SUBNET_NOT_FOUND =
  'spec.networking.subnets[0]: Not found: "us-test-1z" [kops pkg/apis/kops/validation/instancegroup.go:284]';
// A rollback of the config re-checks the stored groups (kops's DeepValidate): the group is named.
const SUBNET_GONE =
  'instance group "nodes": spec.networking.subnets[0]: Not found: "us-test-1a" [kops pkg/apis/kops/validation/instancegroup.go:284]';
const ONLY_CONTROL_PLANE =
  'cannot delete the only control plane instance group [kops cmd/kops/delete_instancegroup.go:165]';

// The documents as kops wrote them, broken; each file also changes the node group first (an
// unrelated change that must not be written alone).
const config = fixture('config');
const master = fixture('instancegroup/master-us-test-1a');
const nodes = fixture('instancegroup/nodes').replace(/maxSize: \d+/, 'maxSize: 7');
const brokenConfig = {
  subnet: config.replace('cidr: 172.20.32.0/19', 'cidr: 10.99.0.0/16'),
  etcd: config.replace(
    /(instanceGroup: master-us-test-1a\n {6}name: a\n)( {4}memoryRequest: 100Mi\n {4}name: main)/,
    '$1    - instanceGroup: master-us-test-1a\n      name: b\n$2',
  ),
  events: config.replace(/ {2}- cpuRequest: 100m\n[\s\S]*?name: events\n/, ''),
  subnetName: config.replace('    name: us-test-1a\n', '    name: us-test-1b\n'),
};
const file = (...documents: string[]): string => documents.join('---\n');

interface Case {
  args: () => string[];
  expected: string;
  /** The editor's replacement, for edit. */
  edit?: [from: string, to: string];
  /** Run first, before the store's files are taken (a store URL). */
  setup?: (dir: string, url: string) => Promise<void>;
}

/** A config revision whose subnet is not the one the groups name: written around statestore, then fixed. */
async function subnetRenamedRevision(dir: string, url: string): Promise<void> {
  writeFileSync(path.join(dir, NAME, 'config'), brokenConfig.subnetName);
  const fixed = await run(['set', 'cluster', NAME, 'spec.subnets[0].name=us-test-1a'], { state: url });
  expect(fixed.code).toBe(0);
}

const CASES: Record<string, Case> = {
  'set cluster: a subnet outside networkCIDR': {
    args: () => ['set', 'cluster', NAME, 'spec.subnets[0].cidr=10.99.0.0/16'],
    expected: SUBNET_OUTSIDE,
  },
  'set cluster: an even etcd member count': {
    args: () => [
      'set',
      'cluster',
      NAME,
      'spec.etcdClusters[0].etcdMembers[1].name=b',
      'spec.etcdClusters[0].etcdMembers[1].instanceGroup=master-us-test-1a',
    ],
    expected: EVEN_ETCD,
  },
  'set ig: a control-plane group with maxSize 3': {
    args: () => ['set', 'ig', 'master-us-test-1a', 'spec.maxSize=3', '--name', NAME],
    expected: CONTROL_PLANE_MAX_SIZE,
  },
  'unset cluster: removing an etcd cluster': {
    args: () => ['unset', 'cluster', NAME, 'spec.etcdClusters[1]'],
    expected: ETCD_REMOVED,
  },
  'patch cluster --type json: removing an etcd cluster': {
    args: () => ['patch', 'cluster', NAME, '--type', 'json', '-p', '[{"op":"remove","path":"/spec/etcdClusters/1"}]'],
    expected: ETCD_REMOVED,
  },
  'edit cluster: a subnet outside networkCIDR': {
    args: () => ['edit', 'cluster', NAME],
    edit: ['cidr: 172.20.32.0/19', 'cidr: 10.99.0.0/16'],
    expected: SUBNET_OUTSIDE,
  },
  'edit cluster: removing an etcd cluster': {
    args: () => ['edit', 'cluster', NAME],
    edit: ['^  - cpuRequest: 100m\\n[\\s\\S]*?name: events\\n', ''],
    expected: ETCD_REMOVED,
  },
  'edit ig: a control-plane group with maxSize 3': {
    args: () => ['edit', 'ig', 'master-us-test-1a', '--name', NAME],
    edit: ['maxSize: 1', 'maxSize: 3'],
    expected: CONTROL_PLANE_MAX_SIZE,
  },
  // A rule needing the cluster (CrossValidateInstanceGroup): shown in the editor too.
  'edit ig: a subnet the cluster lacks': {
    args: () => ['edit', 'ig', 'nodes', '--name', NAME],
    edit: ['- us-test-1a', '- us-test-1z'],
    expected: SUBNET_NOT_FOUND,
  },
  'set ig: a subnet the cluster lacks': {
    args: () => ['set', 'ig', 'nodes', 'spec.subnets[0]=us-test-1z', '--name', NAME],
    expected: SUBNET_NOT_FOUND,
  },
  'replace -f: a subnet outside networkCIDR': {
    args: () => ['replace', '-f', input(file(nodes, brokenConfig.subnet))],
    expected: SUBNET_OUTSIDE,
  },
  'replace -f: an even etcd member count': {
    args: () => ['replace', '-f', input(file(nodes, brokenConfig.etcd))],
    expected: EVEN_ETCD,
  },
  'replace -f: removing an etcd cluster': {
    args: () => ['replace', '-f', input(file(nodes, brokenConfig.events))],
    expected: ETCD_REMOVED,
  },
  'replace -f: a control-plane group with maxSize 3': {
    args: () => ['replace', '-f', input(file(nodes, master.replace('maxSize: 1', 'maxSize: 3')))],
    expected: CONTROL_PLANE_MAX_SIZE,
  },
  'apply -f: a subnet outside networkCIDR': {
    args: () => ['apply', '-f', input(file(brokenConfig.subnet, master, nodes))],
    expected: SUBNET_OUTSIDE,
  },
  'apply -f: removing an etcd cluster': {
    args: () => ['apply', '-f', input(file(brokenConfig.events, master, nodes))],
    expected: ETCD_REMOVED,
  },
  'apply -f: a control-plane group with maxSize 3': {
    args: () => ['apply', '-f', input(file(config, master.replace('maxSize: 1', 'maxSize: 3'), nodes))],
    expected: CONTROL_PLANE_MAX_SIZE,
  },
  'apply -f --prune: deleting the only control-plane group': {
    args: () => ['apply', '-f', input(file(config, nodes)), '--prune'],
    expected: ONLY_CONTROL_PLANE,
  },
  'delete ig --yes: deleting the only control-plane group': {
    args: () => ['delete', 'ig', 'master-us-test-1a', '--name', NAME, '--yes'],
    expected: ONLY_CONTROL_PLANE,
  },
  // The revision before: the config written around statestore with the violation, then fixed by `set`.
  'rollback cluster --yes: a subnet outside networkCIDR': {
    async setup(dir, url) {
      writeFileSync(path.join(dir, NAME, 'config'), brokenConfig.subnet);
      const fixed = await run(['set', 'cluster', NAME, 'spec.subnets[0].cidr=172.20.32.0/19'], { state: url });
      expect(fixed.code).toBe(0);
    },
    args: () => ['rollback', 'cluster', NAME, '--yes'],
    expected: SUBNET_OUTSIDE,
  },
  // The revision before: the groups' subnet renamed around statestore, then named back by `set`.
  'rollback cluster --yes: a subnet the groups name, gone': {
    setup: subnetRenamedRevision,
    args: () => ['rollback', 'cluster', NAME, '--yes'],
    expected: SUBNET_GONE,
  },
  'rollback cluster (a dry run): a subnet the groups name, gone': {
    setup: subnetRenamedRevision,
    args: () => ['rollback', 'cluster', NAME],
    expected: SUBNET_GONE,
  },
  'create cluster: a subnet outside networkCIDR': {
    args: () => [
      'create',
      'cluster',
      'new.example.com',
      '--cloud',
      'aws',
      '--zones',
      'us-test-1a',
      '--network-cidr',
      '172.20.0.0/16',
      '--set',
      'spec.subnets[0].cidr=10.99.0.0/16',
    ],
    expected: SUBNET_OUTSIDE,
  },
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The input file of a verb, outside the store. */
function input(text: string): string {
  const name = path.join(tempDir(), 'input.yaml');
  writeFileSync(name, text);
  return name;
}

describe('kops validation through every CLI verb (built bin, file:// store)', () => {
  let editor: string;
  beforeAll(() => {
    requireBuiltCli();
    editor = path.join(tempDir(), 'editor.mjs');
    writeFileSync(editor, EDITOR_SCRIPT);
  });

  it('the broken files break only their rule', () => {
    expect(brokenConfig.subnet).not.toBe(config);
    expect(brokenConfig.etcd).toContain('name: b');
    expect(brokenConfig.events).not.toContain('name: events');
    expect(brokenConfig.events).toContain('name: main');
    expect(brokenConfig.subnetName).toContain('name: us-test-1b\n    type: Public');
  });

  it.each(Object.keys(CASES))('%s: exit 4, kops path and source, nothing written', async (name) => {
    const test = CASES[name]!;
    const store = makeStore([MINIMAL]);
    await test.setup?.(store.dir, store.url);
    const before = everyFile(store.dir);
    const log = path.join(tempDir(), 'log');
    const env = test.edit
      ? { EDITOR: `${process.execPath} ${editor}`, EDIT_LOG: log, FROM: test.edit[0], TO: test.edit[1] }
      : {};
    const result: RunResult = await run(test.args(), { state: store.url, env });
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 4,
      stderr: expect.stringContaining(test.expected) as unknown,
    });
    expect(everyFile(store.dir)).toEqual(before);
    if (test.edit) {
      // The errors were shown in the editor (as kops's edit shows them), then the edit stopped.
      const shown = readFileSync(log, 'utf8').split('\u0000').slice(0, -1);
      expect(shown).toHaveLength(2);
      expect(shown[1]).toMatch(new RegExp(`^# /[^\\n]*: ${escapeRegExp(test.expected)}$`, 'm'));
      expect(result.stderr).toContain('Edit cancelled: no valid changes were saved');
    }
  });
});

describe('create cluster --cloud-facts FILE', () => {
  beforeAll(requireBuiltCli);
  const IMAGE = '099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260714';
  const args = (name: string) => [
    'create',
    'cluster',
    name,
    '--cloud',
    'aws',
    '--zones',
    'us-test-1a',
    '--node-size',
    'm6g.large',
    '--node-image',
    IMAGE,
  ];

  it("runs aws.go's EC2 rules at creation: an arm64 machine type for an x86_64 image is refused, nothing written", async () => {
    const store = makeStore([MINIMAL]);
    const before = everyFile(store.dir);
    const facts = input(
      `machineTypes:\n  m6g.large: {architectures: [arm64]}\nimages:\n  ${JSON.stringify(IMAGE)}: {architecture: x86_64}\n`,
    );
    const refused = await run([...args('arm.example.com'), '--cloud-facts', facts], { state: store.url });
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({
      code: 4,
      stderr: expect.stringContaining(
        `nodes-us-test-1a.spec.machineType: Invalid value: "m6g.large": machine type architecture "arm64" does not match image architecture "x86_64" [kops pkg/apis/kops/validation/aws.go:264]`,
      ) as unknown,
    });
    expect(everyFile(store.dir)).toEqual(before);
    // Without the facts the rule cannot run (validate lists it as not run): the cluster is written.
    const created = await run(args('arm.example.com'), { state: store.url });
    expect(created.code).toBe(0);
    expect(readdirSync(store.dir).sort()).toEqual(['arm.example.com', NAME]);
  });

  it('refuses a facts file of the wrong shape before anything (exit 2)', async () => {
    const store = makeStore([MINIMAL]);
    const facts = input('machineTypes:\n  m6g.large: {architectures: arm64}\n');
    const result = await run([...args('bad.example.com'), '--cloud-facts', facts], { state: store.url });
    expect({ code: result.code, stderr: result.stderr.trim() }).toEqual({
      code: 2,
      stderr: `error: --cloud-facts ${facts}: machineTypes.m6g.large must be { architectures: [strings], gpu?: boolean }`,
    });
    expect(readdirSync(store.dir)).toEqual([NAME]);
  });
});
