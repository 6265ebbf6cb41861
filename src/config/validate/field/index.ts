export { FieldPath } from './path.js';
export * from './errors.js';
