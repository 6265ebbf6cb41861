/** Rows of the move benchmark: each measurement, each row's median, and the ratios with targets. */

/**
 * One run of a row: wall seconds, and where measured the client's CPU seconds, its peak RSS
 * (bytes) and the S3 server's CPU seconds over the run (`server`: RGW's processes, server-cpu.ts).
 */
export interface Measure {
  seconds: number;
  cpu?: number;
  rss?: number;
  server?: number;
}

const results: Array<{ name: string } & Measure> = [];
/** Objects a row copies (its shape's files): CPU per object is printed for rows that have it. */
const objectsOf = new Map<string, number>();

const cpuText = (cpu: number | undefined, objects: number | undefined): string =>
  cpu === undefined
    ? ''
    : `  cpu ${cpu.toFixed(2).padStart(6)} s${objects === undefined ? '' : ` (${((cpu * 1e6) / objects).toFixed(0).padStart(5)} us/object)`}`;
const rssText = (rss: number | undefined): string =>
  rss === undefined ? '' : `  rss ${(rss / 1024 / 1024).toFixed(0).padStart(4)} MB`;

const serverText = (server: number | undefined, objects: number | undefined): string =>
  server === undefined
    ? ''
    : `  server cpu ${server.toFixed(2).padStart(5)} s${objects === undefined ? '' : ` (${((server * 1e6) / objects).toFixed(0).padStart(4)} us/object)`}`;

function line(name: string, measure: Measure, objects: number | undefined): string {
  return `${name.padEnd(56)} ${measure.seconds.toFixed(2).padStart(8)} s${cpuText(measure.cpu, objects)}${rssText(measure.rss)}${serverText(measure.server, objects)}\n`;
}

/** The objects (or requests) a row was recorded with. */
export const objectsOfRow = (name: string): number | undefined => objectsOf.get(name);

/** Records a run; `objects` (the files it copied) gives its CPU per object. */
export function record(name: string, measure: Measure | number, objects?: number): void {
  const m = typeof measure === 'number' ? { seconds: measure } : measure;
  results.push({ name, ...m });
  if (objects !== undefined) objectsOf.set(name, objects);
  process.stdout.write(line(name, m, objects));
}

function medianOf(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median of a row's measurements of `field`. */
export function median(name: string, field: keyof Measure = 'seconds'): number | undefined {
  return medianOf(
    results.flatMap((result) => (result.name === name && result[field] !== undefined ? [result[field]] : [])),
  );
}

export function printMedians(rounds: number): void {
  process.stdout.write(`\nmedians of ${rounds} round(s) (each column its own median)\n`);
  for (const name of new Set(results.map((result) => result.name))) {
    const measure = {
      seconds: median(name)!,
      cpu: median(name, 'cpu'),
      rss: median(name, 'rss'),
      server: median(name, 'server'),
    };
    process.stdout.write(line(name, measure, objectsOf.get(name)));
  }
}

/** The fastest of several rows' medians (the best-tuned peer). */
function best(names: string[], field: keyof Measure): { name: string; value: number } | undefined {
  const found = names.flatMap((name) => {
    const value = median(name, field);
    return value === undefined ? [] : [{ name, value }];
  });
  return found.sort((a, b) => a.value - b.value)[0];
}

/** Prints `peer / statestore` of `field` (> 1: statestore faster or cheaper) against a target. */
export function ratio(
  label: string,
  peers: string[],
  mine: string,
  target?: number,
  field: keyof Measure = 'seconds',
): void {
  const peer = best(peers, field);
  const own = median(mine, field);
  if (peer === undefined || own === undefined) return;
  const value = peer.value / own;
  const verdict = target === undefined ? '' : ` (target >= ${target}: ${value >= target ? 'met' : 'MISSED'})`;
  process.stdout.write(`${label.padEnd(56)} ${value.toFixed(2)}x vs ${peer.name}${verdict}\n`);
}
