import childProcess from 'node:child_process';
import path from 'node:path';

/**
 * Spies on the `sync -f` runs of the file backend and the copy workers (src/backends/file/sync-fs.ts:
 * one syncfs of the folders' filesystems), reporting each run's folders to `seen`; with `fail`,
 * answers each run as a `sync` without `-f` would, so the caller falls back to fsyncs. Other
 * programs run as usual. A `sync` run by its name alone (a PATH lookup) throws.
 */
export function spySyncfs(fail: boolean, seen: (folders: string[]) => void): { restore: () => void } {
  const original = childProcess.execFile;
  const spy = jest.spyOn(childProcess, 'execFile').mockImplementation(((
    file: string,
    args: string[],
    options: object,
    callback: (err: Error | null) => void,
  ) => {
    const passOn = original as (...a: unknown[]) => unknown;
    if (path.basename(file) !== 'sync') return passOn(file, args, options, callback);
    // The system's program by its absolute path, never a PATH lookup (sync-fs.ts).
    if (!path.isAbsolute(file)) throw new Error(`sync run as ${JSON.stringify(file)}, not by an absolute path`);
    seen(args.slice(2));
    if (!fail) return passOn(file, args, options, callback);
    setImmediate(() => callback(new Error('sync: unrecognized option -f')));
  }) as unknown as typeof childProcess.execFile);
  return { restore: () => spy.mockRestore() };
}
