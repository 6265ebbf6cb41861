/**
 * The kops source each issue reports (ValidationIssue.source) is kops's own line for the rule:
 * every citation in the port is a line of kops (268927e, test/fixtures/kops/validation-source/,
 * verbatim) that makes an error, and every such line of the nine validation files is cited but
 * those the compatibility table lists as not ported. The errors kops's table tests produce are
 * checked one by one, kind against Go constructor, by expectErrors (test/helpers/kops-sources.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { FieldErrorType } from '../../../src/config/validate/field/errors.js';
import { KOPS_VALIDATION_COMMIT } from '../../../src/config/validate/field/errors.js';
import { kopsSource } from '../../../src/config/validate/kops-validation/source.js';
import { instanceGroupDeletionIssues } from '../../../src/config/validate/group-deletion.js';
import { validateClusterConfig, validateClusterWithInstanceGroups } from '../../../src/index.js';
import { kopsValidGroups, kopsValidSpec, REPO_ROOT } from '../../helpers/index.js';
import { ANY_GO_ERROR, citationProblem, GO_CONSTRUCTORS, kopsLine, kopsLines } from '../../helpers/kops-sources.js';

const VALIDATION_DIR = path.join(REPO_ROOT, 'src/config/validate');

/** Every `'file.go:N'` string in the port: the last argument of each error constructor. */
function citations(): { file: string; rule: string }[] {
  const found: { file: string; rule: string }[] = [];
  for (const entry of readdirSync(VALIDATION_DIR, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    for (const match of readFileSync(file, 'utf8').matchAll(/'([a-z_]+\.go:\d+)'/g))
      found.push({ file: path.relative(REPO_ROOT, file), rule: match[1]! });
  }
  return found;
}

/** The port's error constructors (field/errors.ts, and helpers.ts's IsValidValue) and the kind each makes. */
const TS_CONSTRUCTORS: Record<string, FieldErrorType> = {
  required: 'Required',
  invalid: 'Invalid',
  forbidden: 'Forbidden',
  duplicate: 'Duplicate',
  notFound: 'NotFound',
  notSupported: 'NotSupported',
  isValidValue: 'NotSupported',
  tooMany: 'TooMany',
  internalError: 'Internal',
};

/** The citations written as the last argument of a constructor call, with the kind that call makes. */
function constructorCitations(): { file: string; rule: string; type: FieldErrorType }[] {
  const found: { file: string; rule: string; type: FieldErrorType }[] = [];
  for (const entry of readdirSync(path.join(VALIDATION_DIR, 'kops-validation'), { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const type = TS_CONSTRUCTORS[node.expression.text];
        const last = node.arguments[node.arguments.length - 1];
        if (type !== undefined && last !== undefined && ts.isStringLiteral(last) && /\.go:\d+$/.test(last.text))
          found.push({ file: path.relative(REPO_ROOT, file), rule: last.text, type });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

const VALIDATION_FILES = [
  'validation',
  'legacy',
  'aws',
  'gce',
  'linode',
  'instancegroup',
  'cluster',
  'additionalobjects',
  'helpers',
];
const GO_ERROR_CALL =
  /\b(field\.(Required|Invalid|Forbidden|NotSupported|Duplicate|NotFound|TooMany|TooLong|InternalError)|IsValidValue)\(/;

// docs/kops-compatibility.md, "Validation": the rules not ported, and why (helpers.go:51 is
// IsValidValue's own constructor: the port cites each IsValidValue call instead).
const NOT_PORTED = [
  'validation.go:958', // built and dropped by kops
  'validation.go:1694', // unreachable
  'validation.go:1730', // built and dropped by kops
  'validation.go:1831', // unreachable
  'validation.go:1859', // unreachable
  'validation.go:2004', // unreachable
  'legacy.go:245', // memfs:// discovery store, as kops's tests read it
  'instancegroup.go:43', // ValidateInstanceGroupName: src/store/names.ts
  'instancegroup.go:47',
  'cluster.go:67', // cannot fire: paired by name
  'cluster.go:114',
  'helpers.go:51', // IsValidValue itself
];

describe("kops sources of the port's rules", () => {
  it('follows the commit the fixtures were copied from', () => {
    expect(readFileSync(path.join(REPO_ROOT, 'test/fixtures/kops/NOTICE.md'), 'utf8')).toContain(
      `validation-source/\` holds, verbatim from kops commit ${KOPS_VALIDATION_COMMIT}`,
    );
  });

  it('names each source by its path in the kops repository', () => {
    expect(kopsSource('aws.go:236')).toBe('pkg/apis/kops/validation/aws.go:236');
    expect(kopsSource('master_volumes.go:79')).toBe('pkg/model/master_volumes.go:79');
    expect(kopsSource('delete_instancegroup.go:165')).toBe('cmd/kops/delete_instancegroup.go:165');
    expect(kopsLine('pkg/apis/kops/validation/aws.go:236')).toContain('field.Invalid(imageFieldPath');
  });

  it('cites, for every error the port can make, a kops line making an error', () => {
    const all = citations();
    expect(all.length).toBeGreaterThanOrEqual(420);
    const problems = all.flatMap(({ file, rule }) => {
      const problem = citationProblem(rule, ANY_GO_ERROR);
      return problem === undefined ? [] : [`${file}: ${problem}`];
    });
    expect(problems).toEqual([]);
  });

  it('cites, where a constructor call names its rule, a kops line making that very kind of error', () => {
    const direct = constructorCitations();
    // The rest are named in tables or variables (checked above for any error, and by kind when
    // kops's table tests make them: expectErrors).
    expect(direct.length).toBeGreaterThanOrEqual(300);
    const problems = direct.flatMap(({ file, rule, type }) => {
      const problem = citationProblem(rule, GO_CONSTRUCTORS[type]);
      return problem === undefined ? [] : [`${file}: ${problem}`];
    });
    expect(problems).toEqual([]);
  });

  it("cites every error of kops's nine validation files but those listed as not ported (415 of 426 rules)", () => {
    const cited = new Set(citations().map((c) => c.rule));
    const uncited: string[] = [];
    let rules = 0;
    for (const name of VALIDATION_FILES) {
      kopsLines(`pkg/apis/kops/validation/${name}.go`).forEach((line, i) => {
        if (!GO_ERROR_CALL.test(line) || /^\s*\/\//.test(line)) return;
        rules++;
        if (!cited.has(`${name}.go:${i + 1}`)) uncited.push(`${name}.go:${i + 1}`);
      });
    }
    expect(rules).toBe(426);
    expect(uncited).toEqual(NOT_PORTED);
  });

  it('reports the source on the public issues, and none on our own checks', () => {
    const spec = {
      ...kopsValidSpec(),
      subnets: [{ name: 'a', zone: 'us-east-1a', cidr: '10.9.0.0/16', type: 'Public' }],
    };
    const issues = validateClusterConfig({ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', spec, extra: 1 });
    const subnet = issues.find((i) => i.path === '/spec/subnets/0/cidr');
    expect(subnet?.source).toBe('pkg/apis/kops/validation/validation.go:717');
    expect(kopsLine(subnet!.source!)).toContain('is not a subnet of the networkCIDR');
    // The schema's unknown-field check is ours: no kops source.
    expect(issues.find((i) => i.path === '/extra')).toBeDefined();
    expect(issues.find((i) => i.path === '/extra')?.source).toBeUndefined();
    const group = { ...kopsValidGroups()[0]!, spec: { ...kopsValidGroups()[0]!.spec, subnets: ['z'] } };
    const cross = validateClusterWithInstanceGroups({ spec: kopsValidSpec() }, [group]);
    expect(cross).toContainEqual({
      path: '/instanceGroups/0/spec/subnets/0',
      message: 'spec.networking.subnets[0]: Not found: "z"',
      source: 'pkg/apis/kops/validation/instancegroup.go:284',
    });
  });

  it('reports the kops sources of the instance-group deletion checks, each a line making that error', () => {
    const [master] = kopsValidGroups();
    const node = { ...master!, metadata: { name: 'nodes' }, spec: { ...master!.spec, role: 'Node' } };
    const cluster = { spec: kopsValidSpec() };
    const issues = [
      ...instanceGroupDeletionIssues(cluster, [master, node], [node]),
      ...instanceGroupDeletionIssues(cluster, [master, node], [master]),
    ];
    expect(issues.map((i) => i.source)).toEqual([
      'cmd/kops/delete_instancegroup.go:165',
      'pkg/model/master_volumes.go:79',
      'pkg/model/master_volumes.go:79',
      'pkg/apis/kops/validation/legacy.go:295',
    ]);
    for (const issue of issues) expect(kopsLine(issue.source!)).toMatch(/fmt\.Errorf\(/);
  });
});
