/**
 * Ways to make N new small files durable (issue #29.3): fsyncs on libuv's pool (4 or 16 in
 * flight), worker threads fsyncing synchronously (4, 8 or 16 at once), or one syncfs (`sync -f`).
 * Run: npx tsx bench/move/sync-probe.ts [pool4|pool16|workers4|workers8|workers16|syncfs ...] [--files 2000]
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const at = process.argv.indexOf('--files');
const FILES = at > 0 ? Number(process.argv[at + 1]) : 2000;
const modes = process.argv.slice(2).filter((arg, index, all) => !arg.startsWith('--') && all[index - 1] !== '--files');

const fsyncFile = (file: string) =>
  new Promise<void>((resolve, reject) =>
    fs.open(file, 'r', (err, fd) =>
      err ? reject(err) : fs.fsync(fd, (synced) => fs.close(fd, () => (synced ? reject(synced) : resolve()))),
    ),
  );

async function inFlight(files: string[], limit: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < files.length) await fsyncFile(files[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

const WORKER = `const fs = require('fs'); const { parentPort, workerData } = require('worker_threads');
for (const file of workerData) { const fd = fs.openSync(file, 'r'); fs.fsyncSync(fd); fs.closeSync(fd); }
parentPort.postMessage(0);`;

async function inWorkers(files: string[], count: number): Promise<void> {
  const share = (k: number) => files.filter((_, index) => index % count === k);
  const done = (k: number) =>
    new Promise((resolve) => new Worker(WORKER, { eval: true, workerData: share(k) }).once('message', resolve));
  await Promise.all(Array.from({ length: count }, (_, k) => done(k)));
}

async function probe(mode: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-probe-'));
  try {
    const files = Array.from({ length: FILES }, (_, i) => path.join(dir, `f${i}`));
    for (const file of files) fs.writeFileSync(file, Buffer.alloc(1024, 7));
    const started = performance.now();
    if (mode.startsWith('pool')) await inFlight(files, Number(mode.slice(4)));
    else if (mode.startsWith('workers')) await inWorkers(files, Number(mode.slice(7)));
    else
      await new Promise((resolve, reject) => execFile('sync', ['-f', dir], (err) => (err ? reject(err) : resolve(0))));
    return `${mode}: ${(performance.now() - started).toFixed(0)} ms`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const mode of modes.length > 0 ? modes : ['pool4', 'pool16', 'workers4', 'syncfs'])
  process.stdout.write(`${await probe(mode)} (${FILES} files, load ${os.loadavg()[0]!.toFixed(1)})\n`);
