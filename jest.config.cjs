// Jest runs the TypeScript sources through SWC (CommonJS output). p-limit and yocto-queue are
// ESM-only, so they are transformed too instead of running Jest in its experimental ESM mode.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(p-limit|yocto-queue)/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  maxWorkers: 2,
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/conformance/count-reporter.cjs'],
  testSequencer: '<rootDir>/test/slowest-first.cjs',
  // Builds the child-process entry points (servers, workers) once, so children start without tsx, and
  // starts the run's shared Ceph RADOS Gateway in the background (test/servers/rgw-global.ts).
  globalSetup: '<rootDir>/test/servers/global-setup.cjs',
  globalTeardown: '<rootDir>/test/servers/global-teardown.cjs',
};
