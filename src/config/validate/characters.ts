/**
 * Characters a kops config may not hold, in a key or a string value (issue #25.13 and "Weak").
 *
 * kops reads its configs with go-yaml v2 (pkg/kopscodecs/codecs.go -> sigs.k8s.io/yaml ->
 * go.yaml.in/yaml/v2), whose reader refuses a document holding a raw control character
 * (kops @268927e, vendor/go.yaml.in/yaml/v2/readerc.go:342-358: only tab, LF, CR, 0x20-0x7E, NEL,
 * 0xA0-0xD7FF, 0xE000-0xFFFD and above 0xFFFF pass; anything else is "control characters are not
 * allowed"). Written escaped (`"\e"`), such a value would read, but it is a terminal escape waiting
 * in every `kops get`, and the library's comment-keeping edit could write it raw (DEL and C1 went
 * into the text unescaped): one rule is simpler and safe, nothing holding one is written.
 *
 * NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029) are line breaks to
 * go-yaml (vendor/go.yaml.in/yaml/v2/yamlprivateh.go:102-108 `is_break`) but not to JSON nor to the YAML
 * reader here: a value holding one is written in a form the two readers read differently (a new
 * key was refused with a misleading "YAML cannot represent" message, an edited one was written
 * raw, which go-yaml folds). They are refused the same way, with what they are.
 */
import type { ValidationIssue } from '../../errors.js';
import { isPlainObject } from '../guard.js';

// Refused raw by go-yaml's reader (readerc.go:342-358), plus NEL, LS and PS (go-yaml line breaks).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const REFUSED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFFFE\uFFFF]/;

const LINE_BREAKS: Readonly<Record<string, string>> = {
  '\u0085': 'NEXT LINE',
  '\u2028': 'LINE SEPARATOR',
  '\u2029': 'PARAGRAPH SEPARATOR',
};

/** At most this many issues are listed: a hostile value may hold a million. */
const MAX_ISSUES = 20;

/** The pointer for a message, each refused character written `\u001B`: a message must not carry one raw. */
function printable(path: string): string {
  return path.replace(new RegExp(REFUSED.source, 'g'), (char) => `\\u${codePoint(char).slice(2)}`);
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The issue for one string (a key or a value) at `path`, or undefined when it holds nothing refused. */
function characterIssue(text: string, path: string, what: 'key' | 'value'): ValidationIssue | undefined {
  const found = REFUSED.exec(text)?.[0];
  if (found === undefined) return undefined;
  const name = LINE_BREAKS[found];
  const message =
    name === undefined
      ? `${printable(path)}: the ${what} holds the control character ${codePoint(found)}; kops refuses a config holding control characters (go-yaml: "control characters are not allowed")`
      : `${printable(path)}: the ${what} holds ${codePoint(found)} (${name}), a line break to kops's YAML reader (go-yaml v2) but not to JSON: it would not read back as written; use "\\n" or a space`;
  return { path: path === '' ? '/' : path, message };
}

const escapeToken = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every key and string value holding a character kops refuses (see the file's comment), as
 * validation issues with their JSON pointers, at most 20. Walked without recursion.
 */
export function controlCharacterIssues(value: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const { value: at, path } = stack.pop()!;
    if (typeof at === 'string') {
      const issue = characterIssue(at, path, 'value');
      if (issue !== undefined) issues.push(issue);
    } else if (Array.isArray(at)) {
      for (let index = at.length - 1; index >= 0; index--) stack.push({ value: at[index], path: `${path}/${index}` });
    } else if (isPlainObject(at)) {
      const keys = Object.keys(at);
      for (let index = keys.length - 1; index >= 0; index--) {
        const key = keys[index]!;
        const child = `${path}/${escapeToken(key)}`;
        const issue = characterIssue(key, child, 'key');
        if (issue !== undefined) issues.push(issue);
        stack.push({ value: at[key], path: child });
      }
    }
  }
  return issues.slice(0, MAX_ISSUES);
}
