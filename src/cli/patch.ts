import { Command, Option } from 'commander';
import {
  diffConfig,
  errorsOnly,
  isStateStoreError,
  parseYaml,
  StateStoreError,
  validateClusterChange,
  validateInstanceGroupChange,
  type ClusterConfig,
  type InstanceGroupConfig,
  type JsonPatchOperation,
  type Lease,
  type StateStore,
  type StoredDocument,
} from '../index.js';
import { applyChange, targetOf } from './change.js';
import { contextOf, withStore, type Context } from './context.js';
import { fileDocuments, storedOf, type FileDocument } from './documents.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';
import { readInput } from './input.js';
import { asWriter, leaseFlags } from './lease-guard.js';

interface PatchFlags {
  type: 'strategic' | 'merge' | 'json';
  patch?: string;
  filename?: string;
  name?: string;
  dryRun?: boolean;
}

/** `patch cluster|ig NAME --type strategic|merge|json (-p JSON | -f FILE)` (kubernetes/kops#4057). */
export function patchCommand(): Command {
  const cmd = leaseFlags(new Command('patch'))
    .description('Patch a cluster or instance group (strategic merge, RFC 7386 merge, or RFC 6902 JSON patch)')
    .argument('<kind>', 'cluster or instancegroup (ig)')
    .argument('<name>', 'the cluster, or the instance group (with --name)')
    .addOption(new Option('--type <type>', 'patch type').choices(['strategic', 'merge', 'json']).default('strategic'))
    .option('-p, --patch <patch>', 'the patch, JSON or YAML')
    .option('-f, --filename <file>', 'read the patch from a file (- for stdin)')
    .option('--name <cluster>', 'the cluster of an instance group (KOPS_CLUSTER_NAME)', process.env.KOPS_CLUSTER_NAME)
    .option('--dry-run', 'print the unified diff, write nothing')
    .action(async (kind: string, name: string, opts: PatchFlags, command: Command) => {
      const ctx = contextOf(command);
      if (!['cluster', 'instancegroup', 'ig'].includes(kind))
        throw new CliError(`unknown kind "${kind}" (cluster or instancegroup)`, EXIT.USAGE);
      if ((opts.patch === undefined) === (opts.filename === undefined))
        throw new CliError('give the patch with exactly one of -p or -f', EXIT.USAGE);
      const text = opts.patch ?? (await readInput(opts.filename!));
      const patch = parsePatch(text);
      const change =
        opts.type === 'merge'
          ? { mergePatch: patch }
          : opts.type === 'json'
            ? { jsonPatch: jsonPatchOf(patch) }
            : { strategic: patch as object };
      const target = targetOf(kind === 'cluster' ? 'cluster' : 'instancegroup', name, opts.name);
      await withStore(ctx, (store) => applyChange(ctx, store, target, change as never, opts.dryRun === true, 'patch'));
    });
  return examples(cmd, [
    `statestore patch cluster prod.example.com -p '{"spec":{"kubernetesVersion":"1.30.0"}}' --dry-run`,
    `statestore patch ig nodes --name prod.example.com --type merge -p '{"spec":{"maxSize":5}}'`,
    `statestore patch cluster prod.example.com --type json -p '[{"op":"add","path":"/spec/sshAccess/-","value":"10.0.0.0/8"}]'`,
    'cat patch.yaml | statestore patch cluster prod.example.com -f -',
  ]);
}

function parsePatch(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return parseYaml(text).value;
  }
}

function jsonPatchOf(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) throw new CliError('a --type json patch is a JSON array of operations', EXIT.VALIDATION);
  return patch as JsonPatchOperation[];
}

