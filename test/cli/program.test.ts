import type { Command } from 'commander';
import { StateStoreError } from '../../src/errors.js';
import { buildProgram } from '../../src/cli/program.js';
import { CliError, EXIT, exitCodeFor } from '../../src/cli/exit-codes.js';
import { Output, renderTable } from '../../src/cli/output.js';
import { bashCompletion, zshCompletion } from '../../src/cli/completion.js';
import { optionsFromFlags } from '../../src/cli/create.js';

function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

function allCommands(command: Command, path = 'statestore'): Array<{ path: string; command: Command }> {
  return [{ path, command }, ...command.commands.flatMap((sub) => allCommands(sub, `${path} ${sub.name()}`))];
}

describe('the command tree (in process)', () => {
  it("lists examples in every verb's --help", () => {
    const missing = allCommands(buildProgram())
      .filter(({ path }) => !path.endsWith(' help'))
      .filter(({ command }) => !helpOf(command).includes('Examples:\n  $ '));
    expect(missing.map(({ path }) => path)).toEqual([]);
  });

  it('renders tables as kops does: tabwriter tab padding (width 8, padding 1), rows sorted', () => {
    // kops: util/pkg/tables/format.go Render -> tabwriter.Init(out, 0, 8, 1, '\t', ...)
    expect(
      renderTable({
        headers: ['NAME', 'ID'],
        rows: [
          ['zeta', '2'],
          ['a-name-of-16-chr', '1'],
        ],
      }),
    ).toBe('NAME\t\t\tID\na-name-of-16-chr\t1\nzeta\t\t\t2\n');
    // 7 wide: 7 + 1 fits one tab stop; 8 wide: 8 + 1 needs two.
    expect(renderTable({ headers: ['NAME', 'CLOUD'], rows: [['1234567', 'aws']] })).toBe('NAME\tCLOUD\n1234567\taws\n');
    expect(renderTable({ headers: ['NAME', 'CLOUD'], rows: [['12345678', 'aws']] })).toBe(
      'NAME\t\tCLOUD\n12345678\taws\n',
    );
  });

  it('maps library error codes to the documented exit codes', () => {
    expect(exitCodeFor(new StateStoreError('NotFound', 'x'))).toBe(EXIT.NOT_FOUND);
    expect(exitCodeFor(new StateStoreError('ValidationError', 'x'))).toBe(EXIT.VALIDATION);
    expect(exitCodeFor(new StateStoreError('PreconditionFailed', 'x'))).toBe(EXIT.CONFLICT);
    expect(exitCodeFor(new StateStoreError('AlreadyExists', 'x'))).toBe(EXIT.CONFLICT);
    expect(exitCodeFor(new StateStoreError('Unavailable', 'x'))).toBe(EXIT.UNAVAILABLE);
    expect(exitCodeFor(new StateStoreError('Aborted', 'x'))).toBe(EXIT.INTERRUPTED);
    expect(exitCodeFor(new StateStoreError('IntegrityError', 'x'))).toBe(EXIT.ERROR);
    expect(exitCodeFor(new CliError('bad'))).toBe(EXIT.USAGE);
    expect(exitCodeFor(new Error('boom'))).toBe(EXIT.ERROR);
  });

  it('colours only a terminal without NO_COLOR', () => {
    const tty = { isTTY: true, write: () => true } as unknown as NodeJS.WritableStream & { isTTY: boolean };
    expect(new Output({ stderr: tty, env: {} }).color.red('x')).toContain('\u001b[');
    expect(new Output({ stderr: tty, env: { NO_COLOR: '1' } }).color.red('x')).toBe('x');
    expect(new Output({ stderr: { ...tty, isTTY: false } as never, env: {} }).color.red('x')).toBe('x');
  });

  it("maps kops's create cluster flags onto CreateClusterOptions (only the flags given)", () => {
    expect(
      optionsFromFlags('a.example.com', {
        cloud: 'aws',
        zones: ['z1', 'z2'],
        masterSize: ['m5.large'],
        nodeCount: 3,
        vpc: 'vpc-1',
        set: ['spec.x=a,b'],
        bastion: true,
      }),
    ).toEqual({
      clusterName: 'a.example.com',
      cloud: 'aws',
      zones: ['z1', 'z2'],
      controlPlaneSizes: ['m5.large'],
      nodeCount: 3,
      networkID: 'vpc-1',
      sets: ['spec.x=a,b'],
      bastion: true,
    });
  });

  it('generates bash and zsh completion over the whole command tree', () => {
    const program = buildProgram();
    const bash = bashCompletion(program);
    expect(bash).toContain("'get') echo 'clusters cluster instancegroups ig");
    expect(bash).toContain('complete -o default -F _statestore statestore');
    const zsh = zshCompletion(program);
    expect(zsh.startsWith('#compdef statestore\n')).toBe(true);
    expect(zsh).toContain('compdef _statestore statestore');
    expect(zsh).toContain("'move') echo '");
  });
});
