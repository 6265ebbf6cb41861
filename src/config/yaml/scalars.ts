import { isScalar, type Document, type Scalar } from 'yaml';
import { parsePointer } from '../patch/json-pointer.js';

/** Where a string scalar lies in a document's text, and how it is quoted. */
export interface ScalarRange {
  readonly start: number;
  readonly end: number;
  readonly type: Scalar['type'];
}

/**
 * The scalars of a parsed document by JSON pointer (a move's rewrite of a config that its scan
 * could not read, src/migrate/config-rewrite.ts). Here, beside the parser, so that the move's own
 * code imports nothing of the `yaml` package, which then loads only when a config needs the parser
 * (scripts/lazy-config.ts).
 */
export function documentScalars(document: Document.Parsed | undefined): (pointer: string) => ScalarRange | undefined {
  return (pointer) => {
    const node = document?.getIn(
      parsePointer(pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
      true,
    );
    if (!isScalar(node) || node.range === undefined || node.range === null) return undefined;
    return { start: node.range[0], end: node.range[1], type: node.type };
  };
}
