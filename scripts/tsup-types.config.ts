/**
 * The declaration part of `npm run build` (tsup.config.ts) on its own: the library entries' .d.ts
 * and .d.cts, nothing else, without cleaning dist/. `npm test` builds the JavaScript first
 * (`tsup --no-dts`, ~6 s of CPU: Jest's CLI and package tests need it) and these declarations
 * (~45 s of CPU, a TypeScript program) in the background beside Jest, for the API report and the
 * pack check, instead of making Jest wait for them (issue #17). The two parts write the same files
 * as one `tsup` run (checked with `diff -r` of the two dist/ folders).
 */
import { defineConfig, type Options } from 'tsup';
import configs from '../tsup.config.js';

const [library] = configs as Options[];
export default defineConfig({ ...library, dts: { only: true }, clean: false });
