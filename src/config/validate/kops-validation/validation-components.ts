// kops validation.go (@268927e) 775-1120: file assets, file repository, hooks, kube-apiserver,
// kube-controller-manager, kube-scheduler, kube-proxy and kubelet.
// Rules (error constructors and IsValidValue calls): 51 of 52 (validation.go:958 builds an
// insecurePort error and drops it: kops reports nothing, neither do we).
import { append, forbidden, invalid, required, type ErrorList } from '../field/errors.js';
import type { FieldPath } from '../field/path.js';
import { formatGoDuration, parseGoDuration, parseGoUrl } from './go-values.js';
import { getCloudProvider, isValidAPIServersURL, isValidValue } from './helpers.js';
import type { View } from './spec.js';
import { parseCIDRGo } from './go-net.js';

// kops validation.go:776 validateFileAssetSpec
export function validateFileAssetSpec(v: View, fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  if (v.get('name').str() === '') allErrs.push(required(fieldPath.child('name'), '', 'validation.go:780'));
  if (v.get('content').str() === '') allErrs.push(required(fieldPath.child('content'), '', 'validation.go:783'));
  return allErrs;
}

// kops validation.go:789 validateFileRepository
export function validateFileRepository(s: string, fieldPath: FieldPath, cloudProvider: string): ErrorList {
  const allErrs: ErrorList = [];
  const u = parseGoUrl(s);
  if ('error' in u) return [invalid(fieldPath, s, `cannot parse fileRepository URL: ${u.error}`, 'validation.go:794')];
  const only: Record<string, [string, string, string]> = {
    gs: ['gce', 'GCE', 'validation.go:802'],
    s3: ['aws', 'AWS', 'validation.go:807'],
    azureblob: ['azure', 'Azure', 'validation.go:812'],
  };
  if (u.scheme === 'http' || u.scheme === 'https') {
    // any cloud
  } else if (only[u.scheme] !== undefined) {
    const [cloud, name, rule] = only[u.scheme]!;
    if (cloudProvider !== cloud) {
      const detail = `${u.scheme}:// fileRepository is only supported on ${name}, but the cloud provider is "${cloudProvider}"`;
      allErrs.push(invalid(fieldPath, s, detail, rule));
    }
    if (u.scheme === 'azureblob' && u.path.replace(/^\//, '').split('/')[0] === '') {
      const detail = 'azureblob:// fileRepository must include a container: azureblob://<account>/<container>/<path>';
      allErrs.push(invalid(fieldPath, s, detail, 'validation.go:816'));
    }
  } else {
    const detail = 'fileRepository must be an http://, https://, gs://, s3://, or azureblob:// URL';
    allErrs.push(invalid(fieldPath, s, detail, 'validation.go:819'));
  }
  if (u.host === '') allErrs.push(invalid(fieldPath, s, 'fileRepository must include a host', 'validation.go:822'));
  return allErrs;
}

// kops validation.go:828 validateHookSpec
export function validateHookSpec(v: View, fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  // if this unit is disabled, short-circuit and do not validate
  if (v.get('enabled').bool() === false) return allErrs;
  const exec = v.get('execContainer').present;
  const manifest = v.get('manifest').str();
  const raw = v.get('useRawManifest').bool() === true;
  if (!exec && manifest === '')
    allErrs.push(required(fieldPath, 'you must set either manifest or execContainer for a hook', 'validation.go:837'));
  if (exec && raw)
    allErrs.push(
      forbidden(
        fieldPath,
        'execContainer may not be used with useRawManifest (use manifest instead)',
        'validation.go:841',
      ),
    );
  if (manifest === '' && raw)
    allErrs.push(required(fieldPath, 'you must set manifest when useRawManifest is true', 'validation.go:845'));
  if (v.get('before').present && raw)
    allErrs.push(forbidden(fieldPath, 'before may not be used with useRawManifest', 'validation.go:849'));
  if (v.get('requires').present && raw)
    allErrs.push(forbidden(fieldPath, 'requires may not be used with useRawManifest', 'validation.go:853'));
  if (exec) append(allErrs, validateExecContainerAction(v.get('execContainer'), fieldPath.child('execContainer')));
  return allErrs;
}

// kops validation.go:863 validateExecContainerAction
export function validateExecContainerAction(v: View, fldPath: FieldPath): ErrorList {
  if (v.get('image').str() !== '') return [];
  return [required(fldPath.child('image'), 'image must be specified', 'validation.go:867')];
}

const OIDC_FIELDS = [
  'usernameClaim',
  'usernamePrefix',
  'groupsClaims',
  'groupsPrefix',
  'issuerURL',
  'clientID',
  'requiredClaims',
];

// kops validation.go:873 validateKubeAPIServer
export function validateKubeAPIServer(v: View, c: View, fldPath: FieldPath, strict: boolean): ErrorList {
  const allErrs: ErrorList = [];
  const oidc = c.get('spec', 'authentication', 'oidc');
  if (v.get('authenticationConfigFile').str() !== '' && oidc.present && OIDC_FIELDS.some((f) => oidc.get(f).present)) {
    const detail =
      'authenticationConfigFile is mutually exclusive with OIDC options, remove all existing OIDC options to use authenticationConfigFile';
    allErrs.push(forbidden(fldPath.child('authenticationConfigFile'), detail, 'validation.go:879'));
  }
  if (v.get('enableBootstrapTokenAuth').bool() === true)
    allErrs.push(
      forbidden(fldPath.child('enableBootstrapTokenAuth'), 'bootstrap tokens are not supported', 'validation.go:884'),
    );
  const admissionControl = v.get('admissionControl').strings();
  if (admissionControl.length > 0) {
    if (v.get('disableAdmissionPlugins').length > 0) {
      const detail = 'admissionControl is mutually exclusive with disableAdmissionPlugins˚';
      allErrs.push(forbidden(fldPath.child('admissionControl'), detail, 'validation.go:889'));
    }
    allErrs.push(
      forbidden(
        fldPath.child('admissionControl'),
        'admissionControl has been replaced with enableAdmissionPlugins',
        'validation.go:893',
      ),
    );
  }
  const psp = 'PodSecurityPolicy has been removed from Kubernetes 1.25';
  for (const plugin of v.get('enableAdmissionPlugins').strings())
    if (plugin === 'PodSecurityPolicy')
      allErrs.push(forbidden(fldPath.child('enableAdmissionPlugins'), psp, 'validation.go:898'));
  for (const plugin of admissionControl)
    if (plugin === 'PodSecurityPolicy')
      allErrs.push(forbidden(fldPath.child('admissionControl'), psp, 'validation.go:905'));
  if (v.get('proxyClientCertFile').present !== v.get('proxyClientKeyFile').present) {
    const detail = 'proxyClientCertFile and proxyClientKeyFile must both be specified (or neither)';
    allErrs.push(forbidden(fldPath, detail, 'validation.go:914'));
  }
  const portRange = v.get('serviceNodePortRange').str();
  if (portRange !== '') {
    const problem = portRangeProblem(portRange);
    if (problem !== undefined)
      allErrs.push(invalid(fldPath.child('serviceNodePortRange'), portRange, problem, 'validation.go:921'));
  }
  append(allErrs, validateAuthorizationMode(v, c, fldPath));
  append(allErrs, validateAPIServerFiles(v, c, fldPath, strict));
  return allErrs;
}

/** apimachinery utilnet `PortRange.Set`'s error, or undefined: `30000-32767` or `30000+767`. */
function portRangeProblem(value: string): string | undefined {
  const text = value.trim();
  const match = /^(\d+)(?:([-+])(\d+))?$/.exec(text);
  if (text === '') return undefined;
  if (match === null) return `unable to parse port range: ${value}: invalid port range`;
  const low = Number(match[1]);
  const high = match[2] === undefined ? low : match[2] === '-' ? Number(match[3]) : low + Number(match[3]);
  if (low > 65535 || high > 65535 || high < low)
    return `"${value}" is not a valid port range: must be between 0 and 65535, inclusive`;
  return undefined;
}

// validation.go:925-951: authorizationMode.
function validateAuthorizationMode(v: View, c: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const mode = v.get('authorizationMode').optStr();
  if (mode === undefined) return allErrs;
  if (mode.includes('Webhook') && !v.get('authorizationWebhookConfigFile').present) {
    const detail = 'Authorization mode Webhook requires authorizationWebhookConfigFile to be specified';
    allErrs.push(required(fldPath.child('authorizationWebhookConfigFile'), detail, 'validation.go:928'));
  }
  if (!c.get('spec', 'authorization', 'rbac').present) return allErrs;
  let hasNode = false;
  let hasRBAC = false;
  for (const m of mode.split(',')) {
    if (m === 'Node') hasNode = true;
    else if (m === 'RBAC') hasRBAC = true;
    else
      append(
        allErrs,
        isValidValue(
          fldPath.child('authorizationMode'),
          m,
          ['ABAC', 'Webhook', 'Node', 'RBAC', 'AlwaysAllow', 'AlwaysDeny'],
          'validation.go:942',
        ),
      );
  }
  if (getCloudProvider(c) === 'aws' && (!hasNode || !hasRBAC)) {
    const detail = 'As of kubernetes 1.19 on AWS, authorizationMode must include RBAC and Node';
    allErrs.push(required(fldPath.child('authorizationMode'), detail, 'validation.go:947'));
  }
  return allErrs;
}

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) || '/' : '.');

