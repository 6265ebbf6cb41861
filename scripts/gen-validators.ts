/**
 * Generates src/config/validate/validators.generated.js (typed by the hand-written validators.generated.d.ts): the Cluster and InstanceGroup validators
 * compiled ahead of time with ajv's standalone code generation, from the schemas in
 * src/config/schema/schemas.generated.ts and the options in src/config/validate/ajv-options.ts.
 * Compiling the Cluster schema at run time costs most of a second in a fresh process; the generated
 * code, one function per object schema (scripts/validators-split.ts), loads with the package and its
 * first validation compiles only the functions a document reaches: ~5 ms of CPU (bench/README.md,
 * `bench/cold`).
 *
 * Run: npx tsx scripts/gen-validators.ts          (writes the file)
 *      npx tsx scripts/gen-validators.ts --check  (exit 1 if the file is stale)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateValidatorsSource } from './validators-source.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const target = path.join(root, 'src/config/validate/validators.generated.js');
const source = generateValidatorsSource();
if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== source) {
    console.error(`${path.relative(root, target)} is stale: run npx tsx scripts/gen-validators.ts`);
    process.exit(1);
  }
  console.log(`${path.relative(root, target)} is current`);
} else {
  writeFileSync(target, source);
  console.log(`wrote ${path.relative(root, target)} (${source.length} bytes)`);
}
