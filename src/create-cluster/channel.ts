/** The parts of a kops release channel that create-cluster reads. */
export interface ChannelImage {
  name: string;
  providerID: string;
  architectureID: string;
  kubernetesVersion: string;
}

/** A channel's `kubernetesVersions` entry. */
export interface ChannelKubernetesVersion {
  range: string;
  recommendedVersion: string;
  requiredVersion: string;
}

/** A channel's `kopsVersions` entry: the Kubernetes version new clusters get from kops versions in `range`. */
export interface ChannelKopsVersion {
  range: string;
  kubernetesVersion: string;
}

/** The parts of a kops release channel create-cluster reads (images and Kubernetes versions). */
export interface ChannelData {
  images: ChannelImage[];
  kubernetesVersions: ChannelKubernetesVersion[];
  kopsVersions?: ChannelKopsVersion[];
}

/** The kops release this library follows (kops: kops-version.go, `KOPS_RELEASE_VERSION`). */
export const KOPS_VERSION = '1.37.0-alpha.1';

type Triple = [number, number, number];

function parseVersion(text: string): Triple {
  // Pre-release suffixes ("-alpha.1") only appear as range bounds; comparing the release triple
  // is enough for the ranges kops ships.
  const core = text.trim().replace(/^v/, '').split('-')[0] ?? '';
  const parts = core.split('.').map((p) => Number.parseInt(p, 10));
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

function compare(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** True when `version` satisfies a blang/semver-style range such as ">=1.27.0 <1.32.0". */
export function inRange(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range
    .split(/\s+/)
    .filter((c) => c !== '')
    .every((clause) => {
      const m = /^(>=|<=|>|<|=)?(.+)$/.exec(clause);
      const op = m?.[1] ?? '=';
      const c = compare(v, parseVersion(m?.[2] ?? ''));
      switch (op) {
        case '>=':
          return c >= 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '<':
          return c < 0;
        default:
          return c === 0;
      }
    });
}

/**
 * The channel image for a cloud, Kubernetes version and architecture: the first that matches,
 * as kops's `Channel.FindImage` (pkg/apis/kops/channel.go) takes it.
 */
export function channelImage(
  channel: ChannelData,
  cloud: string,
  kubernetesVersion: string,
  architecture = 'amd64',
): string | undefined {
  return channel.images.find(
    // An image without an architecture or a version range matches any.
    (i) =>
      i.providerID === cloud &&
      (!i.architectureID || i.architectureID === architecture) &&
      (!i.kubernetesVersion || inRange(kubernetesVersion, i.kubernetesVersion)),
  )?.name;
}

/**
 * The Kubernetes version a new cluster gets when none is given: the `kubernetesVersion` of the
 * first `kopsVersions` entry whose range holds this kops version (kops:
 * `RecommendedKubernetesVersion` and `FindKopsVersionSpec`, pkg/apis/kops/channel.go). kops
 * writes it as semver prints it, without a leading "v".
 */
export function recommendedKubernetesVersion(channel: ChannelData, kopsVersion = KOPS_VERSION): string | undefined {
  const spec = channel.kopsVersions?.find((k) => !k.range || inRange(kopsVersion, k.range));
  if (!spec?.kubernetesVersion) return undefined;
  return spec.kubernetesVersion.trim().replace(/^v/, '');
}
