// The first step of `npm test`: the real servers the suites start (test/servers/) must be installed,
// from Debian's packages, so that `npm install && npm test` works on a fresh Debian 12 machine:
// OpenStack Swift with memcached (the swift:// tests) and Ceph RADOS Gateway (the RGW tests). When
// everything is there it only looks at PATH (a few milliseconds, no apt call). When something is
// missing it installs the packages as root (apt-get update, then apt-get install: about 75 s for
// Swift, more for Ceph), and otherwise prints the one command to run and fails.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

/** Each set: the Debian packages, and what proves them installed (commands on PATH, files). */
const SETS = [
  {
    name: 'OpenStack Swift (swift:// tests)',
    packages: ['swift', 'swift-proxy', 'swift-object', 'swift-container', 'swift-account', 'memcached'],
    commands: [
      'memcached',
      'swift-ring-builder',
      'swift-account-server',
      'swift-container-server',
      'swift-object-server',
      'swift-proxy-server',
    ],
    // Swift reads its hash path settings from this fixed path only (the swift package writes it).
    files: ['/etc/swift/swift.conf'],
  },
  {
    name: 'Ceph RADOS Gateway (RGW tests)',
    packages: ['ceph-mon', 'ceph-osd', 'radosgw', 'ceph-common'],
    commands: ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'monmaptool', 'ceph'],
    files: [],
  },
];

function onPath(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const missingSets = () =>
  SETS.filter((set) => !set.commands.every(onPath) || !set.files.every((file) => existsSync(file)));
const missing = missingSets();
if (missing.length === 0) process.exit(0);

const packages = missing.flatMap((set) => set.packages);
const command = `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`;
const names = missing.map((set) => set.name).join(' and ');
if (process.getuid?.() !== 0 || !onPath('apt-get')) {
  const why = onPath('apt-get') ? 'npm test installs them when run as root' : 'apt-get not found: Debian 12 expected';
  process.stderr.write(`npm test needs ${names}, not installed (${why}). Run as root:\n  ${command}\n`);
  process.exit(1);
}

process.stdout.write(`=== installing ${names}: ${packages.join(' ')}\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [
  ['update', '-qq'],
  ['install', '-y', '-qq', ...packages],
]) {
  const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    process.stderr.write(`apt-get ${args.join(' ')} failed (${result.status ?? result.signal})\n`);
    process.exit(1);
  }
}
const still = missingSets();
if (still.length > 0) {
  process.stderr.write(`still missing after apt-get install: ${still.map((set) => set.name).join(', ')}\n`);
  process.exit(1);
}
