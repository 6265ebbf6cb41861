/**
 * Two rules of kops's own code, applied to a list of store keys, to prove that files statestore
 * adds under a cluster neither stop kops from deleting the cluster nor look like clusters to it.
 * The rules are read out of kops's Go source (test/fixtures/kops/vfsclientset/, verbatim from
 * kops, see NOTICE.md), not restated by hand: a kops that allowed a different set of files would
 * change what these functions answer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/index.js';

const GO = path.join(REPO_ROOT, 'test/fixtures/kops/vfsclientset');
const source = (file: string) => readFileSync(path.join(GO, file), 'utf8');

/** The body of one Go function (from its `func` line to the closing brace at column 0). */
function goFunction(file: string, signature: string): string {
  const text = source(file);
  const start = text.indexOf(signature);
  if (start === -1) throw new Error(`${file}: ${signature} not found`);
  return text.slice(start, text.indexOf('\n}\n', start));
}

/** kops's `registry` constants (`PathKopsVersionUpdated = "kops-version.txt"`, ...). */
function registryConstant(name: string): string {
  const match = new RegExp(`\\b${name}\\s*=\\s*"([^"]+)"`).exec(source('registry.go'));
  if (match === null) throw new Error(`registry.go: ${name} not found`);
  return match[1]!;
}

/** What DeleteAllClusterState lets through: the exact relative paths and the prefixes. */
function deletionAllowList(): { exact: Set<string>; prefixes: string[] } {
  const body = goFunction('clientset.go', 'func DeleteAllClusterState(');
  const exact = new Set<string>();
  for (const [, literal, constant] of body.matchAll(/relativePath == (?:"([^"]+)"|registry\.(\w+))/g))
    exact.add(literal ?? registryConstant(constant!));
  const prefixes = [...body.matchAll(/strings\.HasPrefix\(relativePath, "([^"]+)"\)/g)].map((m) => m[1]!);
  // The Go code refuses everything else; if kops's shape changed so nothing is found, say so.
  if (exact.size === 0 || prefixes.length === 0 || !body.includes('refusing to delete'))
    throw new Error('clientset.go: DeleteAllClusterState no longer has the expected shape');
  return { exact, prefixes };
}

/**
 * kops's DeleteAllClusterState (pkg/client/simple/vfsclientset/clientset.go): it lists every file
 * under `{cluster}/` and refuses ("refusing to delete: unknown file found") unless each relative
 * path is one of the names it compares with or starts with one of its prefixes. Returns the
 * refused paths, relative to the cluster's folder.
 */
export function kopsDeleteRefuses(cluster: string, keys: readonly string[]): string[] {
  const { exact, prefixes } = deletionAllowList();
  return keys
    .filter((key) => key.startsWith(`${cluster}/`))
    .map((key) => key.slice(cluster.length + 1))
    .filter((relative) => relative !== '' && !exact.has(relative) && !prefixes.some((p) => relative.startsWith(p)));
}

/**
 * kops's cluster listing, `ClusterVFS.listNames` (pkg/client/simple/vfsclientset/cluster.go):
 * every key of the store ending in the suffix it tests (`/config`) names a cluster, the path before it.
 */
export function kopsClusterNames(keys: readonly string[]): string[] {
  const body = goFunction('cluster.go', 'func (r *ClusterVFS) listNames(');
  const suffix = /strings\.HasSuffix\(relativePath, "([^"]+)"\)/.exec(body)?.[1];
  if (suffix === undefined) throw new Error('cluster.go: listNames no longer has the expected shape');
  return keys.filter((key) => key.endsWith(suffix)).map((key) => key.slice(0, -suffix.length));
}
