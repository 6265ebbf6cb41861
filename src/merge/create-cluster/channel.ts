/** The parts of a kops release channel that create-cluster reads. */
export interface ChannelImage {
  name: string;
  providerID: string;
  architectureID: string;
  kubernetesVersion: string;
}

export interface ChannelKubernetesVersion {
  range: string;
  recommendedVersion: string;
  requiredVersion: string;
}

export interface ChannelData {
  images: ChannelImage[];
  kubernetesVersions: ChannelKubernetesVersion[];
}

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
        case '>=': return c >= 0;
        case '<=': return c <= 0;
        case '>': return c > 0;
        case '<': return c < 0;
        default: return c === 0;
      }
    });
}

/** The channel image for a cloud and Kubernetes version (amd64, as kops picks by default). */
export function channelImage(channel: ChannelData, cloud: string, kubernetesVersion: string): string | undefined {
  return channel.images.find(
    (i) => i.providerID === cloud && i.architectureID === 'amd64' && inRange(kubernetesVersion, i.kubernetesVersion),
  )?.name;
}

/** The recommended Kubernetes version of the channel's newest line (used when none is given). */
export function recommendedKubernetesVersion(channel: ChannelData): string | undefined {
  const first = channel.kubernetesVersions[0];
  return first ? `v${first.recommendedVersion}` : undefined;
}
