// Checks (default) or updates (--local) the public API reports in etc/, one per entry point:
// etc/statestore.api.md (`statestore`), etc/statestore-driver.api.md (`kops-statestore/driver`) and
// etc/statestore-testing.api.md (`kops-statestore/testing`). api-extractor reports one entry point per
// run (7.60 has no multi-entry report), so this runs it once per entry, sharing one compiler state.
// CI runs the check: a change to the public API without an updated report fails the build,
// so every API change is visible in review.
import { CompilerState, Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { existsSync } from 'node:fs';
import path from 'node:path';

const local = process.argv.includes('--local');
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const ENTRIES = [
  { entry: 'statestore', dts: 'dist/index.d.ts', report: 'statestore' },
  { entry: 'statestore/driver', dts: 'dist/driver.d.ts', report: 'statestore-driver' },
  { entry: 'statestore/testing', dts: 'dist/testing.d.ts', report: 'statestore-testing' },
];
const missing = ENTRIES.filter(({ dts }) => !existsSync(path.join(root, dts)));
if (missing.length > 0) {
  console.error(`${missing.map(({ dts }) => dts).join(', ')} missing: run \`npm run build\` first`);
  process.exit(1);
}

const configPath = path.join(root, 'api-extractor.json');
const base = ExtractorConfig.loadFile(configPath);
const configs = ENTRIES.map(({ dts, report }) =>
  ExtractorConfig.prepare({
    configObject: {
      ...base,
      mainEntryPointFilePath: `<projectFolder>/${dts}`,
      apiReport: { ...base.apiReport, reportFileName: report },
    },
    configObjectFullPath: configPath,
    packageJsonFullPath: path.join(root, 'package.json'),
  }),
);
// Use the project's pinned TypeScript (5.9), not the newer one api-extractor bundles.
const typescriptCompilerFolder = path.join(root, 'node_modules/typescript');
const compilerState = CompilerState.create(configs[0], {
  additionalEntryPoints: configs.slice(1).map((config) => config.mainEntryPointFilePath),
  typescriptCompilerFolder,
});

const stale = [];
let failed = false;
for (const [i, config] of configs.entries()) {
  const result = Extractor.invoke(config, {
    localBuild: local,
    showVerboseMessages: false,
    compilerState,
    typescriptCompilerFolder,
  });
  const file = `etc/${ENTRIES[i].report}.api.md`;
  if (result.apiReportChanged) stale.push(file);
  // In a check, a stale report is itself one warning; it is also named below.
  if (!result.succeeded) {
    console.error(
      `api-extractor failed on ${ENTRIES[i].entry}: ${result.errorCount} errors, ${result.warningCount} warnings (above)`,
    );
    failed = true;
  }
}
if (failed || (!local && stale.length > 0)) {
  if (!local && stale.length > 0)
    console.error(
      `The public API changed and ${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} stale: ` +
        'run `npm run build && npm run api:update` and commit the reports.',
    );
  process.exit(1);
}
console.log(
  local
    ? `API reports updated: ${ENTRIES.map(({ report }) => `etc/${report}.api.md`).join(', ')}`
    : `API reports match the build (${ENTRIES.map(({ entry }) => entry).join(', ')})`,
);
