import pc from 'picocolors';
import { stringifyYaml } from '../index.js';

/** `-o` formats. */
export type Format = 'yaml' | 'json' | 'table';

/** Where results and messages go: results on stdout (for pipes), people's messages on stderr. */
export interface OutputOptions {
  format?: Format;
  quiet?: boolean;
  /** Stream overrides, for tests. */
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

/** A table: column headers and rows of cells, rendered like kops's (upper-case headers, padded). */
export interface Table {
  headers: string[];
  rows: string[][];
}

/** Colours only for a terminal and never with NO_COLOR (https://no-color.org) set to anything non-empty. */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): ReturnType<typeof pc.createColors> {
  const enabled = stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
  return pc.createColors(enabled);
}

/** The command line's one output sink. */
export class Output {
  readonly format: Format | undefined;
  readonly quiet: boolean;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Colours for stderr messages. */
  readonly color: ReturnType<typeof pc.createColors>;
  /** Colours for stdout (diffs): off when piped. */
  readonly outColor: ReturnType<typeof pc.createColors>;

  constructor(options: OutputOptions = {}) {
    const env = options.env ?? process.env;
    this.format = options.format;
    this.quiet = options.quiet ?? false;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.color = colorsFor(this.stderr, env);
    this.outColor = colorsFor(this.stdout, env);
  }

  /** True when the caller asked for JSON (scripts). */
  get json(): boolean {
    return this.format === 'json';
  }

  /** A result: as JSON, YAML, or the table (the default for lists). */
  result(value: unknown, table?: () => Table): void {
    const format = this.format ?? (table ? 'table' : 'yaml');
    if (format === 'json') this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else if (format === 'table' && table) this.stdout.write(renderTable(table()));
    else this.stdout.write(typeof value === 'string' ? ensureNewline(value) : stringifyYaml(value));
  }

  /** Raw text on stdout (stored YAML, a diff). */
  text(value: string): void {
    if (value !== '') this.stdout.write(ensureNewline(value));
  }

  /** A unified diff on stdout, coloured on a terminal. */
  diff(unified: string): void {
    if (unified === '') return;
    const c = this.outColor;
    const lines = ensureNewline(unified)
      .split('\n')
      .map((line) => {
        if (line.startsWith('+++') || line.startsWith('---')) return c.bold(line);
        if (line.startsWith('+')) return c.green(line);
        if (line.startsWith('-')) return c.red(line);
        if (line.startsWith('@@')) return c.cyan(line);
        return line;
      });
    this.stdout.write(lines.join('\n'));
  }

  /** A message for people (stderr), silenced by --quiet. */
  info(message: string): void {
    if (!this.quiet) this.stderr.write(`${message}\n`);
  }

  /** A warning (stderr), silenced by --quiet. */
  warn(message: string): void {
    if (!this.quiet) this.stderr.write(`${this.color.yellow('warning:')} ${message}\n`);
  }

  /** An error (stderr), never silenced. */
  error(message: string): void {
    this.stderr.write(`${this.color.red('error:')} ${message}\n`);
  }
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * kops's tables (kops: util/pkg/tables/format.go `Render`): rows sorted by their cells, columns
 * aligned by Go's tabwriter with tab padding (tab width 8, padding 1), so each cell is followed by
 * tabs up to the next multiple of 8 past the column's widest cell.
 */
export function renderTable(table: Table): string {
  const rows = [...table.rows].sort(compareRows);
  const all = [table.headers, ...rows];
  const last = table.headers.length - 1;
  // A loop, not Math.max(...cells): a spread of 100k+ rows overflows the stack.
  const widths = table.headers.map((_, i) => all.reduce((widest, row) => Math.max(widest, (row[i] ?? '').length), 0));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        if (i === last) return cell;
        const cellWidth = Math.ceil((widths[i]! + 1) / 8) * 8;
        return cell + '\t'.repeat(Math.ceil((cellWidth - cell.length) / 8));
      })
      .join('');
  return all.map(line).join('\n') + '\n';
}

function compareRows(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? '') < (b[i] ?? '') ? -1 : 1;
  return 0;
}
