import type { Vfs } from '../../src/vfs/types.js';

/** Wraps a Vfs and counts calls per method, to check what an operation costs. */
export function countingVfs(inner: Vfs): { vfs: Vfs; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const vfs = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        counts[property] = (counts[property] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { vfs, counts };
}
