export { setFields, unsetFields, type FieldOptions } from './set-fields.js';
export { parseFieldPath, type PathSegment } from './parse.js';
