import { Command } from 'commander';
import { parseS3Dialect, probeStore, type StoreProbe } from '../index.js';
import { contextOf, withStore } from './context.js';
import { EXIT } from './exit-codes.js';
import { examples } from './help.js';

/** Text from the store (URL, facts) made safe for a terminal: control characters shown escaped. */
export function escapeTerminal(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const MEANING = {
  mergeConfig: {
    safe: 'safe (compare-and-swap)',
    lease:
      "serialised by the cluster's lease: statestore writers only, writers ignoring the lease (kops) are not excluded",
    unsupported: 'refused (Unsupported): the store enforces neither compare-and-swap nor create-if-absent',
    unsafe: 'UNSAFE: the store accepts conditions it does not keep; concurrent updates can be lost',
  },
  leases: {
    safe: 'safe (create-if-absent and compare-and-swap)',
    unsupported: 'refused (Unsupported)',
    unsafe: 'UNSAFE: two holders are possible',
  },
  moveCopies: {
    'create-only': 'create-only (a taken destination is never overwritten)',
    overwrite: 'unconditional (the store cannot refuse a taken key)',
    unsafe: 'UNSAFE: create-only copies overwrite',
  },
  deleteSource: {
    conditional: 'conditional (only the version verified is deleted)',
    unconditional: 'unconditional',
    unsafe: 'UNSAFE: conditional deletes delete any version',
  },
} as const;

/** Which S3 dialect the store sends conditions in, and the setting that chose it (S3 family only). */
function dialectLine(dialect: NonNullable<StoreProbe['facts']['s3Dialect']>): string {
  const name = escapeTerminal(dialect.name);
  const how =
    dialect.setBy === 'default'
      ? dialect.probed
        ? `probed: the endpoint is not AWS's; a store probes at its first conditional write, doctor at once; STATESTORE_S3_DIALECT=${name} skips the probe`
        : "the default on AWS's own endpoints; STATESTORE_S3_DIALECT overrides it"
      : dialect.probed
        ? `probed, as ${dialect.setBy} asks`
        : `set by ${dialect.setBy}`;
  return `s3 dialect:         ${name} (${how})`;
}

/**
 * Where create-only copies hold only because the S3 driver reads and rewrites each file (the
 * dialect's CopyObject ignores If-None-Match: Ceph RGW), what that costs and the move mode that
 * avoids it (MoveOptions.createOnly).
 */
function copiesThroughClient(report: StoreProbe): string {
  const dialect = report.facts.s3Dialect;
  if (report.guarantees.moveCopies !== 'create-only' || dialect === undefined) return '';
  // The name formatS3Dialect printed; from another driver it may be anything: then say nothing.
  const copyConditioned = (() => {
    try {
      return parseS3Dialect(dialect.name).copyIfNoneMatch;
    } catch {
      return true;
    }
  })();
  if (copyConditioned) return '';
  return '; this server ignores If-None-Match on CopyObject, so each server-side copy is a GET and a create-only PUT through this client (move --create-only listing: one CopyObject, checked against the listing only)';
}

/** The human report: one line per finding. */
function lines(report: StoreProbe): string[] {
  const facts = report.facts;
  const unknown = 'unknown (the backend cannot say)';
  return [
    `store:              ${escapeTerminal(report.url)} (${report.backend})`,
    `round trip:         ${report.latencyMs} ms (median of 5 stat requests)`,
    `conditional create: ${report.conditions.create}`,
    `compare-and-swap:   ${report.conditions.compareAndSwap}`,
    `conditional copy:   ${report.conditions.copy}`,
    `conditional delete: ${report.conditions.delete}`,
    `object versioning:  ${facts.versioning ?? unknown}`,
    `default encryption: ${facts.defaultEncryption === undefined ? unknown : escapeTerminal(facts.defaultEncryption)}`,
    ...(facts.s3Dialect === undefined ? [] : [dialectLine(facts.s3Dialect)]),
    `mergeConfig:        ${MEANING.mergeConfig[report.guarantees.mergeConfig]}`,
    `leases:             ${MEANING.leases[report.guarantees.leases]}`,
    `move copies:        ${MEANING.moveCopies[report.guarantees.moveCopies]}${copiesThroughClient(report)}`,
    `move deleteSource:  ${MEANING.deleteSource[report.guarantees.deleteSource]}`,
  ];
}

/** `doctor [STORE]`: what the store enforces, and what that means; exit 7 when merges or leases are unsafe. */
export function doctorCommand(): Command {
  const cmd = new Command('doctor')
    .description(
      "Test what the store enforces (conditions, versioning, encryption, latency) and what that means for statestore's guarantees",
    )
    .argument('[store]', 'the store URL (default: --state / KOPS_STATE_STORE)')
    .action(async (store: string | undefined, _opts: object, command: Command) => {
      const ctx = contextOf(command);
      if (store !== undefined) ctx.flags.state = store;
      // The context opens the store named by its flags when asked: the argument, else --state.
      const report = await withStore(ctx, (opened) => probeStore(opened.vfs));
      if (ctx.out.json) ctx.out.result(report);
      else for (const line of lines(report)) ctx.out.text(line);
      if (report.unsafe) process.exitCode = EXIT.UNSAFE;
    });
  return examples(cmd, ['statestore doctor s3://my-state-store', 'statestore doctor --json']);
}
