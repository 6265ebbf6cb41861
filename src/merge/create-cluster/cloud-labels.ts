import { StateStoreError } from '../../vfs/errors.js';

/**
 * Parses kops's `--cloud-labels` value: comma-separated `key=value` pairs read as one CSV record
 * (kops uses encoding/csv), so a field may be double-quoted to hold commas, and the spaces
 * around a field are dropped.
 */
export function parseCloudLabels(text: string): Record<string, string> {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '"') {
      if (quoted && text[i + 1] === '"') {
        current += '"';
        i++;
      } else {
        quoted = !quoted;
      }
    } else if (ch === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted) throw new StateStoreError('InvalidArgument', 'cloudLabels: unterminated quote');
  fields.push(current);
  const labels: Record<string, string> = {};
  for (const raw of fields) {
    const field = raw.trim();
    if (field === '') continue;
    const eq = field.indexOf('=');
    if (eq <= 0) throw new StateStoreError('InvalidArgument', `cloudLabels: expected key=value, got ${JSON.stringify(field)}`);
    const key = field.slice(0, eq).trim();
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      throw new StateStoreError('InvalidArgument', `cloudLabels: key ${JSON.stringify(key)} is not allowed`);
    }
    labels[key] = field.slice(eq + 1).trim();
  }
  return labels;
}
