import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliError, EXIT } from './exit-codes.js';
import { editorRunning, exitCodeOf, interruptedBy } from './interrupt.js';

/** The editor kops uses: KUBE_EDITOR, then EDITOR, then vi (kops: pkg/commands/commandutils/editor.go EditorEnvs). */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBE_EDITOR || env.EDITOR || 'vi';
}

/**
 * The temporary file one edit works in: `$TMPDIR/statestore-edit-XXXXXX/edit.yaml`, the folder
 * 0700 and the file 0600 (it holds the cluster's document), removed when the edit ends, unless an
 * error message points the user at it (their changes would be lost otherwise).
 */
export class EditFile {
  readonly file: string;
  readonly #dir: string;

  constructor() {
    this.#dir = mkdtempSync(path.join(tmpdir(), 'statestore-edit-'));
    this.file = path.join(this.#dir, 'edit.yaml');
  }

  write(text: string): void {
    writeFileSync(this.file, text, { mode: 0o600 });
  }

  /** What the editor saved; a file it removed or replaced with a folder is a clear error, not a raw ENOENT/EISDIR. */
  read(): string {
    try {
      return readFileSync(this.file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const what =
        code === 'ENOENT' ? 'removed' : code === 'EISDIR' ? 'replaced with a folder' : `made unreadable (${code})`;
      // Not naming the path: nothing is left there to recover, and the folder is removed after.
      throw new CliError(`the editor ${what} the file it was editing: nothing was written`, EXIT.ERROR);
    }
  }

  remove(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/**
 * Writes `text` to the edit file, runs the editor on it through the shell (so `EDITOR="code
 * --wait"` works) without blocking this process (a lease keeps being renewed meanwhile), and
 * returns what was saved. A Ctrl-C that ends the editor ends the edit (exit 130), nothing written.
 */
export async function launchEditor(text: string, edit: EditFile): Promise<string> {
  edit.write(text);
  // `exec`: the editor replaces the shell, so a SIGTERM passed on reaches the editor itself.
  const child = spawn('sh', ['-c', `exec ${editorCommand()} "$1"`, 'sh', edit.file], { stdio: 'inherit' });
  editorRunning(child);
  const result = await new Promise<{ status: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once('error', (error) => resolve({ status: null, signal: null, error }));
      child.once('exit', (status, signal) => resolve({ status, signal }));
    },
  );
  const interrupted =
    interruptedBy() ?? (result.signal === 'SIGINT' || result.signal === 'SIGTERM' ? result.signal : undefined);
  if (interrupted !== undefined) throw new CliError('edit interrupted: nothing was written', exitCodeOf(interrupted));
  if (result.error || result.status !== 0) {
    throw new CliError(
      `error launching editor "${editorCommand()}": ${result.error?.message ?? `exit status ${result.status ?? result.signal}`}; a copy of your changes is in ${edit.file}`,
      EXIT.ERROR,
    );
  }
  return edit.read();
}

/** kops's edit header (kops: cmd/kops/edit_cluster.go editHeader.writeTo), with the errors of the last save. */
export function editHeader(errors: readonly string[]): string {
  let header =
    "# Please edit the object below. Lines beginning with a '#' will be ignored,\n" +
    '# and an empty file will abort the edit. If an error occurs while saving this file will be\n' +
    '# reopened with the relevant failures.\n#\n';
  for (const error of errors) header += `# ${error.replace(/\n/g, '\n# ')}\n#\n`;
  return header;
}

/** Drops comment lines (kops: cmd/kops/edit_cluster.go stripComments). */
export function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');
}

/** Whether any line has content other than a comment (kops: cmd/kops/edit_cluster.go hasLines). */
export function hasLines(text: string): boolean {
  return text.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}
