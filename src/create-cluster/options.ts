/**
 * kops's `kops create cluster` options (`CreateClusterOptions` embedding `NewClusterOptions`,
 * kops: cmd/kops/create_cluster.go, upup/pkg/fi/cloudup/new_cluster.go), in camelCase. Each
 * field names the flag it stands for. Counts of 0 or absent mean "kops's default". Flags that
 * are not here are listed, with the reason, in docs/kops-compatibility.md.
 */
export interface CreateClusterOptions {
  /** `--name` (or the positional `CLUSTER` argument). */
  clusterName: string;
  /** `--cloud`; when absent it is guessed from the state store's scheme, as kops does. */
  cloud?: string;
  /** `--zones`. */
  zones?: string[];
  /** `--control-plane-zones` (`--master-zones`). */
  controlPlaneZones?: string[];
  /** `--control-plane-count` (`--master-count`). */
  controlPlaneCount?: number;
  /** `--node-count`. */
  nodeCount?: number;
  /** statestore shorthand for a single `--node-size`; `nodeSizes` wins when both are given. */
  nodeSize?: string;
  /** `--node-size` (several on AWS make a mixed instances policy). */
  nodeSizes?: string[];
  /** statestore shorthand for a single `--control-plane-size`. */
  controlPlaneSize?: string;
  /** `--control-plane-size` (`--master-size`). */
  controlPlaneSizes?: string[];
  /** `--api-server-count` (kops feature flag APIServerNodes). */
  apiServerCount?: number;
  /** `--api-server-size` (kops feature flag APIServerNodes). */
  apiServerSizes?: string[];
  /** `--etcd-count` (feature flag ExperimentalRoles; kops's NewCluster does not use it). */
  etcdCount?: number;
  /** `--etcd-size` (feature flag ExperimentalRoles; unused by kops's NewCluster). */
  etcdSizes?: string[];
  /** `--kcm-count` (feature flag ExperimentalRoles; unused by kops's NewCluster). */
  kubeControllerManagerCount?: number;
  /** `--kcm-size` (feature flag ExperimentalRoles; unused by kops's NewCluster). */
  kubeControllerManagerSizes?: string[];
  /** `--scheduler-count` (feature flag ExperimentalRoles; unused by kops's NewCluster). */
  schedulerCount?: number;
  /** `--scheduler-size` (feature flag ExperimentalRoles; unused by kops's NewCluster). */
  schedulerSizes?: string[];
  /** `--kubernetes-version`; default: the channel's recommended version. */
  kubernetesVersion?: string;
  /** `--kubernetes-feature-gates`: `Name`, `+Name` (on) or `-Name` (off), for every component. */
  kubernetesFeatureGates?: string[];
  /** `--networking`; default `cilium`, kops's flag default. */
  networking?: string;
  /** statestore shorthand for a single `--network-cidr`. */
  networkCIDR?: string;
  /** `--network-cidr`: the first is the VPC's, the others become additional CIDRs. */
  networkCIDRs?: string[];
  /** `--network-id` (`--vpc`). */
  networkID?: string;
  /** `--os-network`: OpenStack's name for `--network-id` (it wins when both are given). */
  openstackNetworkID?: string;
  /** `--subnets`. */
  subnetIDs?: string[];
  /** `--utility-subnets`. */
  utilitySubnetIDs?: string[];
  /** `NewClusterOptions.Egress` (no flag: set in kops's options file). */
  egress?: string;
  /** `--ipv6`. */
  ipv6?: boolean;
  /** `--topology` (`-t`): `public` or `private`; default private with IPv6, else public. */
  topology?: string;
  /** `--bastion`. */
  bastion?: boolean;
  /** `--dns-zone`. */
  dnsZone?: string;
  /** statestore alias of `dnsType`. */
  dns?: string;
  /** `--dns`: `public`, `private` or `none`; default public with a DNS zone, else none. */
  dnsType?: string;
  /** `--admin-access`. */
  adminAccess?: string[];
  /** `--ssh-access`. */
  sshAccess?: string[];
  /** `--image`. */
  image?: string;
  /** `--control-plane-image` (`--master-image`). */
  controlPlaneImage?: string;
  /** `--node-image`. */
  nodeImage?: string;
  /** `--bastion-image`. */
  bastionImage?: string;
  /** `--channel`: `stable` (default) or `alpha`, the two channels kops ships in its source. */
  channel?: string;
  /** `--cloud-labels`. */
  cloudLabels?: string;
  /** `--etcd-clusters`; default `main,events`. */
  etcdClusters?: string[];
  /** `--encrypt-etcd-storage`; default true on AWS. */
  encryptEtcdStorage?: boolean;
  /** `--etcd-storage-type`. */
  etcdStorageType?: string;
  /** `--control-plane-volume-size` (`--master-volume-size`). */
  controlPlaneVolumeSize?: number;
  /** `--control-plane-volume-type`. */
  controlPlaneVolumeType?: string;
  /** `--node-volume-size`. */
  nodeVolumeSize?: number;
  /** `--node-volume-type`. */
  nodeVolumeType?: string;
  /** `--control-plane-security-groups` (`--master-security-groups`). */
  controlPlaneSecurityGroups?: string[];
  /** `--node-security-groups`. */
  nodeSecurityGroups?: string[];
  /** `--control-plane-tenancy` (`--master-tenancy`). */
  controlPlaneTenancy?: string;
  /** `--node-tenancy`. */
  nodeTenancy?: string;
  /** `--associate-public-ip`. */
  associatePublicIP?: boolean;
  /** `--disable-subnet-tags`. */
  disableSubnetTags?: boolean;
  /** `--api-loadbalancer-type`: `public` or `internal`. */
  apiLoadBalancerType?: string;
  /** Not a kops flag: same as `--set cluster.spec.api.loadBalancer.class=...`. */
  apiLoadBalancerClass?: string;
  /** `--api-ssl-certificate`. */
  apiSSLCertificate?: string;
  /** `--api-public-name` (`--master-public-name`). */
  apiPublicName?: string;
  /** `--discovery-store`. */
  discoveryStore?: string;
  /** `--instance-manager`: `cloudgroups` (default) or `karpenter` (needs `discoveryStore`). */
  instanceManager?: string;
  /** `--config-base` (feature flag EnableSeparateConfigBase); default `{stateStore}/{clusterName}`. */
  configBase?: string;
  /** `--state` (global flag), used to derive `configBase` and guess the cloud. */
  stateStore?: string;
  /** `--project`. */
  project?: string;
  /** `--gce-service-account`. */
  gceServiceAccount?: string;
  /** `--os-ext-net`. */
  openstackExternalNet?: string;
  /** `--os-ext-subnet`. */
  openstackExternalSubnet?: string;
  /** `--os-lb-floating-subnet`. */
  openstackLBSubnet?: string;
  /** `--os-octavia`. */
  openstackLBOctavia?: boolean;
  /** `--os-octavia-provider`. */
  openstackOctaviaProvider?: string;
  /** `--os-kubelet-ignore-az`. */
  openstackStorageIgnoreAZ?: boolean;
  /** `--os-dns-servers`. */
  openstackDNSServers?: string;
  /** `--azure-subscription-id` (kops feature flag Azure; kops defaults it from AZURE_SUBSCRIPTION_ID, which this library does not read). */
  azureSubscriptionID?: string;
  /** `--azure-tenant-id` (feature flag Azure). */
  azureTenantID?: string;
  /** `--azure-resource-group-name` (feature flag Azure); needed with a shared network. */
  azureResourceGroupName?: string;
  /** `--azure-route-table-name` (feature flag Azure). */
  azureRouteTableName?: string;
  /** `--azure-admin-user` (feature flag Azure); default `kops`. */
  azureAdminUser?: string;
  /** `--spotinst-product` (kops feature flag Spotinst; AWS only). */
  spotinstProduct?: string;
  /** `--spotinst-orientation` (kops feature flag Spotinst; AWS only). */
  spotinstOrientation?: string;
  /** `--authorization`: `RBAC` (default) or `AlwaysAllow`. */
  authorization?: string;
  /** `--container-runtime` (deprecated; kops accepts it and ignores it, containerd being the only runtime). */
  containerRuntime?: string;
  /** `--set` (`--override`). */
  sets?: string[];
  /** `--unset`. */
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
  APIPublicName: 'apiPublicName',
  SSHAccess: 'sshAccess',
  IPv6: 'ipv6',
  GCEServiceAccount: 'gceServiceAccount',
  NetworkCIDRs: 'networkCIDRs',
  NetworkCIDR: 'networkCIDR',
  NetworkID: 'networkID',
  OpenstackNetworkID: 'openstackNetworkID',
  SubnetIDs: 'subnetIDs',
  UtilitySubnetIDs: 'utilitySubnetIDs',
  DNSZone: 'dnsZone',
  OpenstackLBOctavia: 'openstackLBOctavia',
  OpenstackLBSubnet: 'openstackLBSubnet',
  OpenstackDNSServers: 'openstackDNSServers',
  OpenstackStorageIgnoreAZ: 'openstackStorageIgnoreAZ',
  AssociatePublicIP: 'associatePublicIP',
  AzureSubscriptionID: 'azureSubscriptionID',
  AzureTenantID: 'azureTenantID',
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
