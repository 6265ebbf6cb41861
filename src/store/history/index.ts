import { StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import type { StoreHistory } from './types.js';

export type {
  HistoryEntry,
  HistoryOptions,
  RollbackOptions,
  RollbackResult,
  StoreHistory,
  WriteAnnotation,
} from './types.js';

/** SEAM (being built this session): the history of the clusters of one store. */
export function createStoreHistory(vfs: Vfs): StoreHistory {
  const todo = (): never => {
    throw new StateStoreError('Unsupported', `history is not built yet (${vfs.url})`);
  };
  return { history: todo, getVersion: todo, diffVersions: todo, rollback: todo };
}
