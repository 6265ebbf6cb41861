/** Moved to test/helpers/repo-root.ts; kept while test files of others still import this path. */
export { REPO_ROOT } from './helpers/repo-root.js';
