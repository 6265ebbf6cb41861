// The kops configuration code that only some callers run is shipped once, in two files loaded on
// their first call, not at the package's import: dist/yaml-lazy.cjs, the YAML parser and writer
// (the `yaml` package and src/config/yaml: ~300 KB once bundled), and dist/config-lazy.cjs,
// validation, the schema lookups, patches, diffs, field paths, create-cluster (~320 KB). A
// `statestore move` or a bench child compiles neither (a move's config scan needs no parser), a
// `get` only the first (bench/README.md, "Move start-up"). Their public functions are synchronous
// (parseYaml, validateClusterConfig, ...), so the files are CommonJS loaded by require(), as the
// schema validators are (tsup.config.ts).
//
// Each import of one of these modules from the rest of the library resolves to a stub module here:
// for each function it exports, a function of the same name that loads the file on its first call
// and passes the call on; for each plain value (a frozen limits object, the schema objects), the
// value itself, in the bundle. Each lazy file is one factory: called with the library's own copies
// of the modules it imports (errors.ts, guard.ts; for config-lazy.cjs, the stubs of the YAML
// writer), it evaluates its code once per format. So a StateStoreError it throws is the caller's
// StateStoreError, and the library keeps one copy of each module per format, as before. The build
// evaluates each file once (with the resident modules built for the purpose) to tell functions from
// values, and fails on an export that is neither a function nor plain JSON (a class, say).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];
type PluginBuild = Parameters<Plugin['setup']>[0];

