/** Rows of the move benchmark: each measurement, each row's median, and the ratios with targets. */

const results: Array<{ name: string; seconds: number }> = [];

export function record(name: string, seconds: number): void {
  results.push({ name, seconds });
  process.stdout.write(`${name.padEnd(56)} ${seconds.toFixed(2).padStart(8)} s\n`);
}

/** The median of a row's measurements. */
export function median(name: string): number | undefined {
  const values = results
    .filter((result) => result.name === name)
    .map((result) => result.seconds)
    .sort((a, b) => a - b);
  if (values.length === 0) return undefined;
  const middle = Math.floor(values.length / 2);
  return values.length % 2 === 1 ? values[middle] : (values[middle - 1]! + values[middle]!) / 2;
}

export function printMedians(rounds: number): void {
  process.stdout.write(`\nmedians of ${rounds} round(s)\n`);
  for (const name of new Set(results.map((result) => result.name)))
    process.stdout.write(`${name.padEnd(56)} ${median(name)!.toFixed(2).padStart(8)} s\n`);
}

/** The fastest of several rows' medians (the best-tuned peer). */
function best(names: string[]): { name: string; seconds: number } | undefined {
  const found = names.flatMap((name) => {
    const seconds = median(name);
    return seconds === undefined ? [] : [{ name, seconds }];
  });
  return found.sort((a, b) => a.seconds - b.seconds)[0];
}

/** Prints `peer time / statestore time` (> 1: statestore faster) against a target. */
export function ratio(label: string, peers: string[], mine: string, target?: number): void {
  const peer = best(peers);
  const own = median(mine);
  if (peer === undefined || own === undefined) return;
  const value = peer.seconds / own;
  const verdict = target === undefined ? '' : ` (target >= ${target}: ${value >= target ? 'met' : 'MISSED'})`;
  process.stdout.write(`${label.padEnd(56)} ${value.toFixed(2)}x vs ${peer.name}${verdict}\n`);
}
