/**
 * `moveStateStore`'s `createOnly: 'listing'` on a real S3 server that ignores `If-None-Match` on
 * CopyObject: Ceph RADOS Gateway 16.2 (the run's shared one, test/servers/shared-rgw.ts). Every
 * request goes through a proxy that records it (test/servers/fault-proxy.ts, no faults), so the
 * test counts what the move sent: in listing mode one CopyObject per file and no body through the
 * client; in the default per-file mode, as before, a GET pinned to the source's ETag and a PUT
 * `If-None-Match: *` per file. A different file the destination holds when it is listed is still
 * refused (AlreadyExists) in listing mode as in per-file mode (rgw-store.test.ts). What listing
 * mode gives up is shown too: a file another writer creates at the destination after the listing
 * (the proxy holds the listing's answer until that write is done) is replaced in listing mode and
 * refused in per-file mode. The aws dialect's side (the condition still sent on
 * CopyObject) is in server-side.test.ts, on s3rver.
 */
import { randomUUID } from 'node:crypto';
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { openStateStore } from '../../src/store/open.js';
import type { MoveOptions } from '../../src/migrate/types.js';
import type { Vfs } from '../../src/vfs/types.js';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../servers/fault-proxy.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import type { RgwHandle } from '../servers/rgw.js';
import { loadTree, treeFiles, TREES } from '../store/trees.js';

const tree = TREES[0]!;
const files = treeFiles(tree);
/** The files the move reads to scan for the old store's URL and writes from those bytes (cluster-run.ts). */
const GENERATED = /^(cluster-completed\.spec|igconfig\/.*|manifests\/.*|addons\/bootstrap-channel\.yaml)$/;
const generated = [...files.keys()].filter((key) => GENERATED.test(key.slice(tree.cluster.length + 1)));
const config = `${tree.cluster}/config`;
/** The files copied server-side: all but the config (rewritten) and the generated ones. */
const copied = [...files.keys()].filter((key) => key !== config && !generated.includes(key));
const SOURCE = 'listing-src';
const DESTINATION = 'listing-dst';
const TOKEN = randomUUID().slice(0, 8);
const MIB = 1024 * 1024;

let rgw: RgwHandle;
let proxy: FaultProxy;
let counter = 0;
/** Run by the proxy with each answer before passing it on (see FaultOptions.beforeAnswer). */
let beforeAnswer: ((request: { method: string; path: string }) => Promise<void>) | undefined;

beforeAll(async () => {
  rgw = await sharedRgw();
  await Promise.all([rgw.createBucket(SOURCE), rgw.createBucket(DESTINATION)]);
  // The client's Host header is kept: it is part of what SigV4 signs.
  proxy = await startFaultProxy({
    target: rgw.endpoint,
    flavour: 's3',
    preserveHost: true,
    beforeAnswer: (request) => beforeAnswer?.(request) ?? Promise.resolve(),
  });
}, 200_000);
afterAll(async () => {
  await proxy?.stop();
});

/** Two stores on the gateway, through the proxy, in the `rgw` dialect (no probe requests). */
async function stores(s3: Record<string, number> = {}): Promise<{ from: Vfs; to: Vfs; prefix: string }> {
  const prefix = `run-${TOKEN}-${++counter}`;
  const options = { env: {}, s3: { ...rgw.s3, endpoint: proxy.endpoint, dialect: 'rgw', ...s3 } };
  const [from, to] = await Promise.all([
    openVfs(`s3://${SOURCE}/${prefix}`, options),
    openVfs(`s3://${DESTINATION}/${prefix}`, options),
  ]);
  return { from, to, prefix };
}

/** The requests of `run`, as the proxy received them. */
async function recorded(run: () => Promise<unknown>): Promise<ProxiedRequest[]> {
  const first = proxy.received.length;
  await run();
  return proxy.received.slice(first);
}

const bucketOf = (r: ProxiedRequest) => r.path.split('/')[1];
/** The store key an object request names (`/bucket/prefix/key?...`), undefined for a listing. */
function keyOf(r: ProxiedRequest, prefix: string): string | undefined {
  const path = decodeURIComponent(r.path.split('?')[0]!);
  const start = `/${bucketOf(r)}/${prefix}/`;
  return path.startsWith(start) ? path.slice(start.length) : undefined;
}
const isCopy = (r: ProxiedRequest) => r.headers['x-amz-copy-source'] !== undefined;

async function move(from: Vfs, to: Vfs, options: Partial<MoveOptions> = {}): Promise<ProxiedRequest[]> {
  return recorded(() => moveStateStore({ from, to, ...options }));
}

async function expectCopiedByteForByte(to: Vfs): Promise<void> {
  for (const key of copied) expect(Buffer.from((await to.read(key)).body).equals(files.get(key)!)).toBe(true);
  expect(await (await openStateStore(to)).listClusters()).toEqual([tree.cluster]);
}

