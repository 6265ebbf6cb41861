import { Command } from 'commander';
import { contextOf, type Context } from './context.js';
import { clusterFlag, examples } from './help.js';
import { readInput } from './input.js';
import { CliError, EXIT } from './exit-codes.js';
import { leaseFlags, withWriter } from './lease-guard.js';

function clusterOf(positional: string | undefined, flag: string | undefined): string {
  const cluster = positional ?? flag;
  if (!cluster)
    throw new CliError('the cluster is required: give it as an argument or --name (KOPS_CLUSTER_NAME)', EXIT.USAGE);
  return cluster;
}

/**
 * Keypair, SSH key and secret verbs, with kops's names and arguments (kops: cmd/kops/
 * create_keypair.go, promote_keypair.go, distrust_keypair.go, trust_keypair.go,
 * create_sshpublickey.go, delete_sshpublickey.go, delete_secret.go), over the library's
 * keypair lifecycle methods. kops's `all` keyset is not offered: the library works per keyset.
 */

function report(ctx: Context, result: unknown, message: string): void {
  if (ctx.out.json) ctx.out.result(result);
  ctx.out.info(message);
}

/** `create keypair KEYSET [--cert F --key F] [--primary] --name C`. */
export function createKeypairCommand(): Command {
  const cmd = clusterFlag(
    leaseFlags(new Command('keypair'))
      .argument('<keyset>', 'the keyset, e.g. kubernetes-ca')
      .description('Add a CA keypair to a keyset (a new one, or --cert/--key)')
      .option('--cert <file>', 'a CA certificate (PEM) to add')
      .option('--key <file>', 'its private key (PEM)')
      .option('--primary', 'make it the keypair that issues certificates'),
  ).action(
    async (
      keyset: string,
      opts: { name: string; cert?: string; key?: string; primary?: boolean },
      command: Command,
    ) => {
      const ctx = contextOf(command);
      const certificate = opts.cert === undefined ? undefined : await readInput(opts.cert);
      const privateKey = opts.key === undefined ? undefined : await readInput(opts.key);
      const { id } = await withWriter(ctx, opts.name, 'create keypair', (store) =>
        store.createKeypair(opts.name, keyset, {
          ...(certificate ? { certificate } : {}),
          ...(privateKey ? { privateKey } : {}),
          primary: opts.primary === true,
        }),
      );
      report(
        ctx,
        { keyset, id, primary: opts.primary === true },
        `keypair ${id} added to keyset "${keyset}"${opts.primary ? ' as primary' : ''}`,
      );
    },
  );
  return examples(cmd, [
    'statestore create keypair kubernetes-ca --name prod.example.com',
    'statestore create keypair kubernetes-ca --cert ca.crt --key ca.key --primary --name prod.example.com',
  ]);
}

/** `promote keypair KEYSET [ID]`. */
export function promoteCommand(): Command {
  const promote = new Command('promote').description('Promote a keypair to primary (kops promote)');
  const cmd = clusterFlag(
    leaseFlags(new Command('keypair'))
      .argument('<keyset>', 'the keyset')
      .argument('[id]', 'the keypair (default: the newest)')
      .description('Make a keypair the one that issues certificates'),
  ).action(async (keyset: string, id: string | undefined, opts: { name: string }, command: Command) => {
    const ctx = contextOf(command);
    const result = await withWriter(ctx, opts.name, 'promote keypair', (store) =>
      store.promoteKeypair(opts.name, keyset, id),
    );
    report(
      ctx,
      { keyset, id: result.id, promoted: result.promoted },
      result.promoted
        ? `keypair ${result.id} of "${keyset}" is now primary`
        : `keypair ${result.id} of "${keyset}" was already primary`,
    );
  });
  promote.addCommand(examples(cmd, ['statestore promote keypair kubernetes-ca --name prod.example.com']));
  return examples(promote, ['statestore promote keypair kubernetes-ca 7012345678901234567 --name prod.example.com']);
}

