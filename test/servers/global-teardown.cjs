// Jest global teardown: stops the run's shared Ceph RADOS Gateway (global-setup.cjs), every daemon
// and its folder. When Jest dies before it runs, the gateway's supervisor stops itself (rgw-child.ts).
const { rgwGlobal } = require('./global-setup.cjs');

module.exports = async function globalTeardown() {
  await (await rgwGlobal()).stopSharedRgw();
};