describe("createOnly: 'listing' on Ceph RGW (CopyObject ignores If-None-Match)", () => {
  it('sends one CopyObject per file and no body through the client; copies byte for byte', async () => {
    const { from, to, prefix } = await stores();
    await loadTree(from, tree);
    const requests = await move(from, to, { createOnly: 'listing' });
    const copies = requests.filter(isCopy);
    expect(copies.map((r) => keyOf(r, prefix)).sort()).toEqual([...copied].sort());
    // Unconditioned: RGW would ignore the condition, and the listing was the check.
    expect(copies.filter((r) => r.headers['if-none-match'] !== undefined)).toEqual([]);
    const sourceReads = requests.filter((r) => r.method === 'GET' && bucketOf(r) === SOURCE && keyOf(r, prefix));
    expect(sourceReads.map((r) => keyOf(r, prefix)).sort()).toEqual([...generated, config].sort());
    // Bodies written: the config and the generated files only, each create-only (PutObject's
    // If-None-Match RGW honours); the config last.
    const puts = requests.filter((r) => r.method === 'PUT' && !isCopy(r));
    expect(puts.map((r) => keyOf(r, prefix)).sort()).toEqual([...generated, config].sort());
    expect(puts.every((r) => r.headers['if-none-match'] === '*')).toBe(true);
    expect(keyOf(puts.at(-1)!, prefix)).toBe(config);
    // Nothing else per file: no HEAD (the copy's ETag is the listed MD5), no GET of the destination.
    expect(requests.filter((r) => r.method === 'HEAD' || (r.method === 'GET' && keyOf(r, prefix)))).toEqual(
      sourceReads,
    );
    await expectCopiedByteForByte(to);
    await Promise.all([from.close(), to.close()]);
  });

  it('still refuses a different destination file present at listing time, replacing nothing', async () => {
    const { from, to } = await stores();
    await loadTree(from, tree);
    const theirs = copied[0]!;
    await to.write(theirs, 'something else');
    await expect(moveStateStore({ from, to, createOnly: 'listing' })).rejects.toMatchObject({
      code: 'AlreadyExists',
    });
    expect(Buffer.from((await to.read(theirs)).body).toString()).toBe('something else');
    expect(await (await openStateStore(to)).listClusters()).toEqual([]);
    await Promise.all([from.close(), to.close()]);
  });

  it('copies a file over the copy threshold in UploadPartCopy parts, no body through the client', async () => {
    const { from, to, prefix } = await stores({ multipartCopyThreshold: 5 * MIB, partSize: 5 * MIB });
    const body = Buffer.alloc(6 * MIB, 'listing');
    const listed = await from.write('big', body);
    const requests = await recorded(() =>
      to.copyFrom!(from, 'big', 'big', { ifNoneMatch: '*', ifNoneMatchInService: 'best-effort', sourceInfo: listed }),
    );
    expect(requests.filter((r) => r.headers['x-amz-copy-source-range'] !== undefined)).toHaveLength(2);
    expect(requests.filter((r) => keyOf(r, prefix) === 'big' && bucketOf(r) === SOURCE)).toEqual([]);
    expect(Buffer.from((await to.read('big')).body).equals(body)).toBe(true);
    await Promise.all([from.close(), to.close()]);
  });
});

/**
 * Moves the tree while another writer creates `theirs` at the destination between the move's
 * listing of the destination and the file's copy: the proxy holds the listing's answer until that
 * write (sent to the gateway directly, not through the proxy) is done. No timing involved.
 */
async function moveWhileAnotherWriterCreates(mode: MoveOptions['createOnly']) {
  const { from, to, prefix } = await stores();
  await loadTree(from, tree);
  const theirs = copied[0]!;
  const other = await openVfs(`s3://${DESTINATION}/${prefix}`, { env: {}, s3: { ...rgw.s3, dialect: 'rgw' } });
  let written = false;
  beforeAnswer = async (request) => {
    const [path = '', query = ''] = request.path.split('?');
    const destinationListing = request.method === 'GET' && path.replace(/\/$/, '') === `/${DESTINATION}`;
    if (!destinationListing || !query.includes('list-type=2') || written) return;
    written = true;
    await other.write(theirs, 'created by another writer after the listing');
  };
  try {
    const outcome = await moveStateStore({ from, to, createOnly: mode }).then(
      () => 'moved',
      (err: { code?: string }) => err.code,
    );
    expect(written).toBe(true);
    return { outcome, theirs: Buffer.from((await to.read(theirs)).body), source: files.get(theirs)! };
  } finally {
    beforeAnswer = undefined;
    await Promise.all([from.close(), to.close(), other.close()]);
  }
}

describe('a file another writer creates at the destination after the listing', () => {
  it('per-file: refused, AlreadyExists; theirs is kept', async () => {
    const { outcome, theirs } = await moveWhileAnotherWriterCreates('per-file');
    expect(outcome).toBe('AlreadyExists');
    expect(theirs.toString()).toBe('created by another writer after the listing');
  });

  it("listing: replaced by the source's file, as documented (RGW cannot condition the copy)", async () => {
    const { outcome, theirs, source } = await moveWhileAnotherWriterCreates('listing');
    expect(outcome).toBe('moved');
    expect(theirs.equals(source)).toBe(true);
  });
});

describe("the default, createOnly: 'per-file', on Ceph RGW", () => {
  it('reads each file pinned to its ETag and writes it create-only: no CopyObject', async () => {
    const { from, to, prefix } = await stores();
    await loadTree(from, tree);
    const requests = await move(from, to);
    expect(requests.filter(isCopy)).toEqual([]);
    const sourceReads = requests.filter((r) => r.method === 'GET' && bucketOf(r) === SOURCE && keyOf(r, prefix));
    expect(sourceReads.map((r) => keyOf(r, prefix)).sort()).toEqual([...files.keys()].sort());
    // RGW's If-Match form: the ETag unquoted.
    const pinned = sourceReads.filter((r) => keyOf(r, prefix) !== config && !generated.includes(keyOf(r, prefix)!));
    expect(pinned.every((r) => /^[0-9a-f]{32}$/.test(String(r.headers['if-match'])))).toBe(true);
    const puts = requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => keyOf(r, prefix)).sort()).toEqual([...files.keys()].sort());
    expect(puts.every((r) => r.headers['if-none-match'] === '*')).toBe(true);
    await expectCopiedByteForByte(to);
    await Promise.all([from.close(), to.close()]);
  });
});
