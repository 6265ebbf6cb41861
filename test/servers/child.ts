/**
 * The child-process plumbing the test servers share (s3rver.ts, gcs-emulator.ts): each server runs
 * in its own process, announces its ports in one line of stdout, and exits when its stdin closes,
 * so it never outlives the test process.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resolves with what `pick` makes of the first complete stdout line it accepts (returns other than
 * undefined); rejects with what `pick` throws, or with the end of stderr if the child exits first.
 */
export function waitForLine<T>(child: ChildProcess, label: string, pick: (line: string) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const complete = stdout.split('\n').slice(0, -1);
      try {
        for (const line of complete) {
          const value = pick(line);
          if (value !== undefined) return resolve(value);
        }
      } catch (err) {
        reject(err as Error);
      }
    });
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code}: ${stderr.slice(-2000)}`)));
  });
}

/** Closes the child's stdin (its signal to exit) and kills it if it is still there 5 s later. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.stdin!.end();
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** Whether a process exists (one of another user's counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pids of a process group's running members (zombies left out), from /proc (Linux), the leader excluded. */
export function processGroupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== pgid)
    .filter((name) => {
      try {
        // The fields after the command's closing parenthesis: state, ppid, pgrp.
        const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return Number(fields[2]) === pgid && fields[0] !== 'Z';
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}