const ROOT = process.cwd();
/** The files loaded on first use, and the folders each holds. */
const GROUPS = [
  { file: 'yaml-lazy.cjs', folders: /^src\/config\/yaml\// },
  { file: 'config-lazy.cjs', folders: /^src\/(config\/(validate|schema|patch|diff|paths)|create-cluster)\// },
];
/**
 * Modules in those folders that stay in the library's bundle: the schema objects (exported as
 * values, so loaded at import anyway), the YAML code a move's config scan uses, and two small
 * helpers a move's rewrite and the YAML writer use.
 */
const RESIDENT = new Set([
  'src/config/schema/schemas.generated.ts',
  // The YAML code that does not import the `yaml` package: a move's config scan resolves keys as
  // go-yaml does (go-resolve.ts); the limits and the API versions are exported values.
  'src/config/yaml/go-resolve.ts',
  'src/config/yaml/go-tags.ts',
  'src/config/yaml/options.ts',
  'src/config/yaml/api-version.ts',
  'src/config/patch/json-pointer.ts',
  'src/config/validate/characters.ts',
]);

const rel = (file: string): string => path.relative(ROOT, file).split(path.sep).join('/');
/** The index in GROUPS of the lazy file a module is in, or -1 (a resident module). */
const groupOf = (file: string): number =>
  RESIDENT.has(rel(file)) ? -1 : GROUPS.findIndex((group) => group.folders.test(rel(file)));
const isLazy = (file: string): boolean => groupOf(file) >= 0;

/** The .ts file a relative import (`../x.js`, `./y/index.js`) names, if it is one. */
function resolveSource(specifier: string, importer: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const file = path.resolve(path.dirname(importer), specifier.replace(/\.js$/, '.ts'));
  return existsSync(file) ? file : undefined;
}

/** The modules of a group the rest of src/ imports for values (type-only imports left out). */
function lazyEntries(group: number): string[] {
  const found = new Set<string>();
  const statement = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/g;
  for (const entry of readdirSync(path.join(ROOT, 'src'), { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || !file.endsWith('.ts') || file.endsWith('.d.ts') || groupOf(file) === group) continue;
    for (const [, typeOnly, specifier] of readFileSync(file, 'utf8').matchAll(statement)) {
      const target = typeOnly === undefined ? resolveSource(specifier!, file) : undefined;
      if (target !== undefined && groupOf(target) === group) found.add(target);
    }
  }
  return [...found].sort();
}

/** Runs a CommonJS bundle's text as if required from `file`; returns its module.exports. */
function evaluate(code: string, file: string): unknown {
  const module = { exports: {} };
  const run = new Function('module', 'exports', 'require', '__filename', '__dirname', code);
  run(module, module.exports, createRequire(file), file, path.dirname(file));
  return module.exports;
}

interface LazyBuild {
  /** Its file in dist/. */
  file: string;
  /** The files to write: the bundle and its source map. */
  files: Array<{ path: string; contents: Uint8Array }>;
  /** The resident modules the lazy code imports, as keys of the factory's argument. */
  resident: string[];
  /** Each lazy entry's exports: a function (loaded on call) or a value's index in `values`. */
  exports: Map<string, Array<[name: string, value: 'function' | number]>>;
  values: unknown[];
  /** The resident modules as evaluated at build time (a value that is one of theirs is re-exported). */
  shared: Record<string, object>;
}

/** Builds a group's file (in memory) and reads what each entry exports. */
async function buildLazy(build: PluginBuild, group: number, outdir: string, plugins: Plugin[]): Promise<LazyBuild> {
  const entries = lazyEntries(group);
  const file = GROUPS[group]!.file;
  const resident = new Set<string>();
  const residentPlugin: Plugin = {
    name: 'lazy-config-resident',
    setup(lazy) {
      lazy.onResolve({ filter: /^\./ }, (args) => {
        const target = resolveSource(args.path, args.importer);
        if (target === undefined || groupOf(target) === group || !rel(target).startsWith('src/')) return undefined;
        resident.add(rel(target));
        return { path: rel(target), namespace: 'lazy-config-resident' };
      });
      lazy.onLoad({ filter: /.*/, namespace: 'lazy-config-resident' }, (args) => ({
        contents: `module.exports = __shared[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
    },
  };
  const result = await build.esbuild.build({
    stdin: {
      contents: entries.map((file, i) => `export * as m${i} from ${JSON.stringify(file)};`).join('\n'),
      resolveDir: ROOT,
      sourcefile: 'lazy-config-entry.js',
    },
    outdir,
    entryNames: file.replace(/\.cjs$/, ''),
    // The extension tells sharedValidators (tsup.config.ts) the format: require() from __filename.
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    write: false,
    logLevel: 'error',
    // One factory per format: its argument is that format's copy of the resident modules.
    banner: { js: 'module.exports = (__shared) => {\nconst module = { exports: {} }, exports = module.exports;' },
    footer: { js: 'return module.exports;\n};' },
    plugins: [residentPlugin, ...plugins],
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.cjs'))!.text;
  const shared = await residentModules(build, [...resident], outdir);
  const factory = evaluate(code, path.join(outdir, file)) as (shared: object) => Record<string, object>;
  return { file, files: result.outputFiles, resident: [...resident], ...readExports(entries, factory(shared)), shared };
}

/** The resident modules, built and evaluated once at build time, to evaluate the lazy code with. */
async function residentModules(
  build: PluginBuild,
  resident: string[],
  outdir: string,
): Promise<Record<string, object>> {
  const result = await build.esbuild.build({
    stdin: {
      contents: resident
        .map((file, i) => `export * as r${i} from ${JSON.stringify(path.join(ROOT, file))};`)
        .join('\n'),
      resolveDir: ROOT,
    },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'error',
  });
  const modules = evaluate(result.outputFiles[0]!.text, path.join(outdir, 'resident.cjs')) as Record<string, object>;
  return Object.fromEntries(resident.map((file, i) => [file, modules[`r${i}`]!]));
}

/** Each entry's exports: functions, and plain values (JSON, kept frozen if they were). */
function readExports(entries: string[], modules: Record<string, object>): Pick<LazyBuild, 'exports' | 'values'> {
  const values: unknown[] = [];
  const exports = new Map<string, Array<[string, 'function' | number]>>();
  entries.forEach((file, i) => {
    const list: Array<[string, 'function' | number]> = [];
    for (const [name, value] of Object.entries(modules[`m${i}`]!)) {
      if (typeof value === 'function') {
        if (/^class\b/.test(Function.prototype.toString.call(value)))
          throw new Error(`${rel(file)}: ${name} is a class, which a lazy stub cannot stand for`);
        list.push([name, 'function']);
        continue;
      }
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(value)) as unknown, value))
        throw new Error(`${rel(file)}: ${name} is neither a function nor plain JSON`);
      if (!values.includes(value)) values.push(value);
      list.push([name, values.indexOf(value)]);
    }
    exports.set(file, list);
  });
  return { exports, values };
}

/** The loader: the resident modules, the values, and the factory's result on first use. */
function loaderSource(lazy: LazyBuild, requireFrom: string): string {
  // Through lazy-config:module:, so that a module of another lazy file is that file's stub.
  const imports = lazy.resident.map((file, i) => `import * as r${i} from 'lazy-config:module:${file}';`);
  const shared = lazy.resident.map((file, i) => `${JSON.stringify(file)}: r${i}`).join(', ');
  const values = lazy.values.map((value, i) => `export const v${i} = ${valueSource(lazy, value)};`);
  return [
    `import { createRequire } from 'node:module';`,
    ...imports,
    ...values,
    'let loaded;',
    `export const lazy = () => (loaded ??= createRequire(${requireFrom})('./${lazy.file}')({ ${shared} }));`,
  ].join('\n');
}

/**
 * A value's source: the resident module's own export when it is one (the schema objects: one copy),
 * else its JSON, frozen if it was.
 */
function valueSource(lazy: LazyBuild, value: unknown): string {
  const index = lazy.resident.findIndex((file) => Object.values(lazy.shared[file]!).includes(value));
  if (index >= 0) {
    const name = Object.entries(lazy.shared[lazy.resident[index]!]!).find(([, own]) => own === value)![0];
    return `r${index}.${name}`;
  }
  const parsed = `JSON.parse(${JSON.stringify(JSON.stringify(value))})`;
  return Object.isFrozen(value) ? `Object.freeze(${parsed})` : parsed;
}

/** A lazy module's stand-in: its functions load the lazy file on their first call. */
function stubSource(lazy: LazyBuild, group: number, file: string): string {
  const index = [...lazy.exports.keys()].indexOf(file);
  // lazyEntries reads `import ... from` and `export ... from`: another form (a bare `import './x.js'`)
  // would reach here for a module the lazy file does not export.
  if (index < 0) throw new Error(`${rel(file)} is imported in a form lazyEntries does not read`);
  const lines = [`import * as loader from 'lazy-config:loader:${group}';`];
  for (const [name, kind] of lazy.exports.get(file)!)
    lines.push(
      kind === 'function'
        ? `export function ${name}(...args) { return loader.lazy().m${index}.${name}(...args); }`
        : `export const ${name} = loader.v${kind};`,
    );
  return lines.join('\n');
}

/**
 * The esbuild plugin (both formats of the library): imports of the lazy modules become stubs, and
 * the lazy files are written once the build ends. `plugins`: those the lazy code needs too
 * (the schema validators' loader).
 */
export function lazyConfig(plugins: Plugin[]): Plugin {
  return {
    name: 'lazy-config',
    setup(build) {
      const outdir = path.resolve(build.initialOptions.outdir ?? 'dist');
      // tsup builds the CommonJS output as ESM and converts it afterwards, so the format shows only
      // in the output's extension (as in tsup.config.ts's sharedValidators).
      const requireFrom = build.initialOptions.outExtension?.['.js'] === '.cjs' ? '__filename' : 'import.meta.url';
      // Each build (each format; each rebuild in watch mode) builds the lazy files afresh.
      const pending = new Map<number, Promise<LazyBuild>>();
      build.onStart(() => pending.clear());
      const lazy = (group: number) => {
        if (!pending.has(group)) pending.set(group, buildLazy(build, group, outdir, plugins));
        return pending.get(group)!;
      };
      const module = (target: string) =>
        isLazy(target) ? { path: target, namespace: 'lazy-config-stub' } : { path: target };
      build.onResolve({ filter: /^\./ }, (args) => {
        if (args.namespace !== 'file' || isLazy(args.importer)) return undefined;
        const target = resolveSource(args.path, args.importer);
        return target !== undefined && isLazy(target) ? module(target) : undefined;
      });
      build.onResolve({ filter: /^lazy-config:module:/ }, (args) =>
        module(path.join(ROOT, args.path.slice('lazy-config:module:'.length))),
      );
      build.onResolve({ filter: /^lazy-config:loader:\d+$/ }, (args) => ({
        path: args.path.slice('lazy-config:loader:'.length),
        namespace: 'lazy-config-loader',
      }));
      build.onLoad({ filter: /.*/, namespace: 'lazy-config-loader' }, async (args) => ({
        contents: loaderSource(await lazy(Number(args.path)), requireFrom),
        resolveDir: ROOT,
        loader: 'js',
      }));
      build.onLoad({ filter: /.*/, namespace: 'lazy-config-stub' }, async (args) => ({
        contents: stubSource(await lazy(groupOf(args.path)), groupOf(args.path), args.path),
        resolveDir: ROOT,
        loader: 'js',
      }));
      build.onEnd(async () => {
        mkdirSync(outdir, { recursive: true });
        for (let group = 0; group < GROUPS.length; group++)
          for (const file of (await lazy(group)).files) writeFileSync(file.path, file.contents);
      });
    },
  };
}
