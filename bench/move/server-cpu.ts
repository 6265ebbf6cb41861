/**
 * The S3 server's own CPU time, read from /proc: on this 2-core machine the server (Ceph RGW's
 * gateway, OSD and monitor) and the client share the cores, so what a tool's requests cost the
 * server is part of every tool's wall time (issue #29.4, bench/README.md "What RGW's requests
 * cost"). The server's processes are this bench's descendants (test/servers/rgw.ts starts a
 * supervisor that starts them); their utime + stime (/proc/PID/stat fields 14 and 15, in clock
 * ticks of 10 ms) are read before and after each measured run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Measure } from './report.js';

/** Clock ticks per second of /proc/PID/stat (`getconf CLK_TCK`: 100 on Linux). */
const TICKS = 100;

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime, seconds. */
  cpu: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may hold spaces: the fields after its closing one are fixed.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { pid, comm, ppid: Number(rest[1]), cpu: (Number(rest[11]) + Number(rest[12])) / TICKS };
}

/** Every process under `root` (its descendants), by pid. */
function descendants(root: number): ProcStat[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readStat(Number(name)) ?? []);
  const children = new Map<number, ProcStat[]>();
  for (const stat of all) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const found: ProcStat[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child.pid);
    }
  };
  walk(root);
  return found;
}

/** A reader of the server's CPU seconds so far: the processes named `names` under this one. */
export type ServerCpu = () => number;

/**
 * Finds the server's processes (Ceph: radosgw, ceph-osd, ceph-mon) among this process's
 * descendants; undefined when there are none (s3rver runs inside the bench's own process).
 */
export function serverCpuReader(names = SERVER_NAMES): ServerCpu | undefined {
  const pids = serverPids(names);
  if (pids.length === 0) return undefined;
  return () => pids.reduce((sum, pid) => sum + (readStat(pid)?.cpu ?? 0), 0);
}

const SERVER_NAMES = ['radosgw', 'ceph-osd', 'ceph-mon'];

const serverPids = (names: string[]): number[] =>
  descendants(process.pid)
    .filter((stat) => names.includes(stat.comm))
    .map((stat) => stat.pid);

/** The server's CPU seconds so far by process name (radosgw, ceph-osd, ceph-mon): where a request's cost goes. */
export function serverCpuByName(): Record<string, number> {
  const split: Record<string, number> = {};
  for (const pid of serverPids(SERVER_NAMES)) {
    const stat = readStat(pid);
    if (stat !== undefined) split[stat.comm] = (split[stat.comm] ?? 0) + stat.cpu;
  }
  return split;
}

/** Runs `measure` and adds the server's CPU seconds over it (`server`), when there is a reader. */
export async function withServerCpu(reader: ServerCpu | undefined, measure: () => Promise<Measure>): Promise<Measure> {
  if (reader === undefined) return measure();
  const before = reader();
  const result = await measure();
  return { ...result, server: reader() - before };
}
