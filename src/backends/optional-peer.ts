import { StateStoreError } from '../errors.js';

/** Loads an optional peer dependency, or throws InvalidArgument naming the package to install. */
export async function loadOptionalPeer<T>(name: string, load: () => Promise<T>, scheme: string): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new StateStoreError(
        'InvalidArgument',
        `the ${scheme}:// backend needs the package "${name}": npm install ${name}` +
          // A global install resolves packages beside it in the global folder; npx needs both named.
          ` (for a global statestore: npm install -g ${name}; with npx: npx -p kops-statestore -p ${name} statestore ...)`,
        { cause: err },
      );
    }
    throw err;
  }
}
