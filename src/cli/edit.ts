import { Command } from 'commander';
import {
  diffConfig,
  errorsOnly,
  isStateStoreError,
  parseClusterConfig,
  parseInstanceGroupConfig,
  validateClusterChange,
  validateClusterConfig,
  validateInstanceGroupChange,
  type StateStore,
  type StoredDocument,
  updateYamlText,
} from '../index.js';
import { conflictNotes, rebaseEdit } from './edit-rebase.js';
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
  name: string,
): Editable['check'] {
  return (text, original) => {
    try {
      const value = parse(text);
      const errors = errorsOnly(validate(value, original)).map(describeIssue);
      // The name is where the document is stored (the store refuses a rename): reopen on it like any error.
      const edited = (value as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
      if (edited !== name)
        errors.push(
          `/metadata/name: cannot change from ${JSON.stringify(name)}: to rename, create it under the new name`,
        );
      return { value, errors };
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
          check: checker(parseClusterConfig, (value, original) => validateClusterChange(original, value), name),
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
      asWriter(ctx, store, opts.name, 'edit', async (lease) => {
        // kops's rules needing the cluster (a subnet the cluster lacks, ...) reopen the editor too.
        const cluster = (await store.getCluster(opts.name)).value;
        return runEdit(ctx, {
          what: `instance group "${group}"`,
          load: () => store.getInstanceGroup(opts.name, group),
          check: checker(
            parseInstanceGroupConfig,
            (value, original) => validateInstanceGroupChange(original, value, { cluster }),
            group,
          ),
          save: (value, ifMatch) =>
            store.putInstanceGroup(opts.name, value as never, { ifMatch, ...(lease ? { lease } : {}) }),
        });
      }),
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

/** What the editor opens next: the text below the header, the header's lines, and the version it applies to. */
interface Round {
  base: StoredDocument<unknown>;
  text: string;
  notes: string[];
}

/**
 * kops's edit loop: reopen with the errors on top until the file is valid, unchanged, or empty.
 * The same errors after two saves in a row stop it (a user or editor that cannot fix them would
 * otherwise loop forever), as an unchanged invalid file does.
 */
async function editLoop(ctx: Context, doc: Editable, edit: EditFile): Promise<void> {
  const loaded = await doc.load();
  let round: Round = { base: loaded, text: loaded.text, notes: [] };
  let previous: { text: string; errors: string[] } | undefined;
  for (;;) {
    const edited = await launchEditor(editHeader(round.notes) + round.text, edit);
    if (previous !== undefined && stripComments(previous.text) === stripComments(edited))
      throw cancelled(ctx, edit.file, '', previous.errors);
    if (stripComments(round.base.text) === stripComments(edited))
      return ctx.out.info('Edit cancelled: no changes made.');
    if (!hasLines(edited)) return ctx.out.info('Edit cancelled: saved file was empty.');
    const checked = doc.check(edited, round.base.value);
    if (checked.errors.length > 0) {
      if (previous !== undefined && checked.errors.join('\n') === previous.errors.join('\n'))
        throw cancelled(ctx, edit.file, ' (the same errors twice)', checked.errors);
      previous = { text: edited, errors: checked.errors };
      round = { base: round.base, text: stripComments(edited), notes: checked.errors };
      const count = checked.errors.length;
      ctx.out.info(`${doc.what} is invalid; reopening the editor (${count} error${count === 1 ? '' : 's'})`);
      continue;
    }
    previous = undefined;
    const diff = diffConfig(round.base.value, checked.value);
    if (diff.operations.length === 0) return ctx.out.info('Edit cancelled: no changes made.');
    ctx.out.diff(diff.unified);
    const reopen = await saveOrRebase(ctx, doc, round.base, checked.value, edit.file);
    if (reopen === undefined) return ctx.out.info(`${doc.what} updated`);
    round = reopen;
  }
}

/** The error ending an edit that stayed invalid; the errors it still had are printed first (stderr). */
function cancelled(ctx: Context, file: string, why: string, errors: readonly string[]): CliError {
  for (const error of errors) ctx.out.error(error);
  return new CliError(
    `Edit cancelled: no valid changes were saved${why}. A copy of your changes is in ${file}`,
    EXIT.VALIDATION,
  );
}

/** Attempts at re-applying an edit on a version someone else keeps changing, before giving up. */
const REBASE_ATTEMPTS = 5;

/**
 * Saves the edit conditionally on `base`'s version. When someone else wrote the document
 * meanwhile, the user's change is re-applied on their version (rebaseEdit) and saved again; when
 * both changed a field, resolves to the round that reopens the editor on the re-applied change.
 */
async function saveOrRebase(
  ctx: Context,
  doc: Editable,
  base: StoredDocument<unknown>,
  value: unknown,
  file: string,
): Promise<Round | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await doc.save(value, base.version);
      return undefined;
    } catch (err) {
      if (isStateStoreError(err, 'PreconditionFailed') && err.message.includes('lease'))
        throw new CliError(`${err.message}; nothing was written. Your edit is in ${file}`, EXIT.CONFLICT);
      const lostRace = isStateStoreError(err, 'PreconditionFailed') || isStateStoreError(err, 'Conflict');
      if (!lostRace) throw err;
      if (attempt >= REBASE_ATTEMPTS)
        throw new CliError(
          `${doc.what} keeps changing during the edit; nothing was written. Your edit is in ${file}`,
          EXIT.CONFLICT,
        );
    }
    const current = await doc.load();
    ctx.out.error(`${doc.what} was changed by someone else while you edited it; what changed meanwhile:`);
    ctx.out.stderr.write(escapeForTerminal(diffConfig(base.value, current.value).unified));
    const rebased = rebaseEdit(base.value, value, current.value);
    if (rebased.conflicts.length > 0) {
      ctx.out.info('you both changed some fields: reopening the editor on your change re-applied to the new version');
      const text = updateYamlText(current.text, rebased.value);
      return { base: current, text, notes: conflictNotes(doc.what, rebased.conflicts) };
    }
    ctx.out.info('your change, re-applied on the new version:');
    ctx.out.diff(diffConfig(current.value, rebased.value).unified);
    base = current;
    value = rebased.value;
  }
}
