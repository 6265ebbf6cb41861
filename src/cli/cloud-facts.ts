/**
 * `--cloud-facts FILE` (`validate`, `create cluster`): what EC2 would answer about machine types
 * and images, so that kops's rules asking it (aws.go) run, and `create cluster` picks images and
 * sizes by the same answers.
 */
import { isStateStoreError, parseYamlAll, type CloudFacts } from '../index.js';
import { CliError, EXIT } from './exit-codes.js';
import { readInput } from './input.js';

/** The flag's help, one text for every verb that has it. */
export const CLOUD_FACTS_HELP =
  "machine types and images as the cloud describes them (JSON or YAML, CloudFacts' machineTypes, images): kops's rules asking EC2 run with them";

/** The facts the file describes. */
export type FileCloudFacts = Pick<CloudFacts, 'machineTypes' | 'images'>;

/**
 * `--cloud-facts FILE`: a map with `machineTypes` and `images` as `CloudFacts` spells them. Other
 * keys are ignored (and not passed on): only these two are checked.
 */
export async function readCloudFacts(file: string | undefined): Promise<FileCloudFacts | undefined> {
  if (file === undefined) return undefined;
  const text = await readInput(file);
  let value: unknown;
  try {
    value = parseYamlAll(text)[0];
  } catch (err) {
    if (!isStateStoreError(err)) throw err;
    throw new CliError(`--cloud-facts ${file}: ${err.message}`, EXIT.USAGE);
  }
  const problem = cloudFactsProblem(value);
  if (problem !== undefined) throw new CliError(`--cloud-facts ${file}: ${problem}`, EXIT.USAGE);
  const { machineTypes, images } = value as FileCloudFacts;
  return { ...(machineTypes === undefined ? {} : { machineTypes }), ...(images === undefined ? {} : { images }) };
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function cloudFactsProblem(value: unknown): string | undefined {
  if (!isMap(value)) return 'must be a map with machineTypes and images';
  const types = value.machineTypes ?? {};
  if (!isMap(types)) return 'machineTypes must be a map of machine type to { architectures, gpu }';
  for (const [type, info] of Object.entries(types)) {
    const ok =
      isMap(info) &&
      Array.isArray(info.architectures) &&
      info.architectures.every((a) => typeof a === 'string') &&
      (info.gpu === undefined || typeof info.gpu === 'boolean');
    if (!ok) return `machineTypes.${type} must be { architectures: [strings], gpu?: boolean }`;
  }
  const images = value.images ?? {};
  if (!isMap(images)) return 'images must be a map of image to { architecture }';
  for (const [image, info] of Object.entries(images))
    if (!isMap(info) || typeof info.architecture !== 'string')
      return `images.${image} must be { architecture: string }`;
  return undefined;
}
