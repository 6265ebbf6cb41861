import { StateStoreError } from '../errors.js';

function malformed(detail: string): StateStoreError {
  return new StateStoreError('InvalidArgument', `cloudLabels: one or more key=value pairs are malformed: ${detail}`);
}

// One field as Go's encoding/csv reads it with TrimLeadingSpace and strict quotes: a quoted field
// may hold '=', doubled quotes and line breaks, and must be followed by '=' or the end of its line.
function readField(text: string, start: number): { field: string; next: number; endOfRecord: boolean } {
  let i = start;
  while (i < text.length && text[i] !== '\n' && /\s/.test(text[i] ?? '')) i++;
  let field = '';
  if (text[i] === '"') {
    for (i++; ; i++) {
      if (i >= text.length) throw malformed('extraneous or missing " in quoted-field');
      if (text[i] === '"') {
        if (text[i + 1] !== '"') break;
        i++;
      }
      field += text[i];
    }
    i++;
    if (i < text.length && text[i] !== '\n' && text[i] !== '=')
      throw malformed('extraneous or missing " in quoted-field');
  } else {
    for (; i < text.length && text[i] !== '=' && text[i] !== '\n'; i++) {
      if (text[i] === '"') throw malformed('bare " in non-quoted-field');
      field += text[i];
    }
  }
  const endOfRecord = i >= text.length || text[i] === '\n';
  return { field, next: i + 1, endOfRecord };
}

/**
 * Parses kops's `--cloud-labels` value as kops's `parseCloudLabels` does
 * (cmd/kops/create_cluster.go): every comma ends a `key=value` record (commas cannot be quoted),
 * and each record is read by Go's encoding/csv with '=' as the separator, leading spaces of each
 * field dropped, and quotes allowed around a field (so a value may hold '='). A record must have
 * exactly one key and one value; a later key wins. Keys that would reach a JavaScript object's
 * prototype are refused.
 */
export function parseCloudLabels(text: string): Record<string, string> {
  const records = text.replaceAll(',', '\n');
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < records.length) {
    if (records[i] === '\n') {
      i++;
      continue;
    } // encoding/csv skips empty lines
    const fields: string[] = [];
    for (;;) {
      const { field, next, endOfRecord } = readField(records, i);
      fields.push(field);
      i = next;
      if (endOfRecord) break;
    }
    if (fields.length !== 2) throw malformed(`expected key=value, got ${JSON.stringify(fields.join('='))}`);
    const [key, value] = fields as [string, string];
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      throw new StateStoreError('InvalidArgument', `cloudLabels: key ${JSON.stringify(key)} is not allowed`);
    }
    labels[key] = value;
  }
  return labels;
}
