/**
 * A Vfs as a server without write conditions but with object versioning looks (Ceph RGW 16.2 with
 * versioning on: If-Match refused, If-None-Match ignored), over a store that keeps versions, with
 * a hook that runs another writer's write (kops's unconditional PUT) right before a chosen write:
 * the interleaving a race would need, forced without timing.
 */
import { StateStoreError } from '../../src/errors.js';
import type { CallOptions, Capabilities, Vfs, WriteOptions } from '../../src/vfs/types.js';

/** What the wrapper lets a test do: the Vfs, and another writer's write to run before a call. */
export interface RacedVfs {
  vfs: Vfs;
  /** Runs `other` once, right before the next write of `key` through `vfs` (after its checks). */
  beforeNextWrite(key: string, other: () => Promise<unknown>): void;
  /** Runs `other` once, right before the next listing of `key`'s versions (a check before a write). */
  beforeNextVersionList(key: string, other: () => Promise<unknown>): void;
}

/** Wraps `inner` (a store keeping versions) as a server that enforces no write condition. */
export function unconditionalVersionedVfs(inner: Vfs): RacedVfs {
  const hooks = new Map<string, () => Promise<unknown>>();
  const runHook = async (call: string, key: string) => {
    const hook = hooks.get(`${call} ${key}`);
    hooks.delete(`${call} ${key}`);
    if (hook !== undefined) await hook();
  };
  const capabilities: Capabilities = {
    ...inner.capabilities,
    ifMatch: false,
    ifNoneMatch: false,
    deleteIfMatch: false,
  };
  const write = async (key: string, body: Uint8Array | string, options: WriteOptions = {}) => {
    // As the portable layer refuses a condition the capabilities deny: nothing may lean on one here.
    if (options.ifMatch !== undefined || options.ifNoneMatch !== undefined)
      throw new StateStoreError('Unsupported', `${key}: this server enforces no write condition`, { key });
    await runHook('write', key);
    return inner.write(key, body, options);
  };
  const listObjectVersions = async (key: string, options?: CallOptions) => {
    await runHook('list', key);
    return inner.listObjectVersions!(key, options);
  };
  const vfs = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'capabilities') return capabilities;
      if (property === 'loadCapabilities') return () => Promise.resolve(capabilities);
      if (property === 'write') return write;
      if (property === 'listObjectVersions') return listObjectVersions;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    vfs,
    beforeNextWrite: (key, other) => hooks.set(`write ${key}`, other),
    beforeNextVersionList: (key, other) => hooks.set(`list ${key}`, other),
  };
}
