/**
 * @deprecated Split into `shared/bytes.ts` and `shared/paging.ts` (issue #16). Kept only so that
 * drivers whose import line is not yet committed still build; delete once nothing imports it.
 */
export { collect, md5Hex, toBytes } from './shared/bytes.js';
export { compareKeys, pageSorted } from './shared/paging.js';
