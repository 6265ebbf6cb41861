import { StateStoreError } from '../errors.js';

/** Keys that could reach Object.prototype if used as property names. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The bounds every value, path and pointer entering the merge layer is held to, so that hostile
 * input gets a typed InvalidArgument within milliseconds instead of a RangeError (stack overflow)
 * or a blocked event loop. kops's deepest field (`spec.cloudProvider.aws.nodeTerminationHandler...`)
 * is about ten levels down and a kops config is a few KiB, so these leave ample room.
 */
export const INPUT_LIMITS = Object.freeze({
  /** Deepest nesting of maps and lists in a value. */
  maxDepth: 100,
  /** Largest value, measured as its JSON text (the YAML read limit is 4 MiB too). */
  maxBytes: 4 * 1024 * 1024,
  /** Most maps, lists and scalars in one value. */
  maxNodes: 100_000,
  /** Most tokens in a JSON pointer or a field path (a path cannot be deeper than a value). */
  maxPathTokens: 100,
  /** Longest JSON pointer or field path, in characters. */
  maxPathLength: 16 * 1024,
});

/** True for `__proto__`, `constructor` and `prototype`. */
export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.has(key);
}

/**
 * Refuses `__proto__`, `constructor` and `prototype` as a key, path segment or key value, with
 * InvalidArgument. Every entry point (YAML, patches, paths, selectors) calls this. `where` may be
 * a function, so that callers in a loop build their message only when it is needed.
 */
export function assertSafeKey(key: string, where: string | (() => string) = ''): void {
  if (UNSAFE_KEYS.has(key)) {
    const suffix = typeof where === 'function' ? where() : where;
    throw new StateStoreError(
      'InvalidArgument',
      `the key "${key}" is not accepted (prototype pollution guard)${suffix}`,
    );
  }
}

/** A text shortened for an error message (hostile input can be megabytes long). */
export function preview(text: string, max = 120): string {
  return (
    JSON.stringify(text.length <= max ? text : `${text.slice(0, max)}…`) +
    (text.length <= max ? '' : ` (${text.length} characters)`)
  );
}

/**
 * Refuses a JSON pointer or field path longer than {@link INPUT_LIMITS}: checked before the path
 * is split, so a 100k-token path costs one scan. `separators` counts one token each.
 */
export function assertPathBounds(path: string, what: string, separators: RegExp): void {
  if (path.length > INPUT_LIMITS.maxPathLength) {
    throw new StateStoreError(
      'InvalidArgument',
      `${what} ${preview(path)} is longer than the limit of ${INPUT_LIMITS.maxPathLength} characters (maxPathLength)`,
    );
  }
  const tokens = (path.match(separators) ?? []).length;
  if (tokens > INPUT_LIMITS.maxPathTokens) {
    throw new StateStoreError(
      'InvalidArgument',
      `${what} ${preview(path)} has ${tokens} segments, more than the limit of ${INPUT_LIMITS.maxPathTokens} (maxPathTokens)`,
    );
  }
}

/** One value on the walk of {@link assertSafeValue}; the chain of parents gives its path on error. */
interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string;
}

