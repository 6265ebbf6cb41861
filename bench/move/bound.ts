/**
 * What each kind of S3 request costs Ceph RGW, and from it the best wall time the many shape can
 * reach with statestore's requests against rclone's (issue #29.4; bench/README.md, "What RGW's
 * requests cost"). The request rows time N bare requests of one kind (no SDK, 64 in flight, ~3 KiB
 * objects, raw-s3.ts) with the server's CPU over them (server-cpu.ts); the bound combines them with
 * the request counts of each tool on the many shape, as `--requests` printed them (bench/README.md,
 * branch `listing-copies`): statestore's listing mode sends one CopyObject per file but the
 * configs, a GET per config and a PUT If-None-Match per config plus one; rclone one CopyObject per
 * object; each also lists both sides (a few pages, left out of both).
 */
import { median, objectsOfRow } from './report.js';

export const REQUEST_ROWS = {
  copy: 'requests: CopyObject x64 (3 KiB, no SDK)',
  get: 'requests: GET x64 (3 KiB, no SDK)',
  put: 'requests: PUT If-None-Match x64 (3 KiB, no SDK)',
  getPut: 'requests: GET + PUT If-None-Match x64 (3 KiB, no SDK)',
  idle: 'requests: server idle (2 s)',
} as const;

/** Cores of this machine the server and the client share (issue #29: 2). */
const CORES = 2;

/** Server CPU seconds per request of a row, its idle CPU over the same time taken off. */
function serverPerRequest(row: string, idlePerSecond: number): number | undefined {
  const server = median(row, 'server');
  const seconds = median(row);
  const count = objectsOfRow(row);
  if (server === undefined || seconds === undefined || count === undefined) return undefined;
  return Math.max(0, server - idlePerSecond * seconds) / count;
}

/** Wall seconds per request of a row at 64 in flight (the server's throughput with a light client). */
function wallPerRequest(row: string): number | undefined {
  const seconds = median(row);
  const count = objectsOfRow(row);
  return seconds === undefined || count === undefined ? undefined : seconds / count;
}

const us = (seconds: number) => `${(seconds * 1e6).toFixed(0)} us`;
const s2 = (seconds: number) => `${seconds.toFixed(2)} s`;

/**
 * Prints the per-request costs and the many shape's bound: the server CPU each tool's requests
 * need, each tool's CPU floor ((server + client CPU) / 2 cores: the wall time if both cores were
 * busy all along, as they can be at best where server and client share them), how far each tool's
 * wall is above it, and what statestore's wall would be at its floor against rclone's measured wall,
 * at several client CPUs. (The bare rows' own wall is no floor: at 64 in flight they took longer
 * than rclone's copy of as many objects on a loaded machine.)
 */
export function printManyBound(many: { objects: number; clusters: number } | undefined): void {
  const idleRow = median(REQUEST_ROWS.idle, 'server');
  const idle = idleRow === undefined ? 0 : idleRow / (median(REQUEST_ROWS.idle) ?? 1);
  const server = {
    copy: serverPerRequest(REQUEST_ROWS.copy, idle),
    get: serverPerRequest(REQUEST_ROWS.get, idle),
    put: serverPerRequest(REQUEST_ROWS.put, idle),
  };
  const wall = {
    copy: wallPerRequest(REQUEST_ROWS.copy),
    get: wallPerRequest(REQUEST_ROWS.get),
    put: wallPerRequest(REQUEST_ROWS.put),
  };
  if (server.copy === undefined || server.get === undefined || server.put === undefined) return;
  const clientPer = (row: string) => {
    const cpu = median(row, 'cpu');
    const count = objectsOfRow(row);
    return cpu === undefined || count === undefined ? '' : `, client ${us(cpu / count)}`;
  };
  process.stdout.write(
    `\nwhat a request costs RGW (server CPU a request, its idle ${(idle * 1000).toFixed(0)} ms/s taken off; bare requests, 64 in flight; wall a request at that rate):\n` +
      `  CopyObject ${us(server.copy)} (wall ${us(wall.copy!)}${clientPer(REQUEST_ROWS.copy)})\n` +
      `  GET 3 KiB ${us(server.get)} (wall ${us(wall.get!)}${clientPer(REQUEST_ROWS.get)})\n` +
      `  PUT If-None-Match 3 KiB ${us(server.put)} (wall ${us(wall.put!)}${clientPer(REQUEST_ROWS.put)})\n`,
  );
  if (many === undefined) return;
  const { objects, clusters } = many;
  const mine = { copy: objects - clusters, get: clusters, put: clusters + 1 };
  const serverMine = mine.copy * server.copy + mine.get * server.get + mine.put * server.put;
  const serverRclone = objects * server.copy;
  process.stdout.write(
    `many shape (${objects} objects, ${clusters} clusters): statestore's listing mode sends ${mine.copy} CopyObject + ${mine.get} GET + ${mine.put} PUT If-None-Match, rclone ${objects} CopyObject\n` +
      `  their server CPU (per-request costs above): statestore ${s2(serverMine)}, rclone ${s2(serverRclone)} (statestore / rclone ${(serverMine / serverRclone).toFixed(2)})\n`,
  );
  const listing = 'many: statestore move, listing';
  const rcloneRow = ['many: rclone tuned 64', 'many: rclone tuned 32']
    .filter((row) => median(row) !== undefined)
    .sort((a, b) => median(a)! - median(b)!)[0];
  if (rcloneRow === undefined) return;
  // The CPU floor: the server's and the client's CPU spread over both cores, nothing idle.
  const floor = (serverCpu: number, clientCpu: number) => (serverCpu + clientCpu) / CORES;
  const rcloneWall = median(rcloneRow)!;
  const rcloneCpu = median(rcloneRow, 'cpu') ?? 0;
  const measured = (row: string) => median(row, 'server');
  const measuredText = (row: string) =>
    measured(row) === undefined ? '' : ` (measured over its runs: ${s2(measured(row)!)})`;
  process.stdout.write(
    `  ${rcloneRow}: wall ${s2(rcloneWall)}, client CPU ${s2(rcloneCpu)}, server CPU ${s2(serverRclone)}${measuredText(rcloneRow)}; CPU floor (server + client) / ${CORES} ${s2(floor(serverRclone, rcloneCpu))}: its wall is ${(rcloneWall / floor(serverRclone, rcloneCpu)).toFixed(2)}x its floor\n`,
  );
  const listingCpu = median(listing, 'cpu');
  if (listingCpu !== undefined)
    process.stdout.write(
      `  ${listing}: wall ${s2(median(listing)!)}, client CPU ${s2(listingCpu)}, server CPU ${s2(serverMine)}${measuredText(listing)}; CPU floor ${s2(floor(serverMine, listingCpu))}: its wall is ${(median(listing)! / floor(serverMine, listingCpu)).toFixed(2)}x its floor\n`,
    );
  const cases: Array<[string, number]> = [
    ['its measured client CPU', listingCpu ?? Number.NaN],
    ["rclone's client CPU", rcloneCpu],
    ['half of that', rcloneCpu / 2],
    ['no client CPU at all', 0],
  ];
  for (const [what, cpu] of cases)
    if (!Number.isNaN(cpu))
      process.stdout.write(
        `  statestore's requests at ${what} (${s2(cpu)}), every core busy: ${s2(floor(serverMine, cpu))}, ${(rcloneWall / floor(serverMine, cpu)).toFixed(2)}x rclone's measured wall (target 1.2x)\n`,
      );
}
