export { moveStateStore } from './move.js';
export type { ClusterMoveResult, MoveOptions, MoveProgress, MoveResult, StoreRef } from './types.js';