function pointerOf(frame: Frame | undefined, base: string): string {
  const keys: string[] = [];
  for (let at = frame; at?.parent !== undefined; at = at.parent)
    keys.push(at.key.replace(/~/g, '~0').replace(/\//g, '~1'));
  return (
    base +
    keys
      .reverse()
      .map((key) => `/${key}`)
      .join('')
  );
}

function tooLarge(frame: Frame, base: string, why: string): never {
  const at = pointerOf(frame, base) || '/';
  throw new StateStoreError('InvalidArgument', `value refused: ${why}, at ${preview(at)}`, {
    issues: [{ path: at, message: why }],
  });
}

/**
 * Walks a plain value (without recursion) and refuses, with InvalidArgument naming the limit and
 * the path: any unsafe key; `__proto__` / `constructor` / `prototype` as the `name` of a list
 * element (the key value keyed lists merge by); nesting deeper, values larger or with more nodes
 * than {@link INPUT_LIMITS}. Called where values enter: patches, `putConfig`, `stringifyYaml`.
 * Scalars are counted where they sit, only maps and lists go on the stack: the walk stays well
 * under the 100 ms a hostile value may cost even at the limits.
 */
export function assertSafeValue(value: unknown, path = ''): void {
  const root: Frame = { value, depth: 0, parent: undefined, key: '' };
  if (!isContainer(value)) {
    if (scalarBytes(value) > INPUT_LIMITS.maxBytes)
      tooLarge(root, path, `the value is larger than the limit of ${INPUT_LIMITS.maxBytes} bytes as JSON (maxBytes)`);
    return;
  }
  const budget = { bytes: 0, nodes: 1 };
  const stack: Frame[] = [root];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth >= INPUT_LIMITS.maxDepth)
      tooLarge(frame, path, `nested deeper than the limit of ${INPUT_LIMITS.maxDepth} levels (maxDepth)`);
    if (Array.isArray(frame.value)) walkItems(frame.value, frame, stack, budget);
    else walkFields(frame.value as Record<string, unknown>, frame, stack, budget, path);
    if (budget.nodes > INPUT_LIMITS.maxNodes)
      tooLarge(frame, path, `the value has more than ${INPUT_LIMITS.maxNodes} entries (maxNodes)`);
    if (budget.bytes > INPUT_LIMITS.maxBytes)
      tooLarge(frame, path, `the value is larger than the limit of ${INPUT_LIMITS.maxBytes} bytes as JSON (maxBytes)`);
  }
}

interface Budget {
  bytes: number;
  nodes: number;
}

function isContainer(value: unknown): value is object {
  return Array.isArray(value) || isPlainObject(value);
}

/** The JSON size of a scalar, close enough for a bound (numbers count their digits, roughly). */
function scalarBytes(value: unknown): number {
  return typeof value === 'string' ? value.length + 3 : 6;
}

function walkItems(list: unknown[], frame: Frame, stack: Frame[], budget: Budget): void {
  budget.nodes += list.length;
  budget.bytes += 2;
  if (budget.nodes > INPUT_LIMITS.maxNodes) return; // refused by the caller without walking it
  for (let index = list.length - 1; index >= 0; index--) {
    const item = list[index];
    if (isContainer(item)) stack.push({ value: item, depth: frame.depth + 1, parent: frame, key: String(index) });
    else budget.bytes += scalarBytes(item);
  }
}

function walkFields(object: Record<string, unknown>, frame: Frame, stack: Frame[], budget: Budget, base: string): void {
  if (Object.hasOwn(object, '__proto__')) assertSafeKey('__proto__', () => ` at ${pointerOf(frame, base) || '/'}`);
  const inList = frame.parent !== undefined && Array.isArray(frame.parent.value);
  if (inList && typeof object.name === 'string' && isUnsafeKey(object.name)) {
    assertSafeKey(object.name, () => ` as the "name" of the list element ${pointerOf(frame, base)}`);
  }
  const keys = Object.keys(object);
  budget.nodes += keys.length;
  budget.bytes += 2;
  if (budget.nodes > INPUT_LIMITS.maxNodes) return;
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    if (UNSAFE_KEYS.has(key))
      assertSafeKey(key, () => ` at ${pointerOf({ value: undefined, depth: 0, parent: frame, key }, base)}`);
    budget.bytes += key.length + 4;
    const item = object[key];
    if (isContainer(item)) stack.push({ value: item, depth: frame.depth + 1, parent: frame, key });
    else budget.bytes += scalarBytes(item);
  }
}

/** A non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  );
}

/** Deep copy of JSON-like data into fresh objects (never shares structure with the input). */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      assertSafeKey(key);
      out[key] = cloneJson(value[key]);
    }
    return out as T;
  }
  return value;
}

/** Deep equality of JSON-like data (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
    );
  }
  return false;
}
