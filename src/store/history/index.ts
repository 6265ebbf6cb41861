import type { Vfs } from '../../vfs/types.js';
import { listHistory } from './list.js';
import { registerHistorySettings } from './record.js';
import { rollback } from './rollback.js';
import { diffVersions, getVersion } from './versions.js';
import type { HistorySettings, StoreHistory } from './types.js';

export type {
  HistoryEntry,
  HistoryKind,
  HistoryOperation,
  HistoryOptions,
  HistorySettings,
  HistoryVersion,
  RevisionOptions,
  RevisionRef,
  RollbackOptions,
  RollbackResult,
  StoreHistory,
  WriteAnnotation,
} from './types.js';

/**
 * The history of the clusters of one store (see docs/history.md). Registers `settings` for the
 * store's writes through `vfs`, which record their entries (record.ts).
 */
export function createStoreHistory(vfs: Vfs, settings: HistorySettings = {}): StoreHistory {
  registerHistorySettings(vfs, settings);
  return {
    history: (cluster, options) => listHistory(vfs, cluster, options),
    getVersion: (cluster, entry, options) => getVersion(vfs, cluster, entry, options),
    diffVersions: (cluster, from, to, options) => diffVersions(vfs, cluster, from, to, options),
    rollback: (cluster, revision, options) => rollback(vfs, cluster, revision, options),
  };
}
