import { Command } from 'commander';
import {
  errorsOnly,
  validateClusterConfig,
  validateClusterWithInstanceGroups,
  validateInstanceGroup,
  type ClusterConfig,
  type InstanceGroupConfig,
  type StateStore,
  type ValidationIssue,
} from '../index.js';
import { contextOf, withStore } from './context.js';
import { describeIssue, fileDocuments } from './documents.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';
import { readInput } from './input.js';

/** The issues of one document. */
interface Report {
  document: string;
  issues: ValidationIssue[];
}

/** `validate -f FILE | cluster NAME`: kops-schema validation with did-you-mean; exit 4 on errors. */
export function validateCommand(): Command {
  const cmd = new Command('validate')
    .description("Check clusters and instance groups against kops's schema (a file, or a stored cluster)")
    .argument('[kind]', 'cluster, to validate a stored cluster and its instance groups')
    .argument('[name]', 'the stored cluster')
    .option('-f, --filename <file>', 'validate the documents of a file (- for stdin)')
    .option('--strict', 'every unknown field is an error (default: only likely typos)')
    .action(
      async (
        kind: string | undefined,
        name: string | undefined,
        opts: { filename?: string; strict?: boolean },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        let reports: Report[];
        if (opts.filename !== undefined && kind === undefined)
          reports = validateFile(await readInput(opts.filename), opts.strict === true);
        else if (opts.filename === undefined && kind === 'cluster' && name !== undefined)
          reports = await withStore(ctx, (store) => validateStored(store, name, opts.strict === true));
        else throw new CliError('give either -f FILE or "cluster NAME"', EXIT.USAGE);
        const errors = reports.reduce((n, report) => n + errorsOnly(report.issues).length, 0);
        if (ctx.out.json) ctx.out.result({ valid: errors === 0, documents: reports });
        else {
          for (const report of reports)
            for (const issue of report.issues) ctx.out.text(`${report.document}: ${describeIssue(issue)}`);
          if (errors === 0) ctx.out.info(`valid (${reports.length} document${reports.length === 1 ? '' : 's'})`);
        }
        if (errors > 0) throw new CliError(`${errors} validation error${errors === 1 ? '' : 's'}`, EXIT.VALIDATION);
      },
    );
  return examples(cmd, [
    'statestore validate -f cluster.yaml',
    'statestore validate cluster prod.example.com --json',
    'statestore get cluster prod.example.com -o yaml | statestore validate -f -',
  ]);
}

function validateFile(text: string, strict: boolean): Report[] {
  const docs = fileDocuments(text, '-');
  const reports: Report[] = docs.map((doc) => ({
    document: `${doc.kind}/${doc.name}`,
    issues:
      doc.kind === 'Cluster'
        ? validateClusterConfig(doc.value, { strict })
        : validateInstanceGroup(doc.value, { strict }),
  }));
  for (const doc of docs) {
    if (doc.kind !== 'Cluster') continue;
    const groups = docs
      .filter((other) => other.kind === 'InstanceGroup' && other.cluster === doc.name)
      .map((other) => other.value as InstanceGroupConfig);
    if (groups.length > 0)
      reports.push({
        document: `Cluster/${doc.name} with its instance groups`,
        issues: validateClusterWithInstanceGroups(doc.value, groups),
      });
  }
  return reports;
}

async function validateStored(store: StateStore, name: string, strict: boolean): Promise<Report[]> {
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
      issues: validateClusterWithInstanceGroups(cluster, groups),
    },
  ];
}
