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
  const lines = [`--- ${labels.from}`, `+++ ${labels.to}`];
  for (const hunk of hunks) {
    // diff(1)'s quirk: an empty side's range starts one line before where it would be.
    const fromStart = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart;
    const toStart = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart;
    lines.push(`@@ -${fromStart},${hunk.oldLines} +${toStart},${hunk.newLines} @@`, ...hunk.lines);
  }
  return `${lines.join('\n')}\n`;
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
