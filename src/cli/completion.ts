import { Command, type Option } from 'commander';
import { contextOf } from './context.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';

/** Every command path ('' for the program, 'get', 'get clusters' ...) with the words that may follow it. */
function commandTable(program: Command): Array<{ path: string; commands: string[]; words: string[] }> {
  const rows: Array<{ path: string; commands: string[]; words: string[] }> = [];
  const flags = (options: readonly Option[]): string[] =>
    options.flatMap((option) => [option.long, option.short]).filter((flag): flag is string => !!flag);
  const visit = (command: Command, path: string, inherited: string[]): void => {
    const names = command.commands.flatMap((sub) => [sub.name(), ...sub.aliases()]);
    const own = [...inherited, ...flags(command.options)];
    rows.push({ path, commands: command.commands.map((sub) => sub.name()), words: [...names, ...own, '--help'] });
    for (const sub of command.commands)
      for (const name of [sub.name(), ...sub.aliases()]) visit(sub, path === '' ? name : `${path} ${name}`, own);
  };
  visit(program, '', []);
  return rows;
}

const quote = (text: string): string => `'${text}'`;

/** A bash completion script: the command path so far picks the words offered. */
export function bashCompletion(program: Command): string {
  const rows = commandTable(program);
  const cases = rows.map((row) => `    ${quote(row.path)}) echo ${quote(row.words.join(' '))} ;;`).join('\n');
  const commands = rows.map((row) => quote(row.path)).join('|');
  return `# statestore bash completion: source <(statestore completion bash)
_statestore_words() {
  case "$1" in
${cases}
  esac
}
_statestore_is_command() {
  case "$1" in
    ${commands}) return 0 ;;
  esac
  return 1
}
_statestore_path() {
  local path="" w
  for w in "$@"; do
    [[ "$w" == -* ]] && continue
    local next="\${path:+$path }$w"
    _statestore_is_command "$next" && path="$next"
  done
  echo "$path"
}
_statestore() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local path
  path="$(_statestore_path "\${COMP_WORDS[@]:1:COMP_CWORD-1}")"
  COMPREPLY=( $(compgen -W "$(_statestore_words "$path")" -- "$cur") )
}
complete -o default -F _statestore statestore
`;
}

/** A zsh completion script over the same table (zsh's own completion system, no bashcompinit). */
export function zshCompletion(program: Command): string {
  const bash = bashCompletion(program)
    .split('\n')
    .filter((line) => !line.startsWith('complete ') && !line.startsWith('_statestore() {'))
    .join('\n');
  const helpers = bash.slice(0, bash.indexOf('  local cur='));
  return `#compdef statestore
# statestore zsh completion: statestore completion zsh > "\${fpath[1]}/_statestore"
${helpers.replace('# statestore bash completion: source <(statestore completion bash)\n', '')}
_statestore() {
  local path
  path="$(_statestore_path "\${(@)words[2,CURRENT-1]}")"
  compadd -- \${=$(_statestore_words "$path")}
}
compdef _statestore statestore
`;
}

/** `completion bash|zsh`: prints the script. */
export function completionCommand(programOf: () => Command): Command {
  const cmd = new Command('completion')
    .argument('<shell>', 'bash or zsh')
    .description('Print a shell completion script')
    .action((shell: string, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      if (shell === 'bash') ctx.out.text(bashCompletion(programOf()));
      else if (shell === 'zsh') ctx.out.text(zshCompletion(programOf()));
      else throw new CliError(`unsupported shell "${shell}" (bash or zsh)`, EXIT.USAGE);
    });
  return examples(cmd, [
    'source <(statestore completion bash)',
    'statestore completion zsh > "${fpath[1]}/_statestore"',
  ]);
}
