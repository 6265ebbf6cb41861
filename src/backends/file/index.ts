import path from 'node:path';
import { StateStoreError } from '../../errors.js';
import type { BackendFactory } from '../factory.js';
import { FileDriver } from './driver.js';

export { FileDriver } from './driver.js';
export type { FileBackendOptions } from './types.js';

/** Opens `file:///abs/path` or a bare path (relative paths resolve against the working directory). */
export const fileBackend: BackendFactory = {
  schemes: ['file'],
  async open(url, options) {
    if (url.path === '') throw new StateStoreError('InvalidArgument', 'file: empty path');
    return new FileDriver(path.resolve(url.path), options.file);
  },
};
