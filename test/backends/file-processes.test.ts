import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { openVfs } from '../../src/backends/registry.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

const run = promisify(execFile);
const CHILD = path.join(__dirname, 'file-race-child.ts');
const PROCESSES = 4;
const PER_PROCESS = 5;

/** Starts PROCESSES racers at once; each runs PER_PROCESS writes concurrently (20 in all). */
async function race(dir: string, mode: 'create' | 'cas', version = '-'): Promise<{ won: string[]; lost: string[] }> {
  const outputs = await Promise.all(
    Array.from({ length: PROCESSES }, (_, worker) =>
      run(process.execPath, ['--import', 'tsx', CHILD, dir, mode, version, String(worker), String(PER_PROCESS)], {
        timeout: 60_000,
      }),
    ),
  );
  const parsed = outputs.map(
    ({ stdout }) => JSON.parse(stdout.trim().split('\n').pop()!) as { won: string[]; lost: string[] },
  );
  return { won: parsed.flatMap((p) => p.won), lost: parsed.flatMap((p) => p.lost) };
}

describe('file backend across processes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('statestore-procs-');
  });
  afterAll(removeTempDirs);

  it('lets exactly one of 20 create-if-absent writers in 4 processes win', async () => {
    const { won, lost } = await race(dir, 'create');
    expect(won).toHaveLength(1);
    expect(lost).toEqual(Array(PROCESSES * PER_PROCESS - 1).fill('AlreadyExists'));
    const vfs = await openVfs(dir);
    expect(Buffer.from((await vfs.read('race/create')).body).toString()).toBe(won[0]);
  });

  it('lets exactly one of 20 compare-and-swap writers in 4 processes win', async () => {
    const vfs = await openVfs(dir);
    const base = await vfs.write('race/cas', 'base');
    const { won, lost } = await race(dir, 'cas', base.version);
    expect(won).toHaveLength(1);
    expect(lost).toEqual(Array(PROCESSES * PER_PROCESS - 1).fill('PreconditionFailed'));
    expect(Buffer.from((await vfs.read('race/cas')).body).toString()).toBe(won[0]);
  });
});
