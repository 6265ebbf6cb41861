/**
 * `apply -f FILE|DIR|-`: documents become their clusters' desired state (`store.apply`), with a
 * terraform-style plan (`--dry-run`, `--detailed-exitcode`, `--json`). docs/gitops.md.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import type { ApplyDocument, ApplyDocumentResult, ApplyResult, StateStore } from '../index.js';
import { contextOf, withStore, type Context } from './context.js';
import { fileDocuments, type FileDocument } from './documents.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';
import { readInput } from './input.js';
import { asWriter, assertNotLeased, leaseFlags } from './lease-guard.js';

interface ApplyFlags {
  filename: string;
  name?: string;
  prune?: boolean;
  dryRun?: boolean;
  detailedExitcode?: boolean;
}

/** Exit code of `--detailed-exitcode` when something changed (or would), as `terraform plan -detailed-exitcode`. */
export const EXIT_CHANGES = 2;

export function applyCommand(): Command {
  const cmd = leaseFlags(new Command('apply'))
    .description("Make a cluster's documents (a file, stdin, or a folder as `export` writes it) its desired state")
    .requiredOption(
      '-f, --filename <path>',
      'a YAML file of a Cluster and its InstanceGroups, a folder, or - for stdin',
    )
    .option('--name <cluster>', 'the cluster of instance groups that carry no kops.k8s.io/cluster label')
    .option('--prune', 'delete instance groups the input does not have (never the cluster, keys or secrets)')
    .option('--dry-run', 'print the plan (per document create/update/delete/unchanged) and its diff, write nothing')
    .option('--detailed-exitcode', 'exit 0 when nothing changes, 2 when something does (or would), as terraform plan')
    .action(async (opts: ApplyFlags, command: Command) => {
      const ctx = contextOf(command);
      const byCluster = await inputDocuments(opts.filename, opts.name);
      const results = await withStore(ctx, (store) => applyAll(ctx, store, byCluster, opts));
      if (ctx.out.json) ctx.out.result(results);
      else printResults(ctx, results, opts.dryRun === true);
      if (opts.detailedExitcode && results.some((result) => result.changed)) process.exitCode = EXIT_CHANGES;
    });
  return examples(cmd, [
    'statestore export prod.example.com --to ./kops-state && statestore apply -f ./kops-state --dry-run',
    'statestore apply -f ./kops-state --prune',
    'statestore apply -f ./kops-state --dry-run --detailed-exitcode   # drift check: exit 2 on drift',
    'statestore get cluster prod.example.com -o yaml | statestore apply -f - --json',
  ]);
}

/**
 * Plans every cluster first (which validates all of them: nothing is written when any is
 * refused), then applies those with changes, each under its cluster's lease. A cluster that does
 * not exist yet has no lease to take: one someone left at its name is respected all the same.
 */
async function applyAll(
  ctx: Context,
  store: StateStore,
  byCluster: Map<string, ApplyDocument[]>,
  opts: ApplyFlags,
): Promise<ApplyResult[]> {
  const prune = opts.prune === true;
  const plans: ApplyResult[] = [];
  for (const documents of byCluster.values()) plans.push(await store.apply(documents, { prune, dryRun: true }));
  if (opts.dryRun) return plans;
  const results: ApplyResult[] = [];
  for (const plan of plans) {
    const documents = byCluster.get(plan.cluster)!;
    if (!plan.changed) results.push({ ...plan, dryRun: false });
    else if (plan.documents.some((doc) => doc.kind === 'Cluster' && doc.action === 'create')) {
      await assertNotLeased(ctx, store, plan.cluster);
      results.push(await store.apply(documents, { prune }));
    } else
      results.push(
        await asWriter(ctx, store, plan.cluster, 'apply', (lease) => store.apply(documents, { prune, lease })),
      );
  }
  return results;
}

const MARK: Record<ApplyDocumentResult['action'], string> = { create: '+', update: '~', delete: '-', unchanged: ' ' };

function printResults(ctx: Context, results: readonly ApplyResult[], dryRun: boolean): void {
  for (const result of results) {
    for (const doc of result.documents) {
      ctx.out.text(`${MARK[doc.action]} ${doc.kind} ${doc.name}: ${doc.action}`);
      if (dryRun) ctx.out.diff(doc.diff);
    }
    const count = (action: string) => result.documents.filter((doc) => doc.action === action).length;
    const verbs = dryRun ? ['to create', 'to update', 'to delete'] : ['created', 'updated', 'deleted'];
    const counts = ['create', 'update', 'delete'].map((action, i) => `${count(action)} ${verbs[i]}`);
    const tail = dryRun && result.changed ? ' (dry run: nothing written)' : '';
    ctx.out.info(`cluster "${result.cluster}": ${counts.join(', ')}, ${count('unchanged')} unchanged${tail}`);
  }
}

/** The input's documents per cluster, in the order the clusters first appear. */
async function inputDocuments(file: string, clusterFlag?: string): Promise<Map<string, ApplyDocument[]>> {
  const isFolder = file !== '-' && (await stat(file).catch(() => undefined))?.isDirectory() === true;
  const docs = isFolder ? await folderDocuments(file) : fileDocuments(await readInput(file), clusterFlag);
  const byCluster = new Map<string, ApplyDocument[]>();
  for (const doc of docs) byCluster.set(doc.cluster, [...(byCluster.get(doc.cluster) ?? []), doc.value]);
  return byCluster;
}

/**
 * A folder as `export` writes it: a cluster's folder (`config`, `instancegroup/NAME`), or a folder
 * of such folders. Nothing else there is read (completed spec, pki/, history, README, .git/).
 */
async function folderDocuments(dir: string): Promise<FileDocument[]> {
  const hasConfig = (folder: string) =>
    stat(path.join(folder, 'config')).then(
      (s) => s.isFile(),
      () => false,
    );
  const folders = (await hasConfig(dir))
    ? [dir]
    : (await readdir(dir, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
        .map((entry) => path.join(dir, entry.name))
        .sort();
  const clusters = (await Promise.all(folders.map(async (f) => ((await hasConfig(f)) ? f : undefined)))).filter(
    (f): f is string => f !== undefined,
  );
  if (clusters.length === 0)
    throw new CliError(`${dir} holds no cluster (a folder with a config file)`, EXIT.NOT_FOUND);
  return (await Promise.all(clusters.map(clusterFolderDocuments))).flat();
}

/** One cluster's folder: its config, then its instance groups, each named as its file. */
async function clusterFolderDocuments(folder: string): Promise<FileDocument[]> {
  const [config] = fileDocuments(await readInput(path.join(folder, 'config')));
  if (config?.kind !== 'Cluster' || config.name !== path.basename(folder))
    throw new CliError(`${folder}/config: expected the Cluster "${path.basename(folder)}"`, EXIT.VALIDATION);
  const groupFolder = path.join(folder, 'instancegroup');
  const names = (await readdir(groupFolder, { withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  const groups: FileDocument[] = [];
  for (const name of names) {
    const docs = fileDocuments(await readInput(path.join(groupFolder, name)), config.name);
    if (docs.length !== 1 || docs[0]!.kind !== 'InstanceGroup' || docs[0]!.name !== name)
      throw new CliError(`${groupFolder}/${name}: expected the one InstanceGroup "${name}"`, EXIT.VALIDATION);
    groups.push(docs[0]!);
  }
  return [config, ...groups];
}
