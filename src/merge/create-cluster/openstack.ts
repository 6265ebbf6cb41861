import type { CreateClusterOptions } from './options.js';

type Obj = Record<string, unknown>;

/**
 * The OpenStack part of the cluster spec kops's `setupVPC` writes: block storage, monitor and
 * router defaults, an Octavia load balancer when asked, and the out-of-tree cloud controller
 * manager named after the cluster.
 */
export function openstackSpec(clusterName: string, options: CreateClusterOptions): { cloudConfig: Obj; cloudControllerManager: Obj } {
  const router: Obj = { externalNetwork: options.openstackExternalNet ?? '' };
  if (options.openstackDNSServers) router.dnsServers = options.openstackDNSServers;
  if (options.openstackExternalSubnet) router.externalSubnet = options.openstackExternalSubnet;
  const openstack: Obj = {
    blockStorage: { 'bs-version': 'v3', clusterName, 'ignore-volume-az': false },
    monitor: { delay: '15s', maxRetries: 3, timeout: '10s' },
    router,
  };
  if (options.openstackLBOctavia) {
    const lb: Obj = { method: 'ROUND_ROBIN', provider: 'octavia', useOctavia: true };
    if (options.openstackExternalNet) lb.floatingNetwork = options.openstackExternalNet;
    if (options.openstackLBSubnet) lb.floatingSubnet = options.openstackLBSubnet;
    openstack.loadbalancer = lb;
  }
  return { cloudConfig: { openstack }, cloudControllerManager: { clusterName } };
}
