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

/**
 * What must happen in the cluster after each step, quoted from kops's procedure
 * (docs/operations/rotate-secrets.md:29-38 step 1, 50-59 step 2, 68-76 step 3, 99-107 step 4,
 * 117-125 step 5, 140-149 step 6). `kubernetesCa` is printed only when kubernetes-ca was rotated.
 */
const NEXT_IN_CLUSTER: Record<RotationStep, { quote: string; kubernetesCa: string; next?: RotationStep }> = {
  create: {
    quote:
      '"1. Create and stage new keypair": "Create a new keypair for each keyset that you are going to rotate. Then update the cluster and perform a rolling update."',
    kubernetesCa:
      '"2. Export and distribute new kubeconfig certificate-authority-data": "If you are rotating the Kubernetes general CA ("kubernetes-ca" or "all") and you are not using a load balancer for the Kubernetes API with its own separate certificate, export a new kubeconfig with the new CA certificate included in the `certificate-authority-data` field for the cluster" (statestore kubeconfig CLUSTER), and "Distribute the new `certificate-authority-data` to all clients of that cluster\'s Kubernetes API."',
    next: 'promote',
  },
  promote: {
    quote: '"3. Promote the new keypairs": "Promote the new keypairs to primary with:" (done) and then:',
    kubernetesCa:
      '"4. Export and distribute new kubeconfig admin credentials": "If you are rotating the Kubernetes general CA ("kubernetes-ca" or "all") and have kubeconfigs with cluster admin credentials, export new kubeconfigs with new admin credentials for the cluster" (statestore kubeconfig CLUSTER --admin DURATION), and "Distribute the new credentials to all clients that require them."',
    next: 'distrust',
  },
  distrust: {
    quote: '"5. Distrust the previous keypairs": "Remove trust in the previous keypairs with:" (done) and then:',
    kubernetesCa:
      '"6. Export and distribute new kubeconfig certificate-authority-data": "export a new kubeconfig with the previous CA certificate removed from the `certificate-authority-data` field for the cluster" (statestore kubeconfig CLUSTER)',
  },
};

function reportRotation(ctx: Context, cluster: string, step: RotationStep, results: RotationStepResult[]): void {
  if (ctx.out.json) ctx.out.result(results);
  for (const result of results)
    ctx.out.info(
      `keyset "${result.keyset}": ${step} ${result.ids.join(', ') || '(nothing)'}; stage now ${result.stage}`,
    );
  const after = NEXT_IN_CLUSTER[step];
  const lines = [
    '',
    'Before the next step, in the cluster (kops: docs/operations/rotate-secrets.md):',
    after.quote,
    '  kops update cluster --yes',
    '  kops rolling-update cluster --yes',
    ...(results.some((result) => result.keyset === 'kubernetes-ca') ? [after.kubernetesCa] : []),
    after.next === undefined ? 'The rotation is complete.' : `Then: statestore pki rotate CLUSTER --step ${after.next}`,
  ];
  for (const line of lines) ctx.out.info(line.replace(/CLUSTER/g, cluster));
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
