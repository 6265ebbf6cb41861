import { Command } from 'commander';
import {
  diffConfig,
  errorsOnly,
  isStateStoreError,
  parseClusterConfig,
  parseInstanceGroupConfig,
  validateClusterConfig,
  type StateStore,
  type StoredDocument,
} from '../index.js';
import { validateClusterChange, validateInstanceGroupChange } from '../config/validate/kops.js';
import { contextOf, withStore, type Context } from './context.js';
import { describeIssue } from './documents.js';
import { EditFile, editHeader, hasLines, launchEditor, stripComments } from './editor.js';
import { CliError, EXIT } from './exit-codes.js';
import { clusterFlag, examples } from './help.js';
import { asWriter, leaseFlags } from './lease-guard.js';
import { escapeForTerminal } from './output.js';

/** How to load, check and save one kind of document. */
interface Editable {
  what: string;
  load(): Promise<StoredDocument<unknown>>;
  /** The parsed value, or the errors to show at the top of the reopened file. */
  check(text: string, original: unknown): { value: unknown; errors: string[] };
  save(value: unknown, ifMatch: string): Promise<unknown>;
}

function checker(
  parse: (text: string) => unknown,
  validate: (value: unknown, original: unknown) => ReturnType<typeof validateClusterConfig>,
): Editable['check'] {
  return (text, original) => {
    try {
      const value = parse(text);
      return { value, errors: errorsOnly(validate(value, original)).map(describeIssue) };
    } catch (err) {
      if (isStateStoreError(err)) return { value: undefined, errors: [`error parsing config: ${err.message}`] };
      throw err;
    }
  };
}

/** `edit cluster NAME` / `edit ig NAME --name CLUSTER`: kops's edit (kops: cmd/kops/edit_cluster.go) with compare-and-swap. */
export function editCommand(): Command {
  const edit = new Command('edit').description(
    'Edit a cluster or instance group in $EDITOR (validated, written only if unchanged meanwhile)',
  );
  const cluster = leaseFlags(
    new Command('cluster').argument('<name>', 'the cluster').description("Edit a cluster's config"),
  );
  cluster.action(async (name: string, _opts: unknown, command: Command) => {
    const ctx = contextOf(command);
    await withStore(ctx, (store) =>
      asWriter(ctx, store, name, 'edit', (lease) =>
        runEdit(ctx, {
          what: `cluster "${name}"`,
          load: () => store.getCluster(name),
          // kops's rules refuse only what the edit adds (kops.ts validateClusterChange).
          check: checker(parseClusterConfig, (value, original) => validateClusterChange(original, value)),
          save: (value, ifMatch) => store.putConfig(name, value as never, { ifMatch, ...(lease ? { lease } : {}) }),
        }),
      ),
    );
  });
  edit.addCommand(examples(cluster, ['EDITOR=nano statestore edit cluster prod.example.com']));
  const ig = leaseFlags(
    new Command('instancegroup')
      .alias('ig')
      .argument('<group>', 'the instance group')
      .description('Edit an instance group'),
  );
  clusterFlag(ig).action(async (group: string, opts: { name: string }, command: Command) => {
    const ctx = contextOf(command);
    await withStore(ctx, (store: StateStore) =>
      asWriter(ctx, store, opts.name, 'edit', (lease) =>
        runEdit(ctx, {
          what: `instance group "${group}"`,
          load: () => store.getInstanceGroup(opts.name, group),
          check: checker(parseInstanceGroupConfig, (value, original) => validateInstanceGroupChange(original, value)),
          save: (value, ifMatch) =>
            store.putInstanceGroup(opts.name, value as never, { ifMatch, ...(lease ? { lease } : {}) }),
        }),
      ),
    );
  });
  edit.addCommand(examples(ig, ['statestore edit ig nodes --name prod.example.com']));
  return examples(edit, [
    'statestore edit cluster prod.example.com',
    'KUBE_EDITOR="code --wait" statestore edit ig nodes --name prod.example.com',
  ]);
}

/**
 * kops's edit loop in one temporary file, removed at the end unless an error message points at it
 * (the user's changes would be lost otherwise).
 */
async function runEdit(ctx: Context, doc: Editable): Promise<void> {
  const edit = new EditFile();
  let keep = false;
  try {
    await editLoop(ctx, doc, edit);
  } catch (err) {
    keep = err instanceof Error && err.message.includes(edit.file);
    throw err;
  } finally {
    if (!keep) edit.remove();
  }
}

/** kops's edit loop: reopen with the errors on top until the file is valid, unchanged, or empty. */
async function editLoop(ctx: Context, doc: Editable, edit: EditFile): Promise<void> {
  const original = await doc.load();
  const file = edit.file;
  let errors: string[] = [];
  let previous: string | undefined;
  for (;;) {
    const edited = await launchEditor(
      editHeader(errors) + (previous === undefined ? original.text : stripComments(previous)),
      edit,
    );
    if (previous !== undefined && stripComments(previous) === stripComments(edited)) {
      throw new CliError(
        `Edit cancelled: no valid changes were saved. A copy of your changes is in ${file}`,
        EXIT.VALIDATION,
      );
    }
    if (stripComments(original.text) === stripComments(edited)) return ctx.out.info('Edit cancelled: no changes made.');
    if (!hasLines(edited)) return ctx.out.info('Edit cancelled: saved file was empty.');
    const checked = doc.check(edited, original.value);
    if (checked.errors.length > 0) {
      ({ errors, previous } = { errors: checked.errors, previous: edited });
      ctx.out.info(
        `${doc.what} is invalid; reopening the editor (${checked.errors.length} error${checked.errors.length === 1 ? '' : 's'})`,
      );
      continue;
    }
    const diff = diffConfig(original.value, checked.value);
    if (diff.operations.length === 0) return ctx.out.info('Edit cancelled: no changes made.');
    ctx.out.diff(diff.unified);
    try {
      await doc.save(checked.value, original.version);
    } catch (err) {
      if (isStateStoreError(err, 'PreconditionFailed') && err.message.includes('lease'))
        throw new CliError(`${err.message}; nothing was written. Your edit is in ${file}`, EXIT.CONFLICT);
      if (isStateStoreError(err, 'PreconditionFailed') || isStateStoreError(err, 'Conflict'))
        await reportLostRace(ctx, doc, original, file);
      throw err;
    }
    return ctx.out.info(`${doc.what} updated`);
  }
}

/** Someone wrote the document while it was open: show what they changed, keep the edit, say how to re-apply it. */
async function reportLostRace(
  ctx: Context,
  doc: Editable,
  original: StoredDocument<unknown>,
  file: string,
): Promise<never> {
  const current = await doc.load().catch(() => undefined);
  ctx.out.error(`${doc.what} was changed by someone else while you edited it; nothing was written.`);
  if (current) {
    ctx.out.info('What changed meanwhile:');
    ctx.out.stderr.write(escapeForTerminal(diffConfig(original.value, current.value).unified));
  }
  ctx.out.info(
    `Your edit is in ${file}. To apply it over the new version: statestore replace -f ${file}${doc.what.startsWith('instance') ? ' --name CLUSTER' : ''}`,
  );
  throw new CliError(`${doc.what} changed during the edit; your edit is kept in ${file}`, EXIT.CONFLICT);
}
