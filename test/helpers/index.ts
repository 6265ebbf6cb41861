/**
 * The helpers test files share: error codes of calls ({@link errorCode}, {@link rejection} and
 * their synchronous forms), the repository root, temporary folders. Servers are in test/servers/,
 * backend targets in test/backends/targets.ts.
 */
export { errorCode, errorCodeSync, rejection, thrown, SUCCEEDED, type Call } from './errors.js';
export { REPO_ROOT } from './repo-root.js';
export { removeTempDirs, tempDir } from './temp-dir.js';
export { kopsValidGroups, kopsValidSpec } from './kops-valid.js';
export { expectErrors } from './expect-errors.js';
