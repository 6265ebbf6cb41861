import { Command } from 'commander';
import {
  errorsOnly,
  validateClusterConfig,
  validateClusterWithInstanceGroups,
  validateInstanceGroup,
  type ClusterConfig,
  type InstanceGroupConfig,
  type SkippedRule,
  type StateStore,
  type ValidationIssue,
} from '../index.js';
import type { Context } from './context.js';
import { contextOf, withStore } from './context.js';
import { describeIssue, fileDocuments } from './documents.js';
import { CLOUD_FACTS_HELP, readCloudFacts, type FileCloudFacts } from './cloud-facts.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';
import { readInput } from './input.js';

/** The issues of one document. */
interface Report {
  document: string;
  issues: ValidationIssue[];
}

/** The command's flags. */
interface ValidateFlags {
  filename?: string;
  strict?: boolean;
  cloudFacts?: string;
  verbose?: boolean;
}

/** What one run checks with: the flags, the facts read, and the log of the kops rules not run. */
interface Run {
  strict: boolean;
  cloudFacts: FileCloudFacts | undefined;
  skipped: SkippedRule[];
}

/** `validate -f FILE | cluster NAME`: kops-schema validation with did-you-mean; exit 4 on errors. */
export function validateCommand(): Command {
  const cmd = new Command('validate')
    .description("Check clusters and instance groups against kops's schema and rules (a file, or a stored cluster)")
    .argument('[kind]', 'cluster, to validate a stored cluster and its instance groups')
    .argument('[name]', 'the stored cluster')
    .option('-f, --filename <file>', 'validate the documents of a file (- for stdin)')
    .option('--strict', 'every unknown field is an error (default: only likely typos)')
    .option('--cloud-facts <file>', CLOUD_FACTS_HELP)
    .option('-v, --verbose', 'list each kops rule not run (and why), not just their count')
    .action(async (kind: string | undefined, name: string | undefined, opts: ValidateFlags, command: Command) => {
      const ctx = contextOf(command);
      const run: Run = { strict: opts.strict === true, cloudFacts: await readCloudFacts(opts.cloudFacts), skipped: [] };
      let reports: Report[];
      if (opts.filename !== undefined && kind === undefined)
        reports = validateFile(await readInput(opts.filename), run);
      else if (opts.filename === undefined && kind === 'cluster' && name !== undefined)
        reports = await withStore(ctx, (store) => validateStored(store, name, run));
      else throw new CliError('give either -f FILE or "cluster NAME"', EXIT.USAGE);
      const errors = reports.reduce((n, report) => n + errorsOnly(report.issues).length, 0);
      if (ctx.out.json) ctx.out.result({ valid: errors === 0, documents: reports, skipped: run.skipped });
      else printReports(ctx, reports, errors, run.skipped, opts.verbose === true);
      if (errors > 0) throw new CliError(`${errors} validation error${errors === 1 ? '' : 's'}`, EXIT.VALIDATION);
    });
  return examples(cmd, [
    'statestore validate -f cluster.yaml',
    'statestore validate cluster prod.example.com --json',
    'statestore validate cluster prod.example.com --cloud-facts facts.yaml -v',
    'statestore get cluster prod.example.com -o yaml | statestore validate -f -',
  ]);
}

/** Each issue on stdout (with its kops source); the kops rules not run: a count, or one line each with -v. */
function printReports(ctx: Context, reports: Report[], errors: number, skipped: SkippedRule[], verbose: boolean) {
  for (const report of reports)
    for (const issue of report.issues) ctx.out.text(`${report.document}: ${describeIssue(issue)}`);
  if (errors === 0) ctx.out.info(`valid (${reports.length} document${reports.length === 1 ? '' : 's'})`);
  if (skipped.length === 0) return;
  if (verbose) for (const rule of skipped) ctx.out.info(`not run: kops ${rule.source}: ${rule.reason}`);
  else
    ctx.out.info(
      `${skipped.length} kops rule${skipped.length === 1 ? '' : 's'} not run for lack of cloud facts (--cloud-facts FILE runs them; -v lists them)`,
    );
}

function validateFile(text: string, run: Run): Report[] {
  const docs = fileDocuments(text, '-');
  const reports: Report[] = docs.map((doc) => ({
    document: `${doc.kind}/${doc.name}`,
    issues:
      doc.kind === 'Cluster'
        ? validateClusterConfig(doc.value, { strict: run.strict })
        : validateInstanceGroup(doc.value, { strict: run.strict }),
  }));
  for (const doc of docs) {
    if (doc.kind !== 'Cluster') continue;
    const groups = docs
      .filter((other) => other.kind === 'InstanceGroup' && other.cluster === doc.name)
      .map((other) => other.value as InstanceGroupConfig);
    if (groups.length > 0)
      reports.push({
        document: `Cluster/${doc.name} with its instance groups`,
        issues: validateClusterWithInstanceGroups(doc.value, groups, run),
      });
  }
  return reports;
}

async function validateStored(store: StateStore, name: string, run: Run): Promise<Report[]> {
  const { strict } = run;
  const cluster: ClusterConfig = (await store.getCluster(name)).value;
  const groups = await Promise.all(
    (await store.listInstanceGroups(name)).map(async (group) => (await store.getInstanceGroup(name, group)).value),
  );
  return [
    { document: `Cluster/${name}`, issues: validateClusterConfig(cluster, { strict }) },
    ...groups.map((group) => ({
      document: `InstanceGroup/${group.metadata?.name ?? ''}`,
      issues: validateInstanceGroup(group, { strict }),
    })),
    {
      document: `Cluster/${name} with its instance groups`,
      issues: validateClusterWithInstanceGroups(cluster, groups, run),
    },
  ];
}
