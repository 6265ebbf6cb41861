/**
 * Moves one store in its own process and prints its peak RSS (bytes) as JSON, so the parent's
 * own memory does not count. argv: <from-url> <to-url> <s3-endpoint> <work-dir>
 */
import { moveStateStore } from '../../src/migrate/index.js';
import { S3RVER_CREDENTIALS } from '../../test/servers/s3rver.js';

const [from, to, endpoint, work] = process.argv.slice(2) as [string, string, string, string];
const started = performance.now();
const result = await moveStateStore({
  from,
  to,
  digestFolder: `${work}/digests`,
  openOptions: { env: {}, s3: { endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' } },
});
const copied = result.clusters.reduce((sum, cluster) => sum + cluster.bytesCopied, 0);
// resourceUsage().maxRSS is in KiB on Linux.
process.stdout.write(
  JSON.stringify({
    maxRss: process.resourceUsage().maxRSS * 1024,
    copied,
    seconds: (performance.now() - started) / 1000,
  }) + '\n',
);
