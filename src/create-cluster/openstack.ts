import type { CreateClusterOptions } from './options.js';

type Obj = Record<string, unknown>;

/**
 * The OpenStack part of the cluster spec (kops: the OpenStack case of `NewCluster`,
 * `initializeOpenstack` and `setupVPC`, upup/pkg/fi/cloudup/new_cluster.go): block storage,
 * monitor and router defaults, a load balancer when `--api-loadbalancer-type` is given (haproxy,
 * or Octavia with `--os-octavia`), and the out-of-tree cloud controller manager named after the
 * cluster.
 */
export function openstackSpec(
  clusterName: string,
  options: CreateClusterOptions,
): { cloudConfig: Obj; cloudControllerManager: Obj } {
  const router: Obj = { externalNetwork: options.openstackExternalNet ?? '' };
  if (options.openstackDNSServers) router.dnsServers = options.openstackDNSServers;
  if (options.openstackExternalSubnet) router.externalSubnet = options.openstackExternalSubnet;
  const openstack: Obj = {
    blockStorage: { 'bs-version': 'v3', clusterName, 'ignore-volume-az': options.openstackStorageIgnoreAZ === true },
    monitor: { delay: '15s', maxRetries: 3, timeout: '10s' },
    router,
  };
  if (options.apiLoadBalancerType) {
    const octavia = options.openstackLBOctavia === true;
    const provider = octavia ? options.openstackOctaviaProvider || 'octavia' : 'haproxy';
    const lb: Obj = {
      floatingNetwork: options.openstackExternalNet ?? '',
      method: provider === 'ovn' ? 'SOURCE_IP_PORT' : 'ROUND_ROBIN',
      provider,
      useOctavia: octavia,
    };
    if (options.openstackLBSubnet) lb.floatingSubnet = options.openstackLBSubnet;
    openstack.loadbalancer = lb;
  }
  return { cloudConfig: { openstack }, cloudControllerManager: { clusterName } };
}