/** `replace -f FILE`: kops's replace (kops: cmd/kops/replace.go), each write conditional on the version read. */
export function replaceCommand(): Command {
  const cmd = leaseFlags(new Command('replace'))
    .description('Replace clusters and instance groups with the documents of a file, if nobody changed them meanwhile')
    .requiredOption('-f, --filename <file>', 'the file (- for stdin)')
    .option('--name <cluster>', 'the cluster of instance groups that carry no kops.k8s.io/cluster label')
    .option('--force', 'create documents that do not exist yet')
    .option('--dry-run', 'print the unified diff, write nothing')
    .action(async (opts: { filename: string; name?: string; force?: boolean; dryRun?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      const docs = fileDocuments(await readInput(opts.filename), opts.name);
      await withStore(ctx, async (store) => {
        // Every document read and validated before the first write: one kops refuses writes none.
        const current: Array<StoredDocument<unknown> | undefined> = [];
        for (const doc of docs)
          current.push(
            await storedOf(store, doc).catch((err: unknown) =>
              isStateStoreError(err, 'NotFound') && opts.force ? undefined : Promise.reject(err),
            ),
          );
        await assertReplaceable(store, docs, current);
        const results = [];
        for (const [index, doc] of docs.entries())
          results.push(await replaceOne(ctx, store, doc, current[index], opts));
        if (ctx.out.json) ctx.out.result(results);
      });
    });
  return examples(cmd, [
    'statestore replace -f cluster.yaml',
    'statestore get cluster prod.example.com -o yaml | sed s/1.29.0/1.30.0/ | statestore replace -f - --dry-run',
  ]);
}

/**
 * Throws the first document's ValidationError, as the store would at its write: kops's rules (only
 * the violations a document adds), an instance group's with the file's Cluster or the stored one.
 */
async function assertReplaceable(
  store: StateStore,
  docs: readonly FileDocument[],
  current: ReadonlyArray<StoredDocument<unknown> | undefined>,
): Promise<void> {
  const stored = new Map<string, unknown>();
  const clusterOf = async (name: string): Promise<unknown> => {
    const inFile = docs.find((doc) => doc.kind === 'Cluster' && doc.name === name);
    if (inFile !== undefined) return inFile.value;
    if (!stored.has(name))
      stored.set(
        name,
        await store.getCluster(name).then(
          (doc) => doc.value,
          () => undefined,
        ),
      );
    return stored.get(name);
  };
  for (const [index, doc] of docs.entries()) {
    const before = current[index]?.value;
    const issues = errorsOnly(
      doc.kind === 'Cluster'
        ? validateClusterChange(before, doc.value)
        : validateInstanceGroupChange(before, doc.value, { cluster: await clusterOf(doc.cluster) }),
    );
    if (issues.length > 0)
      throw new StateStoreError('ValidationError', `invalid ${doc.kind} "${doc.name}": nothing written`, { issues });
  }
}

async function replaceOne(
  ctx: Context,
  store: StateStore,
  doc: FileDocument,
  current: StoredDocument<unknown> | undefined,
  opts: { dryRun?: boolean },
): Promise<object> {
  const diff = diffConfig(current?.value ?? {}, doc.value);
  const what = `${doc.kind === 'Cluster' ? 'cluster' : 'instance group'} "${doc.name}"`;
  if (!ctx.out.json && opts.dryRun) ctx.out.diff(diff.unified);
  let version = current?.version;
  if (!opts.dryRun && diff.operations.length > 0) {
    // ifMatch: the version read above, so a change made since is never overwritten (PreconditionFailed).
    const cluster = doc.kind === 'Cluster' ? doc.name : doc.cluster;
    // A new cluster has no lease to respect yet (leases are on existing clusters).
    const write = async (lease: Lease | undefined): Promise<string> => {
      const put = { ...(current ? { ifMatch: current.version } : {}), ...(lease ? { lease } : {}) };
      return doc.kind === 'Cluster'
        ? (await store.putConfig(doc.name, doc.value as ClusterConfig, put)).version
        : (await store.putInstanceGroup(doc.cluster, doc.value as InstanceGroupConfig, put)).version;
    };
    version =
      current || doc.kind !== 'Cluster'
        ? await asWriter(ctx, store, cluster, 'replace', write)
        : await write(undefined);
  }
  ctx.out.info(
    `${what}: ${diff.operations.length === 0 ? 'no change' : opts.dryRun ? 'dry run, nothing written' : current ? 'replaced' : 'created'}`,
  );
  return {
    kind: doc.kind,
    cluster: doc.cluster,
    name: doc.name,
    changed: diff.operations.length > 0,
    dryRun: opts.dryRun === true,
    version,
    operations: diff.operations,
  };
}

/** `diff -f FILE`: what `replace -f FILE` would change. */
export function diffCommand(): Command {
  const cmd = new Command('diff')
    .description('Show how the documents of a file differ from the store')
    .requiredOption('-f, --filename <file>', 'the file (- for stdin)')
    .option('--name <cluster>', 'the cluster of instance groups that carry no kops.k8s.io/cluster label')
    .action(async (opts: { filename: string; name?: string }, command: Command) => {
      const ctx = contextOf(command);
      const docs = fileDocuments(await readInput(opts.filename), opts.name);
      await withStore(ctx, async (store) => {
        const results = [];
        for (const doc of docs) {
          const current = await storedOf(store, doc).catch((err: unknown) =>
            isStateStoreError(err, 'NotFound') ? undefined : Promise.reject(err),
          );
          const diff = diffConfig(current?.value ?? {}, doc.value);
          results.push({
            kind: doc.kind,
            cluster: doc.cluster,
            name: doc.name,
            exists: current !== undefined,
            operations: diff.operations,
          });
          if (!ctx.out.json) ctx.out.diff(diff.unified);
        }
        if (ctx.out.json) ctx.out.result(results);
      });
    });
  return examples(cmd, [
    'statestore diff -f cluster.yaml',
    'statestore diff -f cluster.yaml --json | jq ".[].operations"',
  ]);
}
