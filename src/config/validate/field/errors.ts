// apimachinery's field errors (k8s.io/apimachinery/pkg/util/validation/field/errors.go v0.36.3,
// vendored by kubernetes/kops @268927e, Apache-2.0, Copyright The Kubernetes Authors): the error
// types kops's validation makes, and `Error()`'s exact text.
import type { FieldPath } from './path.js';

/** The kops commit every `rule` citation (`validation.go:645`) refers to. */
export const KOPS_VALIDATION_COMMIT = '268927e26409f861634e18f3632c9dd483c350cf';

/** apimachinery's error types that kops's validation uses. */
export type FieldErrorType =
  'Required' | 'Invalid' | 'Forbidden' | 'NotSupported' | 'Duplicate' | 'NotFound' | 'TooMany' | 'Internal';

/** One validation error, as Go's `*field.Error`, with the kops source line that made it. */
export interface FieldError {
  type: FieldErrorType;
  field: FieldPath;
  /** The offending value (Go's `BadValue`); absent where Go's constructor takes none. */
  badValue?: unknown;
  detail: string;
  /** NotSupported: the values kops accepts. */
  valid?: readonly string[];
  /** The kops line making the error, `validation.go:645` (at {@link KOPS_VALIDATION_COMMIT}). */
  rule: string;
}

export type ErrorList = FieldError[];

const TYPE_STRINGS: Record<FieldErrorType, string> = {
  Required: 'Required value',
  Invalid: 'Invalid value',
  Forbidden: 'Forbidden',
  NotSupported: 'Unsupported value',
  Duplicate: 'Duplicate value',
  NotFound: 'Not found',
  TooMany: 'Too many',
  Internal: 'Internal error',
};

/** Go's `ErrorType.String()`: "Duplicate value". */
export function typeString(type: FieldErrorType): string {
  return TYPE_STRINGS[type];
}

/** `field.Required(path, detail)`. */
export function required(field: FieldPath, detail: string, rule: string): FieldError {
  return { type: 'Required', field, detail, rule };
}

/** `field.Invalid(path, value, detail)`. */
export function invalid(field: FieldPath, badValue: unknown, detail: string, rule: string): FieldError {
  return { type: 'Invalid', field, badValue, detail, rule };
}

/** `field.Forbidden(path, detail)`. */
export function forbidden(field: FieldPath, detail: string, rule: string): FieldError {
  return { type: 'Forbidden', field, detail, rule };
}

/** `field.Duplicate(path, value)`. */
export function duplicate(field: FieldPath, badValue: unknown, rule: string): FieldError {
  return { type: 'Duplicate', field, badValue, detail: '', rule };
}

/** `field.NotFound(path, value)`. */
export function notFound(field: FieldPath, badValue: unknown, rule: string): FieldError {
  return { type: 'NotFound', field, badValue, detail: '', rule };
}

/** `field.NotSupported(path, value, valid)`: detail `supported values: "a", "b"`. */
export function notSupported(field: FieldPath, badValue: unknown, valid: readonly string[], rule: string): FieldError {
  const detail = valid.length > 0 ? `supported values: ${valid.map(goQuote).join(', ')}` : '';
  return { type: 'NotSupported', field, badValue, detail, valid, rule };
}

/** `field.TooMany(path, actual, max)`. */
export function tooMany(field: FieldPath, actual: number, max: number, rule: string): FieldError {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return { type: 'TooMany', field, ...(actual >= 0 ? { badValue: actual } : {}), detail, rule };
}

/** `field.InternalError(path, err)`. */
export function internalError(field: FieldPath, message: string, rule: string): FieldError {
  return { type: 'Internal', field, detail: message, rule };
}

/** Go's `ErrorBody()`: `Duplicate value: "a"`, no value for Required, Forbidden and Internal. */
export function errorBody(e: FieldError): string {
  let text = typeString(e.type);
  const withValue = e.type !== 'Required' && e.type !== 'Forbidden' && e.type !== 'Internal';
  if (withValue && (e.badValue !== undefined || e.type !== 'TooMany')) text += `: ${formatValue(e.badValue)}`;
  return e.detail === '' ? text : `${text}: ${e.detail}`;
}

/** Go's `Error()`: `spec.subnets[1].name: Duplicate value: "a"`. */
export function errorString(e: FieldError): string {
  return `${e.field.toString()}: ${errorBody(e)}`;
}

/** `testErrors`'s key: `Duplicate value::spec.subnets[1].name` (kops validation_test.go:175). */
export function errorKey(e: FieldError): string {
  return `${typeString(e.type)}::${e.field.toString()}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Go marshals other values (a nil pointer included) to JSON.
  return JSON.stringify(value ?? null) ?? 'null';
}

const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's `strconv.Quote` (`%q`): printable characters as they are, others escaped. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (/\p{C}/u.test(ch) && code > 0x7f)
      out += code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Go's `allErrs = append(allErrs, more...)`: appends in a loop, never by spreading into `push`
 * (a spread of a large array overflows the stack; eslint refuses it in src/).
 */
export function append<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