/** `distrust keypair KEYSET [ID...]` and `trust keypair KEYSET ID...`. */
export function trustCommands(): Command[] {
  const make = (verb: 'distrust' | 'trust'): Command => {
    const parent = new Command(verb).description(`${verb === 'trust' ? 'Trust' : 'Distrust'} keypairs (kops ${verb})`);
    const cmd = clusterFlag(
      leaseFlags(new Command('keypair'))
        .argument('<keyset>', 'the keyset')
        .argument(
          verb === 'trust' ? '<ids...>' : '[ids...]',
          verb === 'trust' ? 'the keypairs' : 'the keypairs (default: those older than the primary)',
        )
        .description(verb === 'trust' ? 'Trust distrusted keypairs again' : 'Distrust keypairs'),
    ).action(async (keyset: string, ids: string[], opts: { name: string }, command: Command) => {
      const ctx = contextOf(command);
      const { ids: changed } = await withWriter(ctx, opts.name, `${verb} keypair`, (store) =>
        verb === 'trust'
          ? store.trustKeypairs(opts.name, keyset, ids)
          : store.distrustKeypairs(opts.name, keyset, ids.length > 0 ? ids : undefined),
      );
      report(
        ctx,
        { keyset, [verb === 'trust' ? 'trusted' : 'distrusted']: changed },
        `${changed.length} keypair${changed.length === 1 ? '' : 's'} of "${keyset}" ${verb}ed${changed.length > 0 ? `: ${changed.join(', ')}` : ''}`,
      );
    });
    parent.addCommand(
      examples(cmd, [
        `statestore ${verb} keypair kubernetes-ca${verb === 'trust' ? ' 6981234567890123456' : ''} --name prod.example.com`,
      ]),
    );
    return examples(parent, [
      `statestore ${verb} keypair kubernetes-ca${verb === 'trust' ? ' 6981234567890123456' : ''} --name prod.example.com --json`,
    ]);
  };
  return [make('distrust'), make('trust')];
}

/** `create sshpublickey [CLUSTER] -i FILE`. */
export function createSshPublicKeyCommand(): Command {
  const cmd = leaseFlags(new Command('sshpublickey'))
    .argument('[cluster]', 'the cluster (or --name)')
    .description("Add an admin SSH public key (stored under kops's fingerprint name)")
    .requiredOption('-i, --ssh-public-key <file>', 'the public key file (- for stdin)')
    .option('--name <cluster>', 'the cluster (KOPS_CLUSTER_NAME)', process.env.KOPS_CLUSTER_NAME)
    .action(async (cluster: string | undefined, opts: { name?: string; sshPublicKey: string }, command: Command) => {
      const ctx = contextOf(command);
      const key = await readInput(opts.sshPublicKey);
      const name = clusterOf(cluster, opts.name);
      const { fingerprint } = await withWriter(ctx, name, 'create sshpublickey', (store) =>
        store.addSshPublicKey(name, key),
      );
      report(ctx, { id: fingerprint }, `SSH public key ${fingerprint} added`);
    });
  return examples(cmd, ['statestore create sshpublickey prod.example.com -i ~/.ssh/id_rsa.pub']);
}

/** `delete sshpublickey [CLUSTER] [--id FINGERPRINT]` and `delete secret NAME... --name C`. */
export function deletePkiCommands(): Command[] {
  const ssh = leaseFlags(new Command('sshpublickey'))
    .argument('[cluster]', 'the cluster (or --name)')
    .description('Delete admin SSH public keys (all, or --id)')
    .option('--id <fingerprint>', 'only this key')
    .option('--name <cluster>', 'the cluster (KOPS_CLUSTER_NAME)', process.env.KOPS_CLUSTER_NAME)
    .action(async (cluster: string | undefined, opts: { name?: string; id?: string }, command: Command) => {
      const ctx = contextOf(command);
      const name = clusterOf(cluster, opts.name);
      const { deleted } = await withWriter(ctx, name, 'delete sshpublickey', (store) =>
        store.deleteSshPublicKeys(name, opts.id),
      );
      report(ctx, { deleted }, `${deleted} SSH public key${deleted === 1 ? '' : 's'} deleted`);
    });
  const secret = clusterFlag(
    leaseFlags(new Command('secret')).argument('<names...>', 'the secrets').description('Delete secrets'),
  ).action(async (names: string[], opts: { name: string }, command: Command) => {
    const ctx = contextOf(command);
    await withWriter(ctx, opts.name, 'delete secret', async (store) => {
      for (const name of names) await store.deleteSecret(opts.name, name);
    });
    report(ctx, { deleted: names }, `deleted secret${names.length === 1 ? '' : 's'} ${names.join(', ')}`);
  });
  const keypair = clusterFlag(
    leaseFlags(new Command('keypair'))
      .argument('<keyset>', 'the keyset')
      .argument('<id>', 'the keypair')
      .description('Remove a non-primary keypair from its keyset'),
  ).action(async (keyset: string, id: string, opts: { name: string }, command: Command) => {
    const ctx = contextOf(command);
    await withWriter(ctx, opts.name, 'delete keypair', (store) => store.deleteKeypair(opts.name, keyset, id));
    report(ctx, { keyset, deleted: id }, `keypair ${id} removed from "${keyset}"`);
  });
  return [
    examples(ssh, ['statestore delete sshpublickey prod.example.com']),
    examples(secret, ['statestore delete secret dockerconfig --name prod.example.com']),
    examples(keypair, ['statestore delete keypair kubernetes-ca 6981234567890123456 --name prod.example.com']),
  ];
}
