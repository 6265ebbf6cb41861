/**
 * kops's `kops create cluster` options (`CreateClusterOptions` / `NewClusterOptions` in kops),
 * in camelCase. Counts of 0 or absent mean "kops's default".
 */
export interface CreateClusterOptions {
  clusterName: string;
  cloud?: string;
  zones?: string[];
  controlPlaneZones?: string[];
  controlPlaneCount?: number;
  nodeCount?: number;
  nodeSize?: string;
  nodeSizes?: string[];
  controlPlaneSize?: string;
  controlPlaneSizes?: string[];
  apiServerCount?: number;
  apiServerSizes?: string[];
  etcdCount?: number;
  etcdSizes?: string[];
  kubeControllerManagerCount?: number;
  kubeControllerManagerSizes?: string[];
  schedulerCount?: number;
  schedulerSizes?: string[];
  kubernetesVersion?: string;
  networking?: string;
  networkCIDR?: string;
  networkCIDRs?: string[];
  networkID?: string;
  subnetIDs?: string[];
  utilitySubnetIDs?: string[];
  egress?: string;
  ipv6?: boolean;
  topology?: string;
  bastion?: boolean;
  dnsZone?: string;
  dns?: string;
  dnsType?: string;
  adminAccess?: string[];
  sshAccess?: string[];
  image?: string;
  controlPlaneImage?: string;
  nodeImage?: string;
  channel?: string;
  cloudLabels?: string;
  etcdClusters?: string[];
  encryptEtcdStorage?: boolean;
  controlPlaneVolumeSize?: number;
  controlPlaneVolumeType?: string;
  nodeVolumeSize?: number;
  nodeVolumeType?: string;
  controlPlaneSecurityGroups?: string[];
  nodeSecurityGroups?: string[];
  apiLoadBalancerType?: string;
  apiLoadBalancerClass?: string;
  apiSSLCertificate?: string;
  discoveryStore?: string;
  /** Where the cluster's files go; default `{stateStore}/{clusterName}`. */
  configBase?: string;
  /** The state store URL (kops's `--state`), used to derive `configBase`. */
  stateStore?: string;
  project?: string;
  gceServiceAccount?: string;
  openstackExternalNet?: string;
  openstackExternalSubnet?: string;
  openstackLBSubnet?: string;
  openstackLBOctavia?: boolean;
  openstackDNSServers?: string;
  authorization?: string;
  sets?: string[];
  unsets?: string[];
}

// Go field names whose camelCase form is not "lower-case the first letter".
const GO_NAMES: Record<string, keyof CreateClusterOptions> = {
  CloudProvider: 'cloud',
  DNSType: 'dnsType',
  APIServerCount: 'apiServerCount',
  APIServerSizes: 'apiServerSizes',
  APILoadBalancerType: 'apiLoadBalancerType',
  APILoadBalancerClass: 'apiLoadBalancerClass',
  APISSLCertificate: 'apiSSLCertificate',
  SSHAccess: 'sshAccess',
  IPv6: 'ipv6',
  GCEServiceAccount: 'gceServiceAccount',
  NetworkCIDRs: 'networkCIDRs',
  NetworkCIDR: 'networkCIDR',
  NetworkID: 'networkID',
  SubnetIDs: 'subnetIDs',
  UtilitySubnetIDs: 'utilitySubnetIDs',
  DNSZone: 'dnsZone',
  OpenstackLBOctavia: 'openstackLBOctavia',
  OpenstackLBSubnet: 'openstackLBSubnet',
  OpenstackDNSServers: 'openstackDNSServers',
};

/**
 * Converts kops's option struct as serialised with Go field names (`ClusterName`, `DNSType`,
 * `NetworkCIDRs`, ...) to {@link CreateClusterOptions}. Keys already in camelCase pass through.
 */
export function optionsFromGoFields(fields: Record<string, unknown>): CreateClusterOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const name = GO_NAMES[key] ?? key.charAt(0).toLowerCase() + key.slice(1);
    out[name] = value;
  }
  return out as unknown as CreateClusterOptions;
}
