import type { VfsDriver } from './driver.js';
import type { Vfs } from './types.js';

/** Each Vfs that portable() made, by identity: a view made of one (Object.create) is not in it. */
const drivers = new WeakMap<Vfs, VfsDriver>();

/** Records the driver under a Vfs (portable()). */
export function recordDriver(vfs: Vfs, driver: VfsDriver): void {
  drivers.set(vfs, driver);
}

/**
 * The driver under a Vfs that portable() made, for a caller that bypasses the Vfs where it knows
 * the driver (a file:// -> file:// move's copy workers); undefined for any other Vfs, such as a
 * wrapper of one, whose own behaviour must then be kept.
 */
export function driverOf(vfs: Vfs): VfsDriver | undefined {
  return drivers.get(vfs);
}