// validation.go:953-976: log format, audit files, serviceClusterIPRange.
function validateAPIServerFiles(v: View, c: View, fldPath: FieldPath, strict: boolean): ErrorList {
  const allErrs: ErrorList = [];
  const logFormat = v.get('logFormat').str();
  if (logFormat !== '')
    append(allErrs, isValidValue(fldPath.child('logFormat'), logFormat, ['text', 'json'], 'validation.go:954'));
  // validation.go:957-959: the insecurePort error is built and dropped; kops reports nothing.
  const policy = v.get('auditPolicyFile').str();
  const webhook = v.get('auditWebhookConfigFile').str();
  if (policy === '' && webhook !== '') {
    const detail = 'an audit policy is required for the audit webhook config';
    allErrs.push(invalid(fldPath.child('auditWebhookConfigFile'), webhook, detail, 'validation.go:962'));
  }
  if (policy !== '' && webhook !== '' && dirOf(policy) !== dirOf(webhook)) {
    const detail = 'the audit webhook config must be placed in the same directory as the audit policy';
    allErrs.push(invalid(fldPath.child('auditWebhookConfigFile'), webhook, detail, 'validation.go:968'));
  }
  const range = v.get('serviceClusterIPRange').str();
  if (range !== c.get('spec', 'networking', 'serviceClusterIPRange').str() && (strict || range !== '')) {
    const detail = 'kubeAPIServer serviceClusterIPRange did not match cluster serviceClusterIPRange';
    allErrs.push(forbidden(fldPath.child('serviceClusterIPRange'), detail, 'validation.go:974'));
  }
  return allErrs;
}

