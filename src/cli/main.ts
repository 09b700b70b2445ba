// berth's command line: flags spelled as in docker compose. Commands are thin: they turn flags into API
// options and print results; each command's module is loaded only when that command runs.
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { checkEngineSelection, dryRunPrinter, selectDryRun, selectEngine, type EngineSelection } from '../api/engine.js';
import { BerthError, ErrorCodes } from '../model/errors.js';
import { startupMark } from '../model/startup-trace.js';
import { normaliseArgv, UsageError } from './argv.js';
import { applyComposeFlagRules, hiddenFlag } from './compat-flags.js';
import { exitCodeFor, EXIT_OK, reportError } from './exit-codes.js';
import type { GlobalOptions } from './global.js';
import { registerImageCommands } from './image-commands.js';
import { registerRuntimeCommands } from './runtime-commands.js';
import { registerOnlyNamed } from './only-command.js';
import { METADATA_COMMAND, pluginInvocation, pluginMetadata } from './plugin.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A repeatable option whose name starts with --no- but that is a list, not a negation (compose's --no-attach). */
function listOption(flags: string, description: string, attribute: string): Option {
  const o = new Option(flags, description).argParser(collect);
  o.negate = false;
  o.attributeName = () => attribute;
  return o;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export interface BuildProgramOptions {
  /** Resolve the engine flags (context, -H, TLS) before each action, as the CLI does; parse-only tests turn it off. */
  readonly selectEngine?: boolean;
  /** The user's arguments: when they plainly name a command, only it is built (only-command.ts). */
  readonly args?: readonly string[];
}

export function buildProgram(run: (fn: () => Promise<number>) => Promise<void>, options: BuildProgramOptions = {}): Command {
  const program = new Command('berth')
    .description('Define and run multi-container applications with Docker (a drop-in for docker compose)')
    .usage('[OPTIONS] COMMAND')
    .version(`berth version ${packageVersion()}`, '-v, --version', 'Show the berth version information')
    .option('-f, --file <file>', 'Compose configuration files', collect)
    .option('-p, --project-name <name>', 'Project name')
    .option('--project-directory <path>', 'Specify an alternate working directory (default: the path of the, first specified, Compose file)')
    .option('--env-file <path>', 'Specify an alternate environment file', collect)
    .option('--profile <profile>', 'Specify a profile to enable', collect)
    .option('--progress <type>', 'Set type of progress output (auto, tty, plain, json, quiet)')
    .option('--ansi <when>', 'Control when to print ANSI control characters ("never"|"always"|"auto")', 'auto')
    .option('--parallel <n>', 'Control max parallelism, -1 for unlimited')
    .option('--dry-run', 'Execute command in dry run mode')
    // engine selection, as the docker CLI's globals (compose accepts them too; the --tls* ones hidden)
    .option('-c, --context <name>', 'Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "docker context use")')
    .option('-H, --host <host>', 'Daemon socket to connect to')
    .addOption(new Option('--tls', 'Use TLS; implied by --tlsverify').hideHelp())
    .addOption(new Option('--tlsverify', 'Use TLS and verify the remote').hideHelp())
    .addOption(new Option('--tlscacert <file>', 'Trust certs signed only by this CA').hideHelp())
    .addOption(new Option('--tlscert <file>', 'Path to TLS certificate file').hideHelp())
    .addOption(new Option('--tlskey <file>', 'Path to TLS key file').hideHelp())
    .option('--compatibility', 'Run compose in backward compatibility mode')
    // compose's hidden and deprecated root flags (and the standalone docker-compose's --verbose, --log-level, -D)
    .addOption(hiddenFlag('--no-ansi', 'noAnsi'))
    .addOption(hiddenFlag('--workdir <path>', 'workdir'))
    .addOption(hiddenFlag('--verbose', 'verbose'))
    .addOption(hiddenFlag('--log-level <level>', 'logLevel'))
    .addOption(hiddenFlag('-D, --debug', 'debug'))
    .enablePositionalOptions()
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride();
  const registeredAll = options.args ? registerOnlyNamed(program, options.args) : undefined;

  // commander has no per-command option types; each command module declares the flags it reads
  const globals = (cmd: Command): any => cmd.optsWithGlobals() as GlobalOptions;

  program
    .command('up')
    .description('Create and start containers')
    .argument('[services...]', 'services to start (and their dependencies)')
    .option('-d, --detach', 'Detached mode: Run containers in the background')
    .option('--wait', 'Wait for services to be running|healthy. Implies detached mode.')
    .option('--wait-timeout <seconds>', 'Maximum duration to wait for the project to be running|healthy')
    .option('--force-recreate', "Recreate containers even if their configuration and image haven't changed")
    .option('--no-recreate', "If containers already exist, don't recreate them. Incompatible with --force-recreate.")
    .option('--always-recreate-deps', 'Recreate dependent containers. Incompatible with --no-recreate.')
    .option('-V, --renew-anon-volumes', 'Recreate anonymous volumes instead of retrieving data from the previous containers')
    .option('--scale <SERVICE=NUM>', 'Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.', collect)
    .option('--no-deps', "Don't start linked services")
    .option('--no-start', "Don't start the services after creating them")
    .option('--remove-orphans', 'Remove containers for services not defined in the Compose file')
    .option('-t, --timeout <seconds>', 'Use this timeout in seconds for container shutdown when containers are already running')
    .option('--build', 'Build images before starting containers')
    .option('--no-build', "Don't build an image, even if it's policy")
    .option('--pull <policy>', 'Pull image before running ("always"|"missing"|"never"|"build")')
    .option('--quiet-pull', 'Pull without printing progress information')
    .option('--quiet-build', 'Suppress the build output')
    // (berth's up asks no question; the newer compose's flag is accepted so that scripts written for it run)
    .option('-y, --yes', 'Assume "yes" as answer to all prompts and run non-interactively')
    .option('--abort-on-container-exit', 'Stops all containers if any container was stopped. Incompatible with -d')
    .option('--abort-on-container-failure', 'Stops all containers if any container exited with failure. Incompatible with -d')
    .option('--exit-code-from <service>', 'Return the exit code of the selected service container. Implies --abort-on-container-exit')
    .option('--attach <service>', 'Restrict attaching to the specified services. Incompatible with --attach-dependencies.', collect)
    .addOption(listOption('--no-attach <service>', 'Do not attach (stream logs) to the specified services', 'noAttach'))
    .option('--attach-dependencies', 'Automatically attach to log output of dependent services')
    .option('--timestamps', 'Show timestamps')
    .option('--no-color', 'Produce monochrome output')
    .option('--no-log-prefix', "Don't print prefix in logs")
    .option('-w, --watch', 'Watch source code and rebuild/refresh containers when files are updated.')
    .addOption(hiddenFlag('--menu', 'menu'))
    .action((services: string[], _o, cmd: Command) => run(async () => (await import('./commands/up.js')).upCommand(services, globals(cmd))));

  program
    .command('watch')
    .description('Watch build context for service and rebuild/refresh containers when files are updated')
    .argument('[services...]', 'only these services\' watch rules')
    .option('--no-up', 'Do not build & start services before watching')
    .option('--quiet', 'hide build output')
    .option('--prune', 'Prune dangling images on rebuild (default true)')
    .option('--no-prune', 'Keep the image a rebuild replaced')
    .action((services: string[], _o, cmd: Command) => run(async () => (await import('./commands/watch.js')).watchCommand(services, globals(cmd))));

  program
    .command('dashboard')
    .description('Serve a live dashboard of the project on 127.0.0.1 (with a per-run token) until Ctrl-C')
    .option('--port <port>', 'Port to listen on (default: a free one)')
    .option('--open', 'Open the dashboard in the default browser')
    .action((_o, cmd: Command) => run(async () => (await import('./commands/dashboard.js')).dashboardCommand(globals(cmd))));

  program
    .command('down')
    .description('Stop and remove containers, networks')
    .argument('[services...]', 'only these services (and the services that depend on them)')
    .option('-v, --volumes', 'Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers')
    .option('--remove-orphans', 'Remove containers for services not defined in the Compose file')
    .option('-t, --timeout <seconds>', 'Specify a shutdown timeout in seconds')
    .option('--session <id>', 'Remove what a berth API session created (its crash leftovers), across projects')
    .option('--rmi <type>', 'Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")')
    .addOption(hiddenFlag('--volume', 'volumes'))
    .action((services: string[], _o, cmd: Command) => run(async () => (await import('./commands/down.js')).downCommand(globals(cmd), services)));

  program
    .command('ps')
    .description('List containers')
    .argument('[services...]', 'only these services')
    .option('-a, --all', 'Show all stopped containers (including those created by the run command)')
    .option('-q, --quiet', 'Only display IDs')
    .option('--services', 'Display services')
    .addOption(new Option('--format <format>', 'Format output using a custom template: table or json').default('table'))
    .option('--status <status>', 'Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]', collect)
    .option('--filter <filter>', 'Filter services by a property (supported filters: status)')
    .option('--no-trunc', "Don't truncate output")
    .addOption(new Option('--orphans', 'Include orphaned services (not declared by project)').default(true))
    // compose spells the negation --orphans=false; --no-orphans is berth's equivalent
    .addOption(new Option('--no-orphans', 'Exclude orphaned services').hideHelp())
    .action((services: string[], _o, cmd: Command) => run(async () => (await import('./commands/ps.js')).psCommand(services, globals(cmd))));

  program
    .command('config')
    .description('Parse, resolve and render compose file in canonical format')
    .argument('[services...]', 'only these services')
    .addOption(new Option('--format <format>', 'Format the output. Values: [yaml | json]').default('yaml'))
    .option('-q, --quiet', 'Only validate the configuration, don\'t print anything')
    .option('--services', 'Print the service names, one per line')
    .option('--volumes', 'Print the volume names, one per line')
    .option('--networks', 'Print the network names, one per line')
    .option('--images', 'Print the image names, one per line')
    .option('--profiles', 'Print the profile names, one per line')
    .option('--no-interpolate', "Don't interpolate environment variables")
    .option('--no-env-resolution', "Don't resolve service env files")
    .option('--no-normalize', "Don't normalize compose model")
    .option('--no-path-resolution', "Don't resolve file paths")
    .option('--no-consistency', "Don't check model consistency - warning: may produce invalid Compose output")
    .option('--resolve-image-digests', 'Pin image tags to digests')
    .option('--hash <services>', 'Print the service config hash, one per line')
    .option('--models', 'Print the model names, one per line')
    .option('--variables', 'Print model variables and default values')
    .option('--environment', 'Print environment used for interpolation')
    .option('-o, --output <path>', 'Save to file (default to stdout)')
    .action((services: string[], _o, cmd: Command) => run(async () => (await import('./commands/config.js')).configCommand(services, globals(cmd))));

  program
    .command('version')
    .description('Show the berth version information')
    .addOption(new Option('-f, --format <format>', 'Format the output. Values: [pretty | json]').default('pretty'))
    .option('--short', 'Shows only the version number')
    .action((_o, cmd: Command) =>
      run(async () => {
        const o = cmd.opts() as { format: string; short?: boolean };
        const v = packageVersion();
        process.stdout.write(o.short ? `${v}\n` : o.format === 'json' ? `${JSON.stringify({ version: v })}\n` : `berth version ${v}\n`);
        return EXIT_OK;
      }),
    );

  // ---- docker stack: deploy a compose file to a Swarm (commands/stack.ts)
  const stack = program.command('stack').description('Manage Swarm stacks').option('-H, --host <host>', 'Daemon socket to connect to (default $DOCKER_HOST)');
  const stackCmd = (name: string) => stack.command(name);
  stackCmd('deploy')
    .alias('up')
    .description('Deploy a new stack or update an existing stack')
    .argument('<stack>', 'stack name')
    .option('-c, --compose-file <file>', 'Path to a Compose file, or "-" to read from stdin', collect)
    .option('--prune', 'Prune services that are no longer referenced')
    .option('--resolve-image <when>', 'Query the registry to resolve image digest and supported platforms ("always", "changed", "never")', 'always')
    .option('--with-registry-auth', 'Send registry authentication details to Swarm agents')
    .option('-d, --detach [bool]', 'Exit immediately instead of waiting for the stack services to converge', (v) => v !== 'false', true)
    .option('-q, --quiet', 'Suppress progress output')
    .option('--dry-run', 'Print the plan (what would be created, updated, removed, and why) without changing anything')
    .action((name: string, _o, cmd: Command) => run(async () => (await import('./commands/stack.js')).stackDeployCommand(name, globals(cmd))));
  stackCmd('ls')
    .alias('list')
    .description('List stacks')
    .option('--format <format>', 'Format output: table or json')
    .action((_o, cmd: Command) => run(async () => (await import('./commands/stack.js')).stackLsCommand(globals(cmd))));
  stackCmd('ps')
    .description('List the tasks in the stack')
    .argument('<stack>', 'stack name')
    .option('-q, --quiet', 'Only display task IDs')
    .option('--format <format>', 'Format output: table or json')
    .action((name: string, _o, cmd: Command) => run(async () => (await import('./commands/stack.js')).stackPsCommand(name, globals(cmd))));
  stackCmd('services')
    .description('List the services in the stack')
    .argument('<stack>', 'stack name')
    .option('-q, --quiet', 'Only display IDs')
    .option('--format <format>', 'Format output: table or json')
    .action((name: string, _o, cmd: Command) => run(async () => (await import('./commands/stack.js')).stackServicesCommand(name, globals(cmd))));
  stackCmd('rm')
    .aliases(['remove', 'down'])
    .description('Remove one or more stacks')
    .argument('<stacks...>', 'stack names')
    .action((names: string[], _o, cmd: Command) => run(async () => (await import('./commands/stack.js')).stackRmCommand(names, globals(cmd))));
  stackCmd('config')
    .description('Outputs the final config file, after doing merges and interpolations')
    .option('-c, --compose-file <file>', 'Path to a Compose file', collect)
    .option('--skip-interpolation', 'Skip interpolation and output only merged config')
    .action((_o, cmd: Command) => run(async () => (await import('./commands/stack.js')).stackConfigCommand(globals(cmd))));

  registerRuntimeCommands(program, run);
  registerImageCommands(program, run);
  registeredAll?.();
  if (options.selectEngine !== false) {
    program.hook('preAction', async (_root, action) => {
      selectEngineFromFlags(program.opts());
      await selectDryRunFromFlags(action);
      await checkEngineSelection();
    });
  }
  // compose's --dry-run is a persistent flag: `up --dry-run` works as `--dry-run up` does (its other global
  // flags are not: `ps -p x` is an error there too)
  for (const cmd of program.commands) {
    if (!cmd.options.some((o) => o.long === '--dry-run')) cmd.option('--dry-run', 'Execute command in dry run mode');
  }
  return program;
}

/**
 * --dry-run (global, or the command's own): every engine the command gets is a dry run, whose recorded writes
 * are printed on stdout as the plan's lines, the command (and its flag that changes the engine) as their cause.
 */
async function selectDryRunFromFlags(action: Command): Promise<void> {
  const o = action.optsWithGlobals() as { dryRun?: boolean; downProject?: boolean };
  if (!o.dryRun) return selectDryRun(undefined);
  const path = action.parent && action.parent.parent ? `${action.parent.name()} ${action.name()}` : action.name();
  const cause = o.downProject ? `${path} --down-project` : path;
  selectDryRun(await dryRunPrinter(cause, (line) => void process.stdout.write(line)));
}

/** The global engine flags, and those the docker CLI passed to berth as its plugin, as the engine default. */
let pluginSelection: EngineSelection = {};
function selectEngineFromFlags(o: { context?: string; host?: string; tls?: boolean; tlsverify?: boolean; tlscacert?: string; tlscert?: string; tlskey?: string }): void {
  const flags: EngineSelection = Object.fromEntries(
    Object.entries({ context: o.context, host: o.host, tls: o.tls, tlsVerify: o.tlsverify, tlsCaCert: o.tlscacert, tlsCert: o.tlscert, tlsKey: o.tlskey }).filter(([, v]) => v !== undefined),
  );
  const selection = { ...pluginSelection, ...flags };
  if (selection.context && selection.host) throw new BerthError(ErrorCodes.USAGE, 'conflicting options: cannot specify both --host and --context');
  selectEngine(selection);
}

/**
 * Parse `args` (the user's, without node and script) as compose would and run the command's action. compose's
 * (pflag's) spellings become commander's first; what compose refuses throws UsageError, worded as compose
 * words it.
 */
// process.stderr is made on first use (for a pipe: a socket and its handle, ~1 ms of start-up); a command line
// that warns about nothing never makes it here
const stderrOnUse: Pick<NodeJS.WriteStream, 'write'> = { write: (chunk: string | Uint8Array) => process.stderr.write(chunk) };

export async function parseCommandLine(program: Command, args: readonly string[], env: NodeJS.ProcessEnv = process.env, stderr: Pick<NodeJS.WriteStream, 'write'> = stderrOnUse): Promise<Command> {
  const parsed = normaliseArgv(program, args);
  if (parsed.stdout) process.stdout.write(parsed.stdout);
  let action: Command = program;
  program.hook('preAction', (_root, actionCommand) => {
    action = actionCommand;
    startupMark('argv parsed');
    for (const [cmd, values] of parsed.overrides) for (const [key, value] of Object.entries(values)) cmd.setOptionValueWithSource(key, value, 'cli');
    applyComposeFlagRules(program, actionCommand, parsed.changed, env, stderr);
  });
  await program.parseAsync(parsed.argv, { from: 'user' });
  return action;
}

export async function main(argv: readonly string[]): Promise<number> {
  // run by the docker CLI as its "compose" plugin: answer its metadata query, or take its global flags
  if (argv[2] === METADATA_COMMAND) {
    process.stdout.write(pluginMetadata(packageVersion()));
    return EXIT_OK;
  }
  const plugin = pluginInvocation(argv.slice(2), process.env);
  pluginSelection = plugin?.selection ?? {};
  if (plugin) {
    argv = [...argv.slice(0, 2), ...plugin.args];
    // --config: where the docker CLI keeps config.json and contexts; every later read (contexts, registry
    // credentials) follows DOCKER_CONFIG, as it follows the docker CLI's --config
    if (plugin.configDir !== undefined) process.env.DOCKER_CONFIG = plugin.configDir;
  }
  let code = EXIT_OK;
  const run = async (fn: () => Promise<number>) => {
    try {
      code = await fn();
    } catch (err) {
      await reportError(err, (program.opts() as { ansi?: string }).ansi);
      code = exitCodeFor(err);
    }
  };
  const program = buildProgram(run, { args: argv.slice(2) });
  startupMark('program built');
  if (plugin) program.name('docker compose');
  try {
    await parseCommandLine(program, argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.stdout) process.stdout.write(err.stdout);
      process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof CommanderError) {
      // help and version print and succeed; usage errors were already printed by commander
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT_OK : 1;
    }
    await reportError(err, (program.opts() as { ansi?: string }).ansi);
    return exitCodeFor(err);
  }
  return code;
}
