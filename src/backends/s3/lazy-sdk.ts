import type { S3Sdk } from './types.js';
import type { WholeBody } from './direct/commands.js';

/**
 * A command built without the SDK: its class's name and input, as `new sdk.XCommand(input)`
 * gives. The direct path sends it as it is (direct/index.ts); a command the SDK must send becomes
 * the SDK's own with {@link sdkCommand}, which loads the SDK then. A rerun of a move whose
 * requests the direct path all serves (the listings) so never loads `@aws-sdk/client-s3`: its
 * import and client are 120-140 ms of CPU (bench/README.md, issue #29), a third of such a rerun.
 */
export class LazyCommand {
  /** Set by {@link readWhole}: the caller reads the answer's body whole (how: direct/commands.ts). */
  wholeBody: WholeBody | undefined = undefined;

  constructor(
    readonly name: string,
    readonly input: Record<string, unknown>,
  ) {}
}

/**
 * Marks a GetObject whose body the caller reads whole at once (a copy's GET before its PUT, a
 * `read`): the direct path then collects a small body instead of streaming it (direct/request.ts
 * SMALL_BODY), of at most `whole.limit` bytes, and hands a body cut while collected over as what
 * came when `whole.keepCut` (the caller resumes it).
 */
export function readWhole<T extends object>(command: T, whole: Partial<WholeBody> = {}): T {
  if (command instanceof LazyCommand)
    command.wholeBody = { limit: whole.limit ?? Infinity, keepCut: whole.keepCut ?? false };
  return command;
}

/**
 * Stands in for the SDK module where commands are built (`new sdk.GetObjectCommand(input)`):
 * each `*Command` class name gives a {@link LazyCommand} class of that name. Only commands: the
 * S3Client and anything else come from the real module.
 */
export function lazyCommands(): S3Sdk {
  const classes = new Map<string, unknown>();
  const get = (_: object, property: string | symbol): unknown => {
    if (typeof property !== 'string' || !property.endsWith('Command')) return undefined;
    const name = property;
    let made = classes.get(name);
    if (made === undefined) {
      made = class extends LazyCommand {
        constructor(input: Record<string, unknown> = {}) {
          super(name, input);
        }
      };
      classes.set(name, made);
    }
    return made;
  };
  return new Proxy({}, { get }) as S3Sdk;
}

/** The SDK's own command for `command` (a LazyCommand), or `command` itself when it is one already. */
export function sdkCommand(sdk: S3Sdk, command: object): object {
  if (!(command instanceof LazyCommand)) return command;
  const Command = sdk[command.name as keyof S3Sdk] as unknown as new (input: Record<string, unknown>) => object;
  return new Command(command.input);
}