// kops validation.go:981 validateKubeControllerManager
export function validateKubeControllerManager(v: View, fldPath: FieldPath): ErrorList {
  if (!v.get('experimentalClusterSigningDuration').present) return [];
  const detail =
    'experimentalClusterSigningDuration has been replaced with clusterSigningDuration as of kubernetes 1.25';
  return [forbidden(fldPath.child('experimentalClusterSigningDuration'), detail, 'validation.go:987')];
}

// kops validation.go:993 validateKubeScheduler
export function validateKubeScheduler(v: View, fldPath: FieldPath): ErrorList {
  if (!v.get('usePolicyConfigMap').present) return [];
  return [
    forbidden(
      fldPath.child('usePolicyConfigMap'),
      'usePolicyConfigMap is deprecated, use KubeSchedulerConfiguration',
      'validation.go:999',
    ),
  ];
}

// kops validation.go:1005 validateKubeProxy
export function validateKubeProxy(k: View, fldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  k.get('ipvsExcludeCIDRs')
    .strings()
    .forEach((x, i) => {
      if (parseCIDRGo(x) === undefined)
        allErrs.push(
          invalid(fldPath.child('ipvsExcludeCIDRs').index(i), x, 'Invalid network CIDR', 'validation.go:1012'),
        );
    });
  const master = k.get('master').str();
  if (master !== '' && !isValidAPIServersURL(master))
    allErrs.push(invalid(fldPath.child('master'), master, 'Not a valid APIServer URL', 'validation.go:1017'));
  return allErrs;
}

const KUBELET_REMOVED: [string, (k: View) => boolean, string, string][] = [
  [
    'ConfigureCBR0',
    (k) => k.get('configureCbr0').present,
    'configure-cbr0 flag was removed in 1.5',
    'validation.go:1031',
  ],
  ['apiServers', (k) => k.get('apiServers').str() !== '', 'api-servers flag was removed in 1.6', 'validation.go:1040'],
  [
    'podInfraContainerImage',
    (k) => k.get('podInfraContainerImage').str() !== '',
    'pod-infra-container-image flag was deprecated in 1.24 and removed in 1.35, use containerd.sandboxImage instead',
    'validation.go:1048',
  ],
  [
    'requireKubeconfig',
    (k) => k.get('requireKubeconfig').present,
    'require-kubeconfig flag was removed in 1.10.  (Please be sure you are not using a cluster config from `kops get cluster --full`)',
    'validation.go:1057',
  ],
  [
    'experimentalAllowedUnsafeSysctls',
    (k) => k.get('experimentalAllowedUnsafeSysctls').present,
    'experimentalAllowedUnsafeSysctls was renamed in k8s 1.11; please use allowedUnsafeSysctls instead',
    'validation.go:1064',
  ],
  [
    'bootstrapKubeconfig',
    (k) => k.get('bootstrapKubeconfig').str() !== '',
    'bootstrap tokens are not supported',
    'validation.go:1070',
  ],
];

