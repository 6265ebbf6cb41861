import { Command, Option } from 'commander';
import { expiringWithin, type PkiReport, type RotationStepResult, type RotationStep } from '../index.js';
import { contextOf, withStore, type Context } from './context.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';
import { leaseFlags, withWriter } from './lease-guard.js';

/**
 * `statestore pki status` (certificate expiry and rotation stage of every keyset, kops #8773) and
 * `statestore pki rotate` (one step of kops's docs/operations/rotate-secrets.md).
 */

const DAY_MS = 86_400_000;

/** `30d`, `12h`, `90m`; a bare number is days. */
export function parseWindow(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(d|h|m)?$/.exec(text.trim());
  const unit = { d: DAY_MS, h: 3_600_000, m: 60_000 }[match?.[2] ?? 'd'] ?? DAY_MS;
  const ms = match === null ? NaN : Number(match[1]) * unit;
  if (!Number.isFinite(ms) || ms > 100 * 365 * DAY_MS)
    throw new CliError(`--within must be a window such as 30d, 12h or 90m, not "${text}"`, EXIT.USAGE);
  return ms;
}

function clusterOf(positional: string | undefined, flag: string | undefined): string {
  const cluster = positional ?? flag;
  if (!cluster) throw new CliError('the cluster is required: give it as an argument or --name', EXIT.USAGE);
  return cluster;
}

function statusTable(report: PkiReport) {
  const rows = report.keysets.flatMap((keyset) =>
    keyset.keys.map((key) => [
      keyset.name,
      key.id,
      key.trusted ? 'trusted' : `distrusted ${key.distrustTimestamp ?? ''}`.trim(),
      key.primary ? 'yes' : '',
      key.notBefore ?? '',
      key.notAfter ?? '',
      key.daysLeft === undefined ? '' : key.expired ? `expired (${key.daysLeft})` : String(key.daysLeft),
      key.primary ? keyset.stage : '',
    ]),
  );
  return { headers: ['KEYSET', 'ID', 'TRUST', 'PRIMARY', 'NOT BEFORE', 'NOT AFTER', 'DAYS LEFT', 'STAGE'], rows };
}

function statusCommand(): Command {
  const cmd = new Command('status')
    .argument('[cluster]', 'the cluster (or --name)')
    .description("Every keyset's keys: trust, primary, validity, days left, rotation stage")
    .option('--name <cluster>', 'the cluster (KOPS_CLUSTER_NAME)', process.env.KOPS_CLUSTER_NAME)
    .option('--within <window>', 'exit 1 when a trusted certificate expires within this window (30d, 12h)')
    .action(async (positional: string | undefined, opts: { name?: string; within?: string }, command: Command) => {
      const ctx = contextOf(command);
      const cluster = clusterOf(positional, opts.name);
      const within = opts.within === undefined ? undefined : parseWindow(opts.within);
      const report = await withStore(ctx, (store) => store.pkiReport(cluster));
      const expiring = within === undefined ? [] : expiringWithin(report, within);
      ctx.out.result(within === undefined ? report : { ...report, expiring }, () => statusTable(report));
      for (const keyset of report.keysets)
        if (keyset.stage !== 'idle') ctx.out.info(`keyset "${keyset.name}": rotation stage ${keyset.stage}`);
      if (within !== undefined && expiring.length > 0) {
        for (const item of expiring)
          ctx.out.warn(`keyset "${item.keyset}" keypair ${item.id} expires ${item.notAfter}`);
        process.exitCode = EXIT.ERROR;
      }
    });
  return examples(cmd, [
    'statestore pki status prod.example.com',
    'statestore pki status prod.example.com --within 30d --json',
  ]);
}

/** What kops's procedure says must happen in the cluster after the step (docs/operations/rotate-secrets.md). */
const NEXT_IN_CLUSTER: Record<RotationStep, string[]> = {
  create: [
    'kops: "Create a new keypair for each keyset that you are going to rotate. Then update the cluster and perform a rolling update."',
    '  kops update cluster --yes',
    '  kops rolling-update cluster --yes',
    'then, rotating kubernetes-ca: "export a new kubeconfig with the new CA certificate included in the `certificate-authority-data` field" (statestore kubeconfig CLUSTER) and distribute it',
    'then: statestore pki rotate CLUSTER --step promote',
  ],
  promote: [
    'kops: "Promote the new keypairs to primary with: kops promote keypair all; kops update cluster --yes; kops rolling-update cluster --yes"',
    '  kops update cluster --yes',
    '  kops rolling-update cluster --yes',
    'then, rotating kubernetes-ca: "export new kubeconfigs with new admin credentials for the cluster" (statestore kubeconfig CLUSTER --admin) and distribute them',
    'then: statestore pki rotate CLUSTER --step distrust',
  ],
  distrust: [
    'kops: "Remove trust in the previous keypairs with: kops distrust keypair all; kops update cluster --yes; kops rolling-update cluster --yes"',
    '  kops update cluster --yes',
    '  kops rolling-update cluster --yes',
    'then, rotating kubernetes-ca: "export a new kubeconfig with the previous CA certificate removed from the `certificate-authority-data` field" (statestore kubeconfig CLUSTER)',
  ],
};

function reportRotation(ctx: Context, cluster: string, step: RotationStep, results: RotationStepResult[]): void {
  if (ctx.out.json) ctx.out.result(results);
  for (const result of results)
    ctx.out.info(
      `keyset "${result.keyset}": ${step} ${result.ids.join(', ') || '(nothing)'}; stage now ${result.stage}`,
    );
  ctx.out.info('\nBefore the next step, in the cluster:');
  for (const line of NEXT_IN_CLUSTER[step]) ctx.out.info(line.replace(/CLUSTER/g, cluster));
}

function rotateCommand(): Command {
  const cmd = leaseFlags(new Command('rotate'))
    .argument('[cluster]', 'the cluster (or --name)')
    .description("One step of kops's keypair rotation: create, promote, distrust (refused out of order)")
    .option('--name <cluster>', 'the cluster (KOPS_CLUSTER_NAME)', process.env.KOPS_CLUSTER_NAME)
    .option('--keyset <name>', 'one keyset, or all (every rotatable keyset)', 'all')
    .addOption(
      new Option('--step <step>', 'the step to perform')
        .choices(['create', 'promote', 'distrust'])
        .makeOptionMandatory(),
    )
    .action(
      async (
        positional: string | undefined,
        opts: { name?: string; keyset: string; step: RotationStep },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        const cluster = clusterOf(positional, opts.name);
        const results = await withWriter(ctx, cluster, `pki rotate --step ${opts.step}`, (store) =>
          store.rotateKeypairs(cluster, opts.step, { keyset: opts.keyset }),
        );
        reportRotation(ctx, cluster, opts.step, results);
      },
    );
  return examples(cmd, [
    'statestore pki rotate prod.example.com --step create',
    'statestore pki rotate prod.example.com --keyset kubernetes-ca --step promote',
  ]);
}

export function pkiCommand(): Command {
  const pki = new Command('pki').description('Certificate expiry and CA rotation from the store');
  pki.addCommand(statusCommand());
  pki.addCommand(rotateCommand());
  return examples(pki, ['statestore pki status prod.example.com --within 30d']);
}
