export * from './schema/index.js';
export * from './yaml/index.js';
export * from './validate/index.js';
