import { readFileSync } from 'node:fs';
import type { StateStoreError } from '../../errors.js';

/** The environment variable the AWS CLI, the AWS SDKs for Go (kops) and Python read for a CA bundle. */
export const CA_BUNDLE_ENV = 'AWS_CA_BUNDLE';

/**
 * `{ ca }`: the certificates of `AWS_CA_BUNDLE` (a PEM file; `{}` when unset), which then replace Node's CA store for this
 * store's HTTPS requests, on both request paths, as they replace the system's roots in kops
 * (aws-sdk-go-v2: a new certificate pool holding the bundle only) and in the AWS CLI. The JS SDK
 * v3 does not read the variable itself; kops users have it set for the same endpoint. Read once,
 * when the store is opened: a missing or certificate-less file is InvalidArgument then.
 */
export function caBundle(file: string | undefined, invalid: (why: string) => StateStoreError): { ca?: string } {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(
      `${CA_BUNDLE_ENV}: cannot read ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw invalid(`${CA_BUNDLE_ENV}: ${JSON.stringify(file)} holds no PEM certificate`);
  return { ca: text };
}
