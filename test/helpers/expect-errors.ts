/**
 * kops's `testErrors` (pkg/apis/kops/validation/validation_test.go:166 @268927e): every expected
 * `Type::field` string is among the errors' (extra errors pass); none expected means no errors.
 * `detail`, when given, must be one error's detail (the `ExpectedDetail` checks of kops's grids).
 * Every error's citation must also be a kops line making that kind of error (kops-sources.ts):
 * so each error kops's table tests produce proves the `source` statestore reports for it.
 */
import { errorKey, type ErrorList } from '../../src/config/validate/field/errors.js';
import { expectKopsSources } from './kops-sources.js';

export function expectErrors(actual: ErrorList, expected: readonly string[] = [], detail?: string): void {
  if (expected.length === 0) expect(actual.map((e) => `${errorKey(e)}: ${e.detail}`)).toEqual([]);
  else expect(actual.map(errorKey)).toEqual(expect.arrayContaining([...expected]));
  if (detail !== undefined) expect(actual.map((e) => e.detail)).toContain(detail);
  expectKopsSources(actual);
}
