import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isIPv6 } from 'node:net';
import { StateStoreError } from '../../errors.js';
import { isPlainObject } from '../../config/guard.js';
import { issueClientCertificate } from './client-cert.js';
import { olderFirst, type Keyset } from './keysets.js';
import { pemBlocks } from './pem.js';

/**
 * `kops export kubeconfig` without the kops binary: the same server, TLS server name, CA bundle,
 * names and admin client certificate that kops's `BuildKubecfg` chooses
 * (kops: pkg/kubeconfig/create_kubecfg.go:85-224). Pure except for issuing the certificate.
 */

/** kops: pkg/kubeconfig/create_kubecfg.go:36 DefaultKubecfgAdminLifetime (18 h). */
export const DEFAULT_ADMIN_LIFETIME_MS = 18 * 3_600_000;

/** One address of the API's load balancer, as kops's cloud reports it (kops: fi.ApiIngressStatus). */
export interface ApiIngress {
  /** A DNS name (an AWS load balancer's). */
  hostname?: string;
  /** An IP address (IPv6 is written in brackets). */
  ip?: string;
  /** An internal-only address: used only when there is no external one. */
  internalEndpoint?: boolean;
}

/** Options of `StateStore.exportKubeconfig` (the flags of `kops export kubeconfig`). */
export interface ExportKubeconfigOptions {
  /** Issue an admin client certificate valid this long, in ms (`--admin`; kops's default 18 h is {@link DEFAULT_ADMIN_LIFETIME_MS}). */
  admin?: number;
  /** An existing kubeconfig user for the context instead of the cluster's name (`--user`; not with `admin`). */
  user?: string;
  /** Use the internal API name `api.internal.<cluster>` (`--internal`). */
  internal?: boolean;
  /** Use this server URL (`--api-server`); wins over `internal`. */
  apiServer?: string;
  /**
   * The load balancer's addresses, which kops asks the cloud for (`GetApiIngressStatus`). A store
   * holds no cloud status: without them a cluster with an API load balancer gets its DNS name, as
   * kops does when the cloud reports no address (with a warning).
   */
  apiIngress?: readonly ApiIngress[];
  /** The name after `kubecfg-` in the admin certificate's CommonName (default: the OS user's full name, as kops). */
  clientName?: string;
  /** RSA size of the admin key (default: KOPS_RSA_PRIVATE_KEY_SIZE, else 2048, as kops). */
  keySize?: number;
  /** Authenticate with kops's helper `kops helpers kubectl-auth` instead of a client certificate (`--auth-plugin`; needs the kops binary). */
  authPlugin?: boolean;
}

/** What `kops export kubeconfig` puts in a kubeconfig for one cluster (kops's `KubeconfigBuilder`). */
export interface ClusterKubeconfig {
  /** The context's and the cluster entry's name: the cluster's name. */
  context: string;
  /** The API server URL. */
  server: string;
  /** The name the API server's certificate is checked against: `api.internal.<cluster>`. */
  tlsServerName: string;
  /** The trusted `kubernetes-ca` certificates, oldest first (PEM); absent when the load balancer presents its own certificate. */
  certificateAuthority?: string;
  /** The user entry the context names. */
  user: string;
  /** The admin client certificate (PEM), with `admin`. */
  clientCertificate?: string;
  /** Its private key (PEM, `RSA PRIVATE KEY`), with `admin`. Secret: write it only where a kubeconfig belongs. */
  clientKey?: string;
  /** With `authPlugin`: the command kubectl runs for credentials (kops's `AuthenticationExec`). */
  authenticationExec?: string[];
  /** What kops would log as warnings (no load-balancer address, several addresses). */
  warnings: string[];
}

/** The parts of a cluster's config kops reads for this. */
interface ApiSpec {
  publicName?: string;
  loadBalancer?: { sslCertificate?: string; class?: string };
}

function apiSpecOf(config: unknown): ApiSpec {
  const spec = isPlainObject(config) && isPlainObject(config.spec) ? config.spec : {};
  const api = isPlainObject(spec.api) ? spec.api : {};
  const lb = isPlainObject(api.loadBalancer) ? api.loadBalancer : undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    publicName: text(api.publicName),
    loadBalancer: lb === undefined ? undefined : { sslCertificate: text(lb.sslCertificate), class: text(lb.class) },
  };
}

/** kops: create_kubecfg.go:228-235 wrapIPv6Address. */
function wrapIPv6(endpoint: string): string {
  return isIPv6(endpoint) ? `[${endpoint}]` : endpoint;
}