const KUBELET_REMOVED_LATER: [string, string, string][] = [
  ['enableCadvisorJsonEndpoints', 'enableCadvisorJsonEndpoints requires Kubernetes 1.18-1.20', 'validation.go:1078'],
  ['cpuCFSQuotaPeriod', 'cpuCFSQuotaPeriod has been removed on Kubernetes >=1.20', 'validation.go:1086'],
  ['networkPluginName', 'networkPluginName has been removed on Kubernetes >=1.24', 'validation.go:1090'],
  ['networkPluginMTU', 'networkPluginMTU has been removed on Kubernetes >=1.24', 'validation.go:1093'],
  ['nonMasqueradeCIDR', 'nonMasqueradeCIDR has been removed on Kubernetes >=1.24', 'validation.go:1096'],
];

// kops validation.go:1023 validateKubelet
export function validateKubelet(k: View, kubeletPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  for (const [name, isSet, detail, rule] of KUBELET_REMOVED)
    if (isSet(k)) allErrs.push(forbidden(kubeletPath.child(name), detail, rule));
  const topology = k.get('topologyManagerPolicy').str();
  if (topology !== '')
    append(
      allErrs,
      isValidValue(
        kubeletPath.child('topologyManagerPolicy'),
        topology,
        ['none', 'best-effort', 'restricted', 'single-numa-node'],
        'validation.go:1074',
      ),
    );
  const logFormat = k.get('logFormat').str();
  for (const [name, detail, rule] of KUBELET_REMOVED_LATER.slice(0, 1))
    if (k.get(name).present) allErrs.push(forbidden(kubeletPath.child(name), detail, rule));
  if (logFormat !== '')
    append(allErrs, isValidValue(kubeletPath.child('logFormat'), logFormat, ['text', 'json'], 'validation.go:1082'));
  for (const [name, detail, rule] of KUBELET_REMOVED_LATER.slice(1))
    if (k.get(name).present) allErrs.push(forbidden(kubeletPath.child(name), detail, rule));
  append(allErrs, validateKubeletDurations(k, kubeletPath));
  const swap = k.get('memorySwapBehavior').str();
  if (swap !== '')
    append(
      allErrs,
      isValidValue(
        kubeletPath.child('memorySwapBehavior'),
        swap,
        ['LimitedSwap', 'UnlimitedSwap'],
        'validation.go:1116',
      ),
    );
  return allErrs;
}

// validation.go:1099-1113: shutdown grace periods and the crash-loop back-off.
function validateKubeletDurations(k: View, kubeletPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const critical = k.get('shutdownGracePeriodCriticalPods').optStr();
  if (critical !== undefined) {
    const grace = k.get('shutdownGracePeriod').optStr();
    const path = kubeletPath.child('shutdownGracePeriodCriticalPods');
    if (grace === undefined)
      allErrs.push(
        forbidden(path, 'shutdownGracePeriodCriticalPods require shutdownGracePeriod', 'validation.go:1101'),
      );
    // Go reads a nil shutdownGracePeriod here and panics; taken as 0s.
    const criticalSeconds = parseGoDuration(critical) ?? 0;
    if ((parseGoDuration(grace ?? '0') ?? 0) < criticalSeconds) {
      const detail = 'shutdownGracePeriodCriticalPods cannot be greater than shutdownGracePeriod';
      allErrs.push(invalid(path, formatGoDuration(criticalSeconds), detail, 'validation.go:1104'));
    }
  }
  const restart = k.get('crashLoopBackOffMaxContainerRestartPeriod').optStr();
  if (restart !== undefined) {
    const seconds = parseGoDuration(restart) ?? 0;
    if (seconds < 1 || seconds > 300) {
      const detail = 'crashLoopBackOffMaxContainerRestartPeriod must be a value between 1s and 300s';
      allErrs.push(
        invalid(
          kubeletPath.child('crashLoopBackOffMaxContainerRestartPeriod'),
          formatGoDuration(seconds),
          detail,
          'validation.go:1111',
        ),
      );
    }
  }
  return allErrs;
}
