/**
 * A unified diff of two texts, line by line (LCS by dynamic programming: configs are small, a few
 * hundred lines, so the quadratic table is cheap and the result minimal).
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string } = { from: 'before', to: 'after' }, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const edits = diffLines(a, b);
  const hunks: string[] = [];
  let i = 0;
  while (i < edits.length) {
    if (edits[i]!.kind === ' ') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are within 2 * context of each other.
    while (end < edits.length) {
      if (edits[end]!.kind !== ' ') {
        end++;
        continue;
      }
      let run = end;
      while (run < edits.length && edits[run]!.kind === ' ') run++;
      if (run === edits.length || run - end > 2 * context) break;
      end = run;
    }
    const stop = Math.min(edits.length, end + context);
    const slice = edits.slice(start, stop);
    const fromStart = (edits[start]?.aIndex ?? 0) + 1;
    const toStart = (edits[start]?.bIndex ?? 0) + 1;
    const fromCount = slice.filter((e) => e.kind !== '+').length;
    const toCount = slice.filter((e) => e.kind !== '-').length;
    hunks.push(`@@ -${fromCount === 0 ? fromStart - 1 : fromStart},${fromCount} +${toCount === 0 ? toStart - 1 : toStart},${toCount} @@`);
    for (const edit of slice) hunks.push(`${edit.kind}${edit.line}`);
    i = stop;
    start = stop;
  }
  return `--- ${labels.from}\n+++ ${labels.to}\n${hunks.join('\n')}\n`;
}

interface Edit {
  kind: ' ' | '-' | '+';
  line: string;
  aIndex: number;
  bIndex: number;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function diffLines(a: string[], b: string[]): Edit[] {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const lcs = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * cols + j] = a[i] === b[j] ? lcs[(i + 1) * cols + j + 1]! + 1 : Math.max(lcs[(i + 1) * cols + j]!, lcs[i * cols + j + 1]!);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      edits.push({ kind: ' ', line: a[i]!, aIndex: i, bIndex: j });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[(i + 1) * cols + j]! >= lcs[i * cols + j + 1]!)) {
      edits.push({ kind: '-', line: a[i]!, aIndex: i, bIndex: j }); // deletions first, as diff(1) prints them
      i++;
    } else {
      edits.push({ kind: '+', line: b[j]!, aIndex: i, bIndex: j });
      j++;
    }
  }
  return edits;
}
