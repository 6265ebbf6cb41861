// Jest global setup: builds the child-process bundles (child-bundles.cjs), then starts the run's
// shared Ceph RADOS Gateway in the background when the run includes a file that uses it
// (rgw-global.ts, imported from its bundle: this file is plain CommonJS, not transformed). It does
// not wait for the gateway: the suites that need it wait in `sharedRgw()`, the others run meanwhile.
const path = require('node:path');
const buildChildBundles = require('./child-bundles.cjs');

/** The bundle of rgw-global.ts that child-bundles.cjs built (global-teardown.cjs imports the same). */
function rgwGlobal() {
  return import(path.join(process.env.STATESTORE_TEST_CHILDREN, 'test/servers/rgw-global.mjs'));
}

module.exports = async function globalSetup(globalConfig) {
  await buildChildBundles();
  await (await rgwGlobal()).startSharedRgw(globalConfig);
};
module.exports.rgwGlobal = rgwGlobal;
