// The v1alpha2 (stored) <-> internal field names of kops, from kops's docs/cluster_spec.md
// ("API Changes"), kubernetes/kops @268927e26409f861634e18f3632c9dd483c350cf (Apache-2.0,
// Copyright The Kubernetes Authors), via test/fixtures/kops/field-renames.md. Rows whose change is
// more than a rename or a boolean inversion (a string turned into a map, a list into a map) are
// left out. Paths are relative to `spec`; `[*]` stands for any list index.

/** A renamed field: its stored v1alpha2 path, its internal path, and whether booleans are inverted. */
export interface FieldRename {
  stored: string;
  internal: string;
  inverted: boolean;
}

export const FIELD_RENAMES: readonly FieldRename[] = [
  { stored: 'additionalNetworkCIDRs', internal: 'networking.additionalNetworkCIDRs', inverted: false },
  { stored: 'additionalSans', internal: 'api.additionalSANs', inverted: false },
  {
    stored: 'api.loadBalancer.subnets.allocationId',
    internal: 'api.loadBalancer.subnets.allocationID',
    inverted: false,
  },
  { stored: 'api.loadBalancer.useForInternalApi', internal: 'api.loadBalancer.useForInternalAPI', inverted: false },
  { stored: 'awsLoadBalancerController', internal: 'cloudProvider.aws.loadBalancerController', inverted: false },
  { stored: 'cloudConfig.awsEBSCSIDriver', internal: 'cloudProvider.aws.ebsCSIDriver', inverted: false },
  { stored: 'cloudConfig.azure', internal: 'cloudProvider.azure', inverted: false },
  { stored: 'cloudConfig.azure.subscriptionId', internal: 'cloudProvider.azure.subscriptionID', inverted: false },
  { stored: 'cloudConfig.azure.tenantId', internal: 'cloudProvider.azure.tenantID', inverted: false },
  { stored: 'cloudConfig.gcpPDCSIDriver', internal: 'cloudProvider.gce.pdCSIDriver', inverted: false },
  {
    stored: 'cloudConfig.disableSecurityGroupIngress',
    internal: 'cloudProvider.aws.disableSecurityGroupIngress',
    inverted: false,
  },
  { stored: 'cloudConfig.elbSecurityGroup', internal: 'cloudProvider.aws.elbSecurityGroup', inverted: false },
  { stored: 'cloudConfig.gceServiceAccount', internal: 'cloudProvider.gce.serviceAccount', inverted: false },
  { stored: 'cloudConfig.nodeIPFamilies', internal: 'cloudProvider.aws.nodeIPFamilies', inverted: false },
  { stored: 'cloudConfig.openstack', internal: 'cloudProvider.openstack', inverted: false },
  { stored: 'cloudConfig.spotinstOrientation', internal: 'cloudProvider.aws.spotinstOrientation', inverted: false },
  { stored: 'cloudConfig.spotinstProduct', internal: 'cloudProvider.aws.spotinstProduct', inverted: false },
  { stored: 'cloudConfig.useIPBasedNodeNames', internal: 'cloudProvider.aws.useIPBasedNodeNames', inverted: false },
  { stored: 'configBase', internal: 'configStore.base', inverted: false },
  { stored: 'DisableSubnetTags', internal: 'tagSubnets', inverted: true },
  { stored: 'egressProxy', internal: 'networking.egressProxy', inverted: false },
  {
    stored: 'etcdClusters[*].etcdMembers[*].kmsKeyId',
    internal: 'etcdClusters[*].etcdMembers[*].kmsKeyID',
    inverted: false,
  },
  {
    stored: 'etcdClusters[*].etcdMembers[*].volumeIops',
    internal: 'etcdClusters[*].etcdMembers[*].volumeIOPS',
    inverted: false,
  },
  { stored: 'externalDns', internal: 'externalDNS', inverted: false },
  { stored: 'externalDns.disable: true', internal: 'externalDNS.provider: none', inverted: false },
  { stored: 'hooks[*].disabled', internal: 'hooks[*].enabled', inverted: true },
  { stored: 'isolateMasters', internal: 'networking.isolateControlPlane', inverted: false },
  { stored: 'keyStore', internal: 'configStore.keypairs', inverted: false },
  {
    stored: 'kubeAPIServer.authorizationRbacSuperUser',
    internal: 'kubeAPIServer.authorizationRBACSuperUser',
    inverted: false,
  },
  {
    stored: 'kubeAPIServer.authorizationWebhookCacheAuthorizedTtl',
    internal: 'kubeAPIServer.authorizationWebhookCacheAuthorizedTTL',
    inverted: false,
  },
  {
    stored: 'kubeAPIServer.authorizationWebhookCacheUnauthorizedTtl',
    internal: 'kubeAPIServer.authorizationWebhookCacheUnauthorizedTTL',
    inverted: false,
  },
  { stored: 'kubeAPIServer.etcdCaFile', internal: 'kubeAPIServer.etcdCAFile', inverted: false },
  { stored: 'kubeAPIServer.oidcClientID', internal: 'authentication.oidc.clientID', inverted: false },
  { stored: 'kubeAPIServer.oidcGroupsPrefix', internal: 'authentication.oidc.groupsPrefix', inverted: false },
  { stored: 'kubeAPIServer.oidcIssuerURL', internal: 'authentication.oidc.issuerURL', inverted: false },
  { stored: 'kubeAPIServer.oidcUsernameClaim', internal: 'authentication.oidc.usernameClaim', inverted: false },
  { stored: 'kubeAPIServer.oidcUsernamePrefix', internal: 'authentication.oidc.usernamePrefix', inverted: false },
  {
    stored: 'kubeControllerManager.concurrentRcSyncs',
    internal: 'kubeControllerManager.concurrentRCSyncs',
    inverted: false,
  },
  {
    stored: 'kubelet.authenticationTokenWebhookCacheTtl',
    internal: 'kubelet.authenticationTokenWebhookCacheTTL',
    inverted: false,
  },
  { stored: 'kubelet.clientCaFile', internal: 'kubelet.clientCAFile', inverted: false },
  { stored: 'kubeProxy.ipvsExcludeCidrs', internal: 'kubeProxy.ipvsExcludeCIDRs', inverted: false },
  { stored: 'kubernetesApiAccess', internal: 'api.access', inverted: false },
  { stored: 'masterKubelet', internal: 'controlPlaneKubelet', inverted: false },
  {
    stored: 'masterKubelet.authenticationTokenWebhookCacheTtl',
    internal: 'controlPlaneKubelet.authenticationTokenWebhookCacheTTL',
    inverted: false,
  },
  { stored: 'masterKubelet.clientCaFile', internal: 'controlPlaneKubelet.clientCAFile', inverted: false },
  { stored: 'masterPublicName', internal: 'api.publicName', inverted: false },
  { stored: 'networkCIDR', internal: 'networking.networkCIDR', inverted: false },
  { stored: 'networkID', internal: 'networking.networkID', inverted: false },
  { stored: 'networking.amazonvpc', internal: 'networking.amazonVPC', inverted: false },
  { stored: 'networking.amazonvpc.imageName', internal: 'networking.amazonVPC.image', inverted: false },
  { stored: 'networking.amazonvpc.initImageName', internal: 'networking.amazonVPC.initImage', inverted: false },
  { stored: 'networking.cilium.disableMasquerade', internal: 'networking.cilium.masquerade', inverted: true },
  {
    stored: 'networking.cilium.IPTablesRulesNoinstall',
    internal: 'networking.cilium.installIptablesRules',
    inverted: true,
  },
  {
    stored: 'networking.cilium.toFqdnsDnsRejectResponseCode',
    internal: 'networking.cilium.toFQDNsDNSRejectResponseCode',
    inverted: false,
  },
  {
    stored: 'networking.cilium.toFqdnsEnablePoller',
    internal: 'networking.cilium.toFQDNsEnablePoller',
    inverted: false,
  },
  { stored: 'networking.gce', internal: 'networking.gcp', inverted: false },
  { stored: 'networking.kuberouter', internal: 'networking.kubeRouter', inverted: false },
  { stored: 'nodeTerminationHandler', internal: 'cloudProvider.aws.nodeTerminationHandler', inverted: false },
  { stored: 'nonMasqueradeCIDR', internal: 'networking.nonMasqueradeCIDR', inverted: false },
  { stored: 'podCIDR', internal: 'networking.podCIDR', inverted: false },
  { stored: 'podIdentityWebhook', internal: 'cloudProvider.aws.podIdentityWebhook', inverted: false },
  { stored: 'project', internal: 'cloudProvider.gce.project', inverted: false },
  { stored: 'secretStore', internal: 'configStore.secrets', inverted: false },
  { stored: 'serviceClusterIPRange', internal: 'networking.serviceClusterIPRange', inverted: false },
  { stored: 'subnets', internal: 'networking.subnets', inverted: false },
  { stored: 'tagSubnets', internal: 'networking.tagSubnets', inverted: false },
  { stored: 'topology', internal: 'networking.topology', inverted: false },
  { stored: 'topology.bastion.bastionPublicName', internal: 'networking.topology.bastion.publicName', inverted: false },
  { stored: 'topology.dns.type', internal: 'networking.topology.dns', inverted: false },
  { stored: 'warmPool', internal: 'cloudProvider.aws.warmPool', inverted: false },
];
