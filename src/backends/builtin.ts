import type { BackendFactory } from './factory.js';

/** Built-in backends, loaded on first use of one of their schemes (so unused SDKs never load). */
export const builtinBackends: ReadonlyArray<{ schemes: readonly string[]; load: () => Promise<BackendFactory> }> = [
  { schemes: ['memfs'], load: async () => (await import('./memory/index.js')).memoryBackend },
  { schemes: ['file'], load: async () => (await import('./file/index.js')).fileBackend },
  { schemes: ['s3', 'do', 'scw', 'hos', 'linode'], load: async () => (await import('./s3/index.js')).s3Backend },
  { schemes: ['azureblob'], load: async () => (await import('./azure/index.js')).azureBackend },
  { schemes: ['gs'], load: async () => (await import('./gcs/index.js')).gcsBackend },
  { schemes: ['swift'], load: async () => (await import('./swift/index.js')).swiftBackend },
];