/** The server URL as kops picks it (create_kubecfg.go:88-146). */
function serverOf(cluster: string, api: ApiSpec, options: ExportKubeconfigOptions, warnings: string[]): string {
  const admin = (options.admin ?? 0) !== 0;
  const lb = api.loadBalancer;
  let server: string;
  if (options.apiServer) server = options.apiServer;
  else if (options.internal) server = `https://api.internal.${cluster}`;
  else {
    server = api.publicName ? `https://${wrapIPv6(api.publicName)}` : `https://api.${cluster}`;
    if (lb !== undefined && (!lb.sslCertificate || admin)) {
      const ingress = options.apiIngress ?? [];
      let targets: string[] = [];
      for (const useInternal of [false, true]) {
        for (const item of ingress) {
          if (!useInternal && item.internalEndpoint) continue;
          if (item.hostname) targets.push(item.hostname);
          if (item.ip) targets.push(item.ip);
        }
        if (targets.length > 0) break;
      }
      targets = targets.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // Go's sort.Strings: bytewise
      if (targets.length === 0) warnings.push('Did not find API endpoint; may not be able to reach cluster');
      else {
        if (targets.length !== 1)
          warnings.push(`Found multiple API endpoints (${targets.join(' ')}), choosing arbitrarily`);
        server = `https://${wrapIPv6(targets[0]!)}`;
      }
    }
  }
  if (admin && lb?.sslCertificate && lb.class === 'Network') server += ':8443';
  return server;
}

/** A certificate re-encoded as Go's pem.Encode writes it (64-column base64), as kops's `Certificate.AsBytes`. */
function goPem(type: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

/** kops's `Keyset.ToCertificateBytes` (upup/pkg/fi/ca.go:133-156): trusted certificates, oldest id first. */
export function caBundle(keyset: Keyset): string {
  return [...keyset.keys]
    .filter((item) => item.distrustTimestamp === undefined && item.certificate !== undefined)
    .sort((a, b) => olderFirst(a.id, b.id))
    .map((item) => {
      const block = pemBlocks(item.certificate!).find((b) => b.type === 'CERTIFICATE')!;
      return goPem('CERTIFICATE', block.der);
    })
    .join('');
}

/**
 * The OS user's full name as Go's `user.Current().Name` gives it (the GECOS field of the passwd
 * entry, up to its first comma); undefined when the user cannot be found (kops then uses `kubecfg`).
 */
export function osUserFullName(): string | undefined {
  try {
    const { uid } = userInfo();
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.split(':')[2] === String(uid));
    return line === undefined ? undefined : (line.split(':')[4] ?? '').split(',')[0];
  } catch {
    return undefined;
  }
}

/**
 * Builds the kubeconfig entries for `cluster` from its config and its `kubernetes-ca` keyset (read
 * with private keys when `admin` is set), as kops's BuildKubecfg does.
 */
export async function buildKubeconfig(
  cluster: string,
  config: unknown,
  readCa: () => Promise<Keyset>,
  options: ExportKubeconfigOptions & { storeUrl?: string } = {},
): Promise<ClusterKubeconfig> {
  const admin = options.admin ?? 0;
  if (typeof admin !== 'number' || !Number.isFinite(admin) || admin < 0)
    throw new StateStoreError('InvalidArgument', 'admin must be a lifetime in ms (a positive number)');
  // kops: cmd/kops/export_kubeconfig.go:73-75.
  if (admin !== 0 && options.user) throw new StateStoreError('InvalidArgument', 'cannot use both admin and user');
  const api = apiSpecOf(config);
  const warnings: string[] = [];
  const result: ClusterKubeconfig = {
    context: cluster,
    server: serverOf(cluster, api, options, warnings),
    tlsServerName: `api.internal.${cluster}`, // kops: pkg/apis/kops/cluster.go APIInternalName
    user: options.user || cluster,
    warnings,
  };
  const lb = api.loadBalancer;
  const needsCa = lb === undefined || !lb.sslCertificate || lb.class === 'Network' || options.internal === true;
  const keyset = needsCa || admin !== 0 ? await readCa() : undefined;
  if (needsCa) result.certificateAuthority = caBundle(keyset!);
  if (admin !== 0) {
    const primary = keyset!.keys.find((item) => item.id === keyset!.primaryId);
    if (primary?.certificate === undefined || primary.privateKey === undefined)
      throw new StateStoreError('NotFound', 'ca key for "kubernetes-ca" was not found; cannot issue certificates');
    const name = options.clientName ?? osUserFullName();
    const issued = await issueClientCertificate(primary.certificate, primary.privateKey, {
      commonName: name === undefined ? 'kubecfg' : `kubecfg-${name}`,
      organizations: ['system:masters'], // kops: pkg/rbac/wellknown.go:22 SystemPrivilegedGroup
      validityMs: admin,
      keySize: options.keySize,
    });
    result.clientCertificate = issued.certificate;
    result.clientKey = issued.privateKey;
  }
  if (options.authPlugin) {
    // kops: create_kubecfg.go:201-213: the helper replaces any client certificate.
    result.authenticationExec = [
      'kops',
      'helpers',
      'kubectl-auth',
      `--cluster=${cluster}`,
      `--state=${options.storeUrl ?? ''}`,
    ];
    delete result.clientCertificate;
    delete result.clientKey;
  }
  return result;
}
