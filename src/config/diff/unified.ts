import { structuredPatch, type StructuredPatchHunk } from 'diff';

/**
 * Most differing lines jsdiff may look for before it gives up (its `maxEditLength`). Myers's
 * algorithm costs about (lines x edits); past this bound the diff falls back to one hunk for the
 * changed middle, which is still a correct (if not minimal) diff and costs one linear scan.
 */
const MAX_EDIT_LENGTH = 500;

/**
 * A unified diff of two texts, line by line: jsdiff's Myers diff (linear space, time growing
 * with the number of edits, not with the square of the lines), laid out as diff(1) does with
 * `context` lines around each change. '' when the texts are equal.
 *
 * @example
 * ```ts
 * import { unifiedDiff } from './unified.js'; // internal: the package exports diffConfig
 *
 * unifiedDiff('a: 1\nb: 2\n', 'a: 1\nb: 3\n');
 * // '--- before\n+++ after\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n'
 * ```
 */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { from: string; to: string } = { from: 'before', to: 'after' },
  context = 3,
): string {
  if (before === after) return '';
  const patch = structuredPatch(labels.from, labels.to, before, after, undefined, undefined, {
    context,
    maxEditLength: MAX_EDIT_LENGTH,
  });
  const hunks = patch?.hunks ?? [middleHunk(before, after, context)];
  const out = new CappedLines([`--- ${labels.from}`, `+++ ${labels.to}`]);
  for (const hunk of hunks) {
    // diff(1)'s quirk: an empty side's range starts one line before where it would be.
    const fromStart = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart;
    const toStart = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart;
    out.add(`@@ -${fromStart},${hunk.oldLines} +${toStart},${hunk.newLines} @@`);
    // One line at a time: `push(...hunk.lines)` overflowed the stack on a 200,000-line value (issue #25.7).
    for (const line of hunk.lines) out.add(line);
  }
  return out.text();
}

/**
 * The bounds of every unified diff statestore makes: `diffConfig`, `MergeResult.diff.unified`,
 * `RollbackResult.diff`, `diffVersions` and `WatchEvent.diff`. A diff is for people: past either
 * bound the rest is left out and one last line, `\ diff truncated: N more lines not shown ...`,
 * says how much (diff(1) writes such notes after `\ `). A truncated diff cannot be applied as a
 * patch; the operation it describes (a merge, a rollback) still happens whole.
 *
 * @example
 * ```ts
 * import { diffConfig, DIFF_LIMITS } from 'kops-statestore';
 *
 * const huge = Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join('\n');
 * const { unified } = diffConfig({ spec: {} }, { spec: { additionalPolicies: { node: huge } } });
 * unified.split('\n').length <= DIFF_LIMITS.maxLines + 2; // true: the last line says what was left out
 * ```
 */
export const DIFF_LIMITS = Object.freeze({
  /** Most lines of a diff, its two header lines included. */
  maxLines: 10_000,
  /** Most characters of a diff. */
  maxChars: 1024 * 1024,
});

/** The lines of a diff, counted as they come: past {@link DIFF_LIMITS} only the count goes on. */
class CappedLines {
  readonly #lines: string[];
  #chars = 0;
  #left = 0;

  constructor(first: string[]) {
    this.#lines = [];
    for (const line of first) this.add(line);
  }

  add(line: string): void {
    if (
      this.#left > 0 ||
      this.#lines.length >= DIFF_LIMITS.maxLines ||
      this.#chars + line.length + 1 > DIFF_LIMITS.maxChars
    ) {
      this.#left++;
      return;
    }
    this.#lines.push(line);
    this.#chars += line.length + 1;
  }

  text(): string {
    if (this.#left > 0) {
      this.#lines.push(
        `\\ diff truncated: ${this.#left} more line${this.#left === 1 ? '' : 's'} not shown (a diff shows at most ${DIFF_LIMITS.maxLines} lines and ${DIFF_LIMITS.maxChars} characters: DIFF_LIMITS)`,
      );
    }
    return `${this.#lines.join('\n')}\n`;
  }
}

/** The fallback when the texts differ too much: common leading and trailing lines kept, the middle replaced. */
function middleHunk(before: string, after: string, context: number): StructuredPatchHunk {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const start = Math.max(0, head - context);
  const after1 = Math.min(tail, context);
  const leading = a.slice(start, head).map((line) => ` ${line}`);
  const removed = a.slice(head, a.length - tail).map((line) => `-${line}`);
  const added = b.slice(head, b.length - tail).map((line) => `+${line}`);
  const trailing = a.slice(a.length - tail, a.length - tail + after1).map((line) => ` ${line}`);
  return {
    oldStart: start + 1,
    oldLines: leading.length + removed.length + trailing.length,
    newStart: start + 1,
    newLines: leading.length + added.length + trailing.length,
    lines: [...leading, ...removed, ...added, ...trailing],
  };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
