/**
 * Storage-side fixes for s3rver 3.7.1, used by the compat layer in `s3rver-middleware.ts`.
 *
 * s3rver's FilesystemStore writes objects in place (`createWriteStream(objectPath)`) and answers
 * before the file is flushed, so a reader can see a truncated or half-written object; its
 * listing walks directories in `readdir` order, which puts `a/b` before `a-b` and `a`, and it
 * pages only objects, not common prefixes. Real S3 writes atomically and lists in UTF-8 byte
 * order with `max-keys` counting objects and prefixes together. The functions here give the
 * store those two properties; everything else (paths, metadata files, ETags) stays s3rver's.
 */
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The parts of s3rver's FilesystemStore the compat layer uses or replaces. */
export interface S3rverStore {
  rootDirectory: string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, string | number>>;
  putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5?: string): Promise<void>;
  getObject(
    bucket: string,
    key: string,
    options?: { start?: number; end?: number },
  ): Promise<{ content: Readable | null; size: number } | null>;
  putObject(object: {
    bucket: string;
    key: string;
    content: Readable | Buffer;
    metadata: Record<string, unknown>;
  }): Promise<{ size: number; md5: string }>;
  putPart(
    bucket: string,
    uploadId: string,
    partNumber: number | string,
    content: Readable,
  ): Promise<{ size: number; md5: string }>;
  copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata: Record<string, unknown> | null,
  ): Promise<Record<string, string | number>>;
}

const OBJECT_SUFFIX = '._S3rver_object';

/** Streams `content` into `file` and resolves only once the file is closed, with its size and MD5. */
async function writeHashed(content: Readable | Buffer, file: string): Promise<{ size: number; md5: string }> {
  const hash = createHash('md5');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const source = Buffer.isBuffer(content) ? [content] : content;
  await pipeline(source, counter, createWriteStream(file));
  return { size, md5: hash.digest('hex') };
}

function tempName(file: string): string {
  return `${file}.tmp-${randomBytes(6).toString('hex')}`;
}

/** Makes `putObject`, `putPart` and `copyObject` atomic and flushed before they resolve. */
export function patchStore(store: S3rverStore): void {
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await fs.mkdir(path.dirname(objectPath), { recursive: true });
    const temp = tempName(objectPath);
    try {
      const { size, md5 } = await writeHashed(object.content, temp);
      await store.putMetadata(object.bucket, object.key, object.metadata, md5);
      await fs.rename(temp, objectPath);
      return { size, md5 };
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  };

  store.putPart = async (bucket, uploadId, partNumber, content) => {
    const partPath = path.join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
    await fs.mkdir(path.dirname(partPath), { recursive: true });
    const temp = tempName(partPath);
    try {
      const result = await writeHashed(content, temp);
      await fs.writeFile(`${partPath}.md5`, result.md5);
      await fs.rename(temp, partPath);
      return result;
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  };

  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const srcPath = store.getResourcePath(srcBucket, srcKey, 'object');
    const destPath = store.getResourcePath(destBucket, destKey, 'object');
    const source = await store.getMetadata(srcBucket, srcKey);
    const md5 = String(source['etag']).replace(/"/g, '');
    if (srcPath !== destPath) {
      await fs.mkdir(path.dirname(destPath), { recursive: true });
      const temp = tempName(destPath);
      try {
        await fs.copyFile(srcPath, temp);
        await store.putMetadata(destBucket, destKey, replacementMetadata ?? source, md5);
        await fs.rename(temp, destPath);
      } catch (err) {
        await fs.rm(temp, { force: true });
        throw err;
      }
    } else {
      await store.putMetadata(destBucket, destKey, replacementMetadata ?? source, md5);
    }
    return store.getMetadata(destBucket, destKey);
  };
}

/** One listed object. */
export interface ListedObject {
  key: string;
  etag: string;
  size: number;
  lastModified: Date;
}

/** The parameters of ListObjectsV2 that the compat layer honours. */
export interface ListRequest {
  prefix: string;
  delimiter: string;
  startAfter: string;
  maxKeys: number;
}

/** A page in S3's shape: entries in UTF-8 byte order, `maxKeys` counting objects and prefixes. */
export interface ListResult {
  objects: ListedObject[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or prefix returned, from which the next page starts. */
  last?: string;
}

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw err;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // The uploads folder of in-progress multipart uploads is not part of the namespace.
      if (dir === root && entry.name.startsWith('._S3rver_')) continue;
      await walk(root, full, out);
    } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
      out.push(path.relative(root, full).split(path.sep).join('/').slice(0, -OBJECT_SUFFIX.length));
    }
  }
}

/** ListObjectsV2 over the store's directory tree, with S3's ordering and paging. */
export async function listObjects(store: S3rverStore, bucket: string, request: ListRequest): Promise<ListResult> {
  const root = path.join(store.rootDirectory, bucket);
  const prefixDir = request.prefix.includes('/') ? request.prefix.slice(0, request.prefix.lastIndexOf('/')) : '';
  const keys: string[] = [];
  await walk(root, prefixDir === '' ? root : path.join(root, prefixDir), keys);
  keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

  // First the page's entries, from names alone; then their metadata, read in parallel: read one
  // by one, a page of 1,000 queued each read behind every other request's file operations.
  const result: ListResult = { objects: [], prefixes: [], truncated: false };
  const page: string[] = [];
  const after = Buffer.from(request.startAfter);
  for (const key of keys) {
    if (!key.startsWith(request.prefix)) continue;
    let entry = key;
    let isPrefix = false;
    if (request.delimiter !== '') {
      const cut = key.indexOf(request.delimiter, request.prefix.length);
      if (cut !== -1) {
        entry = key.slice(0, cut + request.delimiter.length);
        isPrefix = true;
      }
    }
    if (request.startAfter !== '' && Buffer.compare(Buffer.from(entry), after) <= 0) continue;
    if (isPrefix && entry === result.last) continue;
    if (result.prefixes.length + page.length >= request.maxKeys) {
      result.truncated = true;
      break;
    }
    if (isPrefix) result.prefixes.push(entry);
    else page.push(key);
    result.last = entry;
  }
  const metadata = await mapConcurrently(page, 32, async (key) => {
    try {
      return await store.getMetadata(bucket, key);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // deleted while listing
      throw err;
    }
  });
  page.forEach((key, i) => {
    const found = metadata[i];
    if (found === undefined) return;
    result.objects.push({
      key,
      etag: String(found['etag']),
      size: Number(found['content-length']),
      lastModified: new Date(String(found['last-modified'])),
    });
  });
  return result;
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
