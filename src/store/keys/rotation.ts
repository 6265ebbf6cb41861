import { StateStoreError } from '../../errors.js';
import { isRotatableKeysetName } from '../names.js';
import { createKeypair, distrustKeypairs, promoteKeypair, type KeyStoreContext } from './keypairs.js';
import { listKeysets, readKeyset } from './keysets.js';
import { NEXT_STEP, rotationStage, type RotationStage } from './pki-report.js';

/**
 * One step of kops's keypair rotation (kops: docs/operations/rotate-secrets.md "Rotating
 * keypairs"), over the keypair primitives, for one keyset or every rotatable one. Every keyset is
 * checked before anything is written: a step out of order is refused (PreconditionFailed) with the
 * next correct step in the message, and nothing changes.
 */

export type RotationStep = 'create' | 'promote' | 'distrust';

/** What a step did to one keyset. */
export interface RotationStepResult {
  /** The keyset the step was performed on. */
  keyset: string;
  /** The step performed. */
  step: RotationStep;
  /** The keypair created or promoted, or the keypairs distrusted. */
  ids: string[];
  /** The keyset file's new version. */
  version: string;
  /** The stage the keyset is in now. */
  stage: RotationStage;
}

/** The stage a step needs and the stage it leaves. */
const REQUIRES: Record<RotationStep, RotationStage> = { create: 'idle', promote: 'created', distrust: 'promoted' };
const LEAVES: Record<RotationStep, RotationStage> = { create: 'created', promote: 'promoted', distrust: 'idle' };

function refusal(name: string, stage: RotationStage, step: RotationStep): string | undefined {
  if (stage === REQUIRES[step]) return undefined;
  const next = NEXT_STEP[stage];
  const why: Record<RotationStage, string> = {
    idle: 'no rotation is in progress (one trusted keypair)',
    created: 'a new keypair is staged but not yet primary',
    promoted: 'the new keypair is primary but older keypairs are still trusted',
    'no-primary': 'it has no trusted primary keypair with a private key',
  };
  return `keyset "${name}": cannot ${step}: ${why[stage]}; ${next === undefined ? 'fix the keyset first' : `the next step is ${next}`}`;
}

/** The keysets `--keyset all` means: kops's rotatable ones (cmd/kops/create_keypair.go rotatableKeysetFilter). */
export async function rotatableKeysets(context: KeyStoreContext): Promise<string[]> {
  const names = await listKeysets(context.location, 'private', context.signal);
  return names.filter(isRotatableKeysetName).sort();
}

/**
 * Performs `step` on each keyset in `names` after checking every one is at the stage the step
 * needs. The keysets are then written one by one (each conditionally): if a write fails, the
 * keysets before it have taken the step and the others have not; `pkiReport` shows which, and the
 * step can be finished per keyset.
 */
export async function rotateKeysets(
  context: KeyStoreContext,
  names: readonly string[],
  step: RotationStep,
): Promise<RotationStepResult[]> {
  if (!(step in REQUIRES))
    throw new StateStoreError(
      'InvalidArgument',
      `step must be create, promote or distrust, not ${JSON.stringify(step)}`,
    );
  if (names.length === 0) throw new StateStoreError('NotFound', 'no rotatable keyset to rotate');
  const plans = await Promise.all(
    names.map(async (name) => ({
      name,
      ...rotationStage(await readKeyset(context.location, name, 'private', context)),
    })),
  );
  const refusals = plans.map((plan) => refusal(plan.name, plan.stage, step)).filter((text) => text !== undefined);
  if (refusals.length > 0) throw new StateStoreError('PreconditionFailed', refusals.join('\n'));
  const results: RotationStepResult[] = [];
  for (const plan of plans) {
    const done =
      step === 'create'
        ? await createKeypair(context, plan.name).then((r) => ({ ids: [r.id], version: r.version }))
        : step === 'promote'
          ? await promoteKeypair(context, plan.name, plan.pendingIds[0]).then((r) => ({
              ids: [r.id],
              version: r.version,
            }))
          : await distrustKeypairs(context, plan.name, plan.pendingIds);
    results.push({ keyset: plan.name, step, ids: done.ids, version: done.version, stage: LEAVES[step] });
  }
  return results;
}
