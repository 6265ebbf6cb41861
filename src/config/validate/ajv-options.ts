import type { Options } from 'ajv';

/** Kubernetes' OpenAPI extensions in kops's CRDs: known keywords, checked by nothing (as in kops). */
export const KUBERNETES_KEYWORDS = [
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-validations',
];

/**
 * The one set of ajv options, shared by the validators compiled at build time
 * (scripts/gen-validators.ts) and any schema compiled at run time, so both report alike.
 * Formats (int32, int64, byte) are not checked: kops itself does not check them on read.
 */
export const AJV_OPTIONS: Options = {
  allErrors: true,
  strict: false,
  validateFormats: false,
  keywords: KUBERNETES_KEYWORDS,
};
