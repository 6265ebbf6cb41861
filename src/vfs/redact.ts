/**
 * Keeps credentials and keys out of `JSON.stringify`, `util.inspect` and `console.log` (`%o`,
 * `%O`) of the objects that hold them (issue #25.5): stores, Vfs, drivers, the SDK clients they
 * create, the option objects they keep. Such an object prints as `Name { ...summary }` and
 * serialises as its summary, which names only what is safe (a URL without credentials, a backend).
 */
import type { InspectOptions } from 'node:util';

/** The symbol `util.inspect` calls (a registered symbol: no import of node:util needed at run time). */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What may be shown of a credentials-bearing object. */
export type Summary = () => Record<string, unknown>;

type Inspect = (value: unknown, options?: InspectOptions) => string;

/** The text `util.inspect` shows for an object summarised as `summary` under `name`. */
export function inspectSummary(
  name: string,
  summary: Record<string, unknown>,
  options: InspectOptions,
  inspect: Inspect,
) {
  return `${name} ${inspect(summary, { ...options, depth: 2 })}`;
}

/**
 * Makes `target` print and serialise as `summary()` only (non-enumerable own `toJSON` and
 * `util.inspect.custom`; the object is otherwise unchanged). For objects statestore creates or
 * copies: an SDK client, an options copy, a location. Returns `target`.
 */
export function redactInspection<T extends object>(target: T, name: string, summary: Summary = () => ({})): T {
  Object.defineProperty(target, 'toJSON', { value: () => summary(), configurable: true, writable: true });
  Object.defineProperty(target, INSPECT, {
    value: (_depth: number, options: InspectOptions, inspect: Inspect) =>
      inspectSummary(name, summary(), options, inspect),
    configurable: true,
    writable: true,
  });
  return target;
}

/** A shallow copy of `value` (an options object) that prints and serialises as `{}` under `name`. */
export function redactedCopy<T extends object>(value: T, name: string): T {
  return redactInspection({ ...value }, name);
}
