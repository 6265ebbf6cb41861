/**
 * kops's pkg/apis/kops/validation/additionalobjects.go @268927e has no test of its own: its two
 * rules, on the path kops's AddonsClient.Replace builds (vfsclientset/addons.go:58-64).
 */
import { errorString } from '../../../src/config/validate/field/errors.js';
import {
  additionalObjectPath,
  validateAdditionalObject,
} from '../../../src/config/validate/kops-validation/additional-objects.js';
import { expectErrors } from '../../helpers/index.js';

const scheduler = (clientConnection: unknown, apiVersion = 'kubescheduler.config.k8s.io/v1') => ({
  apiVersion,
  kind: 'KubeSchedulerConfiguration',
  metadata: { name: 'sched' },
  clientConnection,
});
const check = (u: unknown) => validateAdditionalObject(additionalObjectPath(u), u);

it('names the object as kops does: addons.kind=K.name=N', () => {
  expect(additionalObjectPath(scheduler({})).toString()).toBe('addons.kind=KubeSchedulerConfiguration.name=sched');
  expect(additionalObjectPath({ apiVersion: 'v1', kind: 'ConfigMap' }).toString()).toBe('addons.kind=ConfigMap');
});

it("additionalobjects.go:53: the scheduler kubeconfig is kOps's", () => {
  const errs = check(scheduler({ kubeconfig: '/var/lib/kube-scheduler/kubeconfig' }));
  expect(errs.map(errorString)).toEqual([
    'addons.kind=KubeSchedulerConfiguration.name=sched.clientConnection.kubeconfig: Invalid value: "/var/lib/kube-scheduler/kubeconfig": value is controlled by kOps and should not be set',
  ]);
});

it("additionalobjects.go:50: a field that cannot be read, with apimachinery's accessor error", () => {
  const errs = check(scheduler({ kubeconfig: 42 }));
  expectErrors(errs, ['Invalid value::addons.kind=KubeSchedulerConfiguration.name=sched.clientConnection.kubeconfig']);
  expect(errs[0]!.detail).toBe(
    'error reading field: .clientConnection.kubeconfig accessor error: 42 is of the type int64, expected string',
  );
  expect(check(scheduler(['a', 'b']))[0]!.detail).toBe(
    'error reading field: .clientConnection.kubeconfig accessor error: [a b] is of the type []interface {}, expected map[string]interface{}',
  );
});

it.each([
  ['no kubeconfig', scheduler({ qps: 50 })],
  ['an empty kubeconfig', scheduler({ kubeconfig: '' })],
  ['a null clientConnection', scheduler(null)],
  ['another group', scheduler({ kubeconfig: '/x' }, 'example.com/v1')],
  ['another kind', { apiVersion: 'v1', kind: 'ConfigMap', clientConnection: { kubeconfig: '/x' } }],
])('passes %s', (_what, u) => {
  expectErrors(check(u));
});
