import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

/** The editor kops uses: KUBE_EDITOR, then EDITOR, then vi (kops: pkg/commands/commandutils/editor.go EditorEnvs). */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBE_EDITOR || env.EDITOR || 'vi';
}

/**
 * Writes `text` to a fresh temporary file, runs the editor on it through the shell (so
 * `EDITOR="code --wait"` works), and returns what was saved and where the file is.
 */
export function launchEditor(text: string): { edited: string; file: string } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'statestore-edit-')), 'edit.yaml');
  writeFileSync(file, text, { mode: 0o600 });
  const result = spawnSync('sh', ['-c', `${editorCommand()} "$1"`, 'sh', file], { stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    throw new CliError(
      `error launching editor "${editorCommand()}": ${result.error?.message ?? `exit status ${result.status}`}; a copy of your changes is in ${file}`,
      EXIT.ERROR,
    );
  }
  return { edited: readFileSync(file, 'utf8'), file };
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
