// Shell completion: commands, their flags and the compose file's service names. The script is generated from
// the commander program itself, so a new command or flag is completed without touching this file. Service
// names come from `berth __complete-services` at completion time (the same loader as every command, with the
// -f/-p/--project-directory/--env-file flags typed so far).
import type { Command } from 'commander';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, type GlobalOptions } from '../global.js';

const flagsOf = (c: Command): string[] => c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => !!f)).concat('--help');
const varName = (name: string) => `_berth_flags_${name.replace(/[^a-zA-Z0-9]/g, '_')}`;

/** Global flags that take a value: their value is not a command name. Those naming the project are passed on. */
const PROJECT_FLAGS = ['-f', '--file', '-p', '--project-name', '--project-directory', '--env-file', '--profile'];
const VALUE_FLAGS = ['--progress', '--ansi', '--parallel'];

export function bashScript(program: Command): string {
  const commands = program.commands.filter((c) => !c.name().startsWith('__'));
  const withServices = commands.filter((c) => /^service/i.test(c.registeredArguments[0]?.name() ?? '')).map((c) => c.name());
  const lines = [
    '# berth completion for bash: source <(berth completion bash)',
    `_berth_commands="${commands.map((c) => c.name()).join(' ')}"`,
    `_berth_global_flags="${flagsOf(program).join(' ')}"`,
    `_berth_service_commands="${withServices.join(' ')}"`,
    ...commands.map((c) => `${varName(c.name())}="${flagsOf(c).join(' ')}"`),
    '_berth() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" cmd="" i w skip=0',
    '  local -a project=()',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w="${COMP_WORDS[i]}"',
    '    if ((skip)); then skip=0; continue; fi',
    '    if [[ -n "$cmd" ]]; then continue; fi',
    '    case "$w" in',
    `      ${PROJECT_FLAGS.join('|')}) project+=("$w" "\${COMP_WORDS[i+1]}"); skip=1 ;;`,
    `      ${VALUE_FLAGS.join('|')}) skip=1 ;;`,
    '      -*) ;;',
    '      *) cmd="$w" ;;',
    '    esac',
    '  done',
    '  if [[ -z "$cmd" ]]; then',
    '    if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$_berth_global_flags" -- "$cur"));',
    '    else COMPREPLY=($(compgen -W "$_berth_commands" -- "$cur")); fi',
    '    return 0',
    '  fi',
    '  if [[ "$cur" == -* ]]; then',
    '    local v="_berth_flags_${cmd//[^a-zA-Z0-9]/_}"',
    '    COMPREPLY=($(compgen -W "${!v}" -- "$cur"))',
    '    return 0',
    '  fi',
    '  case " $_berth_service_commands " in',
    '    *" $cmd "*) COMPREPLY=($(compgen -W "$(berth "${project[@]}" __complete-services 2>/dev/null)" -- "$cur")) ;;',
    '    *) COMPREPLY=($(compgen -f -- "$cur")) ;;',
    '  esac',
    '}',
    'complete -F _berth berth',
  ];
  return `${lines.join('\n')}\n`;
}

/** zsh runs the bash function through its bashcompinit layer (one script to keep right, not two). */
export function zshScript(program: Command): string {
  return `#compdef berth\n# berth completion for zsh: source <(berth completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bashScript(program)}`;
}

export async function completionCommand(shell: string, program: Command): Promise<number> {
  if (shell === 'bash') process.stdout.write(bashScript(program));
  else if (shell === 'zsh') process.stdout.write(zshScript(program));
  else throw new BerthError(ErrorCodes.USAGE, `unsupported shell "${shell}": use bash or zsh`);
  return EXIT_OK;
}

export async function servicesForCompletion(o: GlobalOptions): Promise<number> {
  const { loadProject } = await import('../../api/index.js');
  const project = await loadProject(loadOptions(o));
  process.stdout.write(Object.keys(project.services).sort().map((s) => `${s}\n`).join(''));
  return EXIT_OK;
}
