/** The built-in release channels are kops's own data, and are read the way kops reads them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { channelImage, recommendedKubernetesVersion, type ChannelData } from '../../src/create-cluster/channel.js';
import { alphaChannel } from '../../src/create-cluster/channels/alpha.js';
import { stableChannel } from '../../src/create-cluster/channels/stable.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';

type Spec = {
  images: Record<string, unknown>[];
  kubernetesVersions: Record<string, unknown>[];
  kopsVersions: Record<string, unknown>[];
};

function fixture(name: string): Spec {
  return (parse(readFileSync(join(__dirname, '..', 'fixtures', 'kops', 'channels', name), 'utf8')) as { spec: Spec })
    .spec;
}

describe.each([
  ['stable', stableChannel],
  ['alpha', alphaChannel],
] as [string, ChannelData][])('channel %s', (name, data) => {
  const spec = fixture(name);

  it("holds kops's images, Kubernetes versions and kops versions unchanged", () => {
    expect(data.images).toEqual(
      spec.images.map((i) => ({
        name: i.name,
        providerID: i.providerID,
        architectureID: i.architectureID,
        kubernetesVersion: i.kubernetesVersion,
      })),
    );
    expect(data.kubernetesVersions).toEqual(
      spec.kubernetesVersions.map((k) => ({
        range: k.range,
        recommendedVersion: k.recommendedVersion,
        requiredVersion: k.requiredVersion,
      })),
    );
    expect(data.kopsVersions).toEqual(
      spec.kopsVersions.map((k) => ({ range: k.range, kubernetesVersion: String(k.kubernetesVersion) })),
    );
  });

  it('gives new clusters the Kubernetes version of the kopsVersions entry for this kops', () => {
    expect(recommendedKubernetesVersion(data)).toBe('1.36.3');
    expect(recommendedKubernetesVersion(data, '1.30.2')).toBe('1.30.14');
  });
});

describe('channelImage', () => {
  const channel: ChannelData = {
    images: [
      { name: 'any-arch', providerID: 'x', architectureID: '', kubernetesVersion: '>=1.30.0' },
      { name: 'any-version', providerID: 'y', architectureID: 'arm64', kubernetesVersion: '' },
    ],
    kubernetesVersions: [],
  };

  it("matches an image without an architecture or version range, as kops's FindImage does", () => {
    expect(channelImage(channel, 'x', '1.32.0', 'arm64')).toBe('any-arch');
    expect(channelImage(channel, 'y', '1.10.0', 'arm64')).toBe('any-version');
    expect(channelImage(channel, 'y', '1.10.0', 'amd64')).toBeUndefined();
  });
});

describe('--channel', () => {
  it('accepts alpha and refuses channels that are not built in', () => {
    const base = { clusterName: 'c.example.com', cloud: 'aws', zones: ['us-test-1a'], networking: 'cni' };
    expect((clusterFromOptions({ ...base, channel: 'alpha' }).cluster.spec as Record<string, unknown>).channel).toBe(
      'alpha',
    );
    expect(() => clusterFromOptions({ ...base, channel: 'https://example.com/channel' })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
  });
});
