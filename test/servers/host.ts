/**
 * What the test servers need from the machine: ports that are free, commands that are installed.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The commands of `commands` not found on PATH (the servers' Debian packages are missing). */
export async function missingCommands(commands: string[]): Promise<string[]> {
  const found = await Promise.all(
    commands.map((command) =>
      run('sh', ['-c', `command -v ${command}`]).then(
        () => true,
        () => false,
      ),
    ),
  );
  return commands.filter((_, i) => !found[i]);
}

/**
 * Ports free on 127.0.0.1 now, picked by the OS (for servers that take a port number rather than
 * listening on port 0: Swift, Ceph). All are held open together so they differ.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
