// Checks (default) or updates (--local) the public API report in etc/statestore.api.md.
// CI runs the check: a change to the public API without an updated report fails the build,
// so every API change is visible in review.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { existsSync } from 'node:fs';
import path from 'node:path';

const local = process.argv.includes('--local');
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
if (!existsSync(path.join(root, 'dist/index.d.ts'))) {
  console.error('dist/index.d.ts is missing: run `npm run build` first');
  process.exit(1);
}
const config = ExtractorConfig.loadFileAndPrepare(path.join(root, 'api-extractor.json'));
// Use the project's pinned TypeScript (5.9), not the newer one api-extractor bundles.
const result = Extractor.invoke(config, {
  localBuild: local,
  showVerboseMessages: false,
  typescriptCompilerFolder: path.join(root, 'node_modules/typescript'),
});
if (!result.succeeded || (!local && result.apiReportChanged)) {
  console.error(
    result.apiReportChanged
      ? 'The public API changed and etc/statestore.api.md is stale: run `npm run build && npm run api:update` and commit the report.'
      : `api-extractor failed with ${result.errorCount} errors`,
  );
  process.exit(1);
}
console.log(local ? 'API report updated: etc/statestore.api.md' : 'API report matches the build');
