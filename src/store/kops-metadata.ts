import { isPlainObject, jsonEqual } from '../config/guard.js';
import { withCurrentApiVersion } from '../config/yaml/api-version.js';
import { withoutUndefined } from '../config/yaml/stringify.js';

/*
 * The metadata kops's clientset fills in when it writes a Cluster or InstanceGroup
 * (kops: pkg/client/simple/vfsclientset/commonvfs.go, cluster.go, instancegroup.go).
 */

/** metav1.Time as kops writes it: RFC 3339, UTC, whole seconds (`2016-12-10T22:42:27Z`). */
export function kopsTimestamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A document as kops creates it: `metadata.creationTimestamp` set to now when it is unset
 * (commonvfs.go create: `if creationTimestamp.IsZero()`), the apiVersion written as kops writes it.
 */
export function asKopsCreates<T>(value: T, now: Date = new Date()): T {
  const current = withCurrentApiVersion(value);
  if (!isPlainObject(current)) return current;
  const metadata = isPlainObject(current.metadata) ? current.metadata : {};
  if (
    metadata.creationTimestamp !== undefined &&
    metadata.creationTimestamp !== null &&
    metadata.creationTimestamp !== ''
  )
    return current;
  return { ...current, metadata: { ...metadata, creationTimestamp: kopsTimestamp(now) } } as T;
}

/**
 * A document as kops updates it: when its `spec` differs from the stored one, `metadata.generation`
 * is the stored generation plus one (cluster.go / instancegroup.go Update:
 * `if !apiequality.Semantic.DeepEqual(old.Spec, c.Spec) { c.SetGeneration(old.GetGeneration() + 1) }`);
 * otherwise the generation is left as given. A legacy `kops/v1alpha2` apiVersion is written as
 * `kops.k8s.io/v1alpha2`, as kops re-encodes it.
 */
export function asKopsUpdates<T>(stored: unknown, value: T): T {
  const current = withCurrentApiVersion(value);
  if (!isPlainObject(current) || !isPlainObject(stored)) return current;
  if (jsonEqual(withoutUndefined(stored.spec ?? null), withoutUndefined(current.spec ?? null))) return current;
  const storedMetadata = isPlainObject(stored.metadata) ? stored.metadata : {};
  const generation = typeof storedMetadata.generation === 'number' ? storedMetadata.generation : 0;
  const metadata = isPlainObject(current.metadata) ? current.metadata : {};
  return { ...current, metadata: { ...metadata, generation: generation + 1 } } as T;
}
