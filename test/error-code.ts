/** Moved to test/helpers/errors.ts; kept while test files of others still import this path. */
export { errorCode } from './helpers/errors.js';
