import { StateStoreError } from '../../errors.js';
import { isPlainObject } from '../guard.js';

/** The apiVersion kops writes for every state-store document (kops: pkg/kopscodecs/codecs.go ToVersionedYaml, v1alpha2). */
export const KOPS_API_VERSION = 'kops.k8s.io/v1alpha2';

/**
 * The apiVersion older kops wrote. kops still reads it: kopscodecs.Decode sees the group "kops"
 * and rewrites `kops/v1alpha2` to `kops.k8s.io/v1alpha2` before decoding (rewriteAPIGroup).
 */
export const LEGACY_API_VERSION = 'kops/v1alpha2';

/** kops reads v1alpha3 too (pkg/apis/kops/install: registered, v1alpha2 preferred) and converts it. */
export const V1ALPHA3_API_VERSION = 'kops.k8s.io/v1alpha3';

/** True for the apiVersions statestore reads as v1alpha2 (absent, current or legacy). */
export function isV1alpha2(apiVersion: unknown): boolean {
  return apiVersion === undefined || apiVersion === KOPS_API_VERSION || apiVersion === LEGACY_API_VERSION;
}

/** Why a document's apiVersion is not read, in words that name the field; undefined when it is. */
export function apiVersionProblem(apiVersion: unknown): string | undefined {
  if (isV1alpha2(apiVersion)) return undefined;
  if (apiVersion === V1ALPHA3_API_VERSION) {
    return `apiVersion "${V1ALPHA3_API_VERSION}" is not supported: kops reads it and converts it to its internal form, writing it back as ${KOPS_API_VERSION}; statestore has no v1alpha3 conversion (convert the document with kops, e.g. \`kops get cluster -o yaml\` and \`kops replace -f\`)`;
  }
  return `apiVersion must be "${KOPS_API_VERSION}" (or the legacy "${LEGACY_API_VERSION}" kops still reads), not ${JSON.stringify(apiVersion)}`;
}

/** Throws Unsupported for v1alpha3, InvalidArgument for any other apiVersion statestore does not read. */
export function assertReadableApiVersion(apiVersion: unknown, where: string): void {
  const problem = apiVersionProblem(apiVersion);
  if (problem === undefined) return;
  throw new StateStoreError(
    apiVersion === V1ALPHA3_API_VERSION ? 'Unsupported' : 'InvalidArgument',
    `${where}: ${problem}`,
  );
}

/**
 * The document as kops writes it back: a legacy `kops/v1alpha2` becomes `kops.k8s.io/v1alpha2`
 * (kops decodes, then re-encodes with the v1alpha2 scheme version). Other values are returned as they are.
 */
export function withCurrentApiVersion<T>(value: T): T {
  if (!isPlainObject(value) || value.apiVersion !== LEGACY_API_VERSION) return value;
  return { ...value, apiVersion: KOPS_API_VERSION } as T;
}
