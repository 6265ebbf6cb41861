// Loaded with `node --import` by commands.mjs: when the process exits, appends its whole CPU time
// (process.cpuUsage() counts from the process's start, node's own start included) and its peak RSS
// to the file named by BENCH_CPU_FILE, one JSON line. Nothing else: it costs the command ~1 ms.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  const cpu = process.cpuUsage();
  const line = { cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS };
  appendFileSync(process.env.BENCH_CPU_FILE, `${JSON.stringify(line)}\n`);
});
