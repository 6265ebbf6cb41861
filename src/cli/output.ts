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
  /** Rows in the order given (a timeline), not sorted by their cells as kops's tables are. */
  ordered?: boolean;
}

/**
 * Characters a terminal acts on rather than prints: C0 controls, DEL, C1 controls (U+0080-U+009F,
 * where U+009B is CSI on many terminals), and the bidi overrides, isolates and marks and line
 * separators that reorder or split what is shown (the "Trojan Source" set).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** How {@link escapeForTerminal} treats line breaks and tabs. */
export type Keep = 'nothing' | 'lines' | 'lines-and-tabs';

/**
 * The one escaping of text from the store before it reaches a person (SECURITY.md): every
 * character in {@link TERMINAL_UNSAFE} becomes `\uXXXX` (so ESC is `\u001b`), except `\n` (and
 * `\t`) where `keep` allows them. Table cells keep nothing; messages keep lines; YAML on a
 * terminal keeps lines and tabs. Printable text, including any other Unicode, is left alone.
 */
export function escapeForTerminal(text: string, keep: Keep = 'lines'): string {
  return text.replace(TERMINAL_UNSAFE, (char) => {
    if (char === '\n' && keep !== 'nothing') return char;
    if (char === '\t' && keep === 'lines-and-tabs') return char;
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * JSON for any output: JSON.stringify escapes C0 controls itself; DEL, C1 controls and the bidi
 * and line-separator characters it leaves raw are written as `\uXXXX` too, which any JSON reader
 * decodes to the same string.
 */
export function toJson(value: unknown, indent?: number): string {
  return escapeForTerminal(JSON.stringify(value, null, indent) ?? 'null', 'lines');
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
    if (format === 'json') this.stdout.write(`${toJson(value, 2)}\n`);
    else if (format === 'table' && table) this.stdout.write(renderTable(table()));
    else this.text(typeof value === 'string' ? value : stringifyYaml(value));
  }

  /**
   * Text on stdout (stored YAML, a listing): byte for byte into a pipe or file (so `get -o yaml >
   * f` round-trips), escaped on a terminal.
   */
  text(value: string): void {
    if (value !== '') this.stdout.write(ensureNewline(this.#forStdout(value)));
  }

  #forStdout(value: string): string {
    return this.stdout.isTTY === true ? escapeForTerminal(value, 'lines-and-tabs') : value;
  }

  /** A unified diff on stdout, coloured on a terminal. */
  diff(unified: string): void {
    if (unified === '') return;
    const c = this.outColor;
    const lines = ensureNewline(this.#forStdout(unified))
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
    if (!this.quiet) this.stderr.write(`${escapeForTerminal(message)}\n`);
  }

  /** A warning (stderr), silenced by --quiet. */
  warn(message: string): void {
    if (!this.quiet) this.stderr.write(`${this.color.yellow('warning:')} ${escapeForTerminal(message)}\n`);
  }

  /** An error (stderr), never silenced. */
  error(message: string): void {
    this.stderr.write(`${this.color.red('error:')} ${escapeForTerminal(message)}\n`);
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
  // Cells are escaped whatever the stream: a table is for people, and a tab or newline in a cell would break it.
  const escaped = table.rows.map((row) => row.map((cell) => escapeForTerminal(cell, 'nothing')));
  const rows = table.ordered ? escaped : escaped.sort(compareRows);
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
