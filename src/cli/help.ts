import { Option, type Command } from 'commander';

/** Adds an "Examples:" block to a command's --help (issue #15: every verb's help lists examples). */
export function examples<T extends Command>(command: T, lines: string[]): T {
  command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`);
  return command;
}

/** kops's `--name` for the cluster a command is about, defaulting to KOPS_CLUSTER_NAME as kops does (kops: cmd/kops/root.go). */
export function clusterFlag<T extends Command>(command: T): T {
  command.addOption(new Option('--name <cluster>', 'the cluster').env('KOPS_CLUSTER_NAME').makeOptionMandatory());
  return command;
}

/** Collects a repeatable flag (`--cluster a --cluster b`) into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Collects a repeatable, comma-separated flag (`--zones a,b --zones c`) into a list, as cobra's StringSlice does. */
export function collectCsv(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ];
}
