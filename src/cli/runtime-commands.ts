// Registration of the runtime commands (logs, exec, run, lifecycle, inspection). Each command's module is
// loaded only when it runs, as in main.ts.
import { Command, Option } from 'commander';
import { hiddenFlag } from './compat-flags.js';
import type { GlobalOptions } from './global.js';

type Run = (fn: () => Promise<number>) => Promise<void>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerRuntimeCommands(program: Command, run: Run): void {
  const globals = (cmd: Command): any => cmd.optsWithGlobals() as GlobalOptions;

  program
    .command('logs')
    .description('View output from containers')
    .argument('[services...]', 'only these services')
    .option('-f, --follow', 'Follow log output')
    .option('-n, --tail <n>', 'Number of lines to show from the end of the logs for each container', 'all')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--since <time>', 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)')
    .option('--until <time>', 'Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)')
    .option('--no-color', 'Produce monochrome output')
    .option('--no-log-prefix', "Don't print prefix in logs")
    .option('--index <n>', 'index of the container if service has multiple replicas')
    .action((services: string[], _o, cmd: Command) => run(async () => (await import('./commands/logs.js')).logsCommand(services, globals(cmd))));

  const life = async () => import('./commands/lifecycle.js');
  program
    .command('start')
    .description('Start services')
    .argument('[services...]')
    .option('--wait', 'Wait for services to be running|healthy. Implies detached mode.')
    .option('--wait-timeout <seconds>', 'Maximum duration in seconds to wait for the project to be running|healthy')
    .action((services: string[], _o, cmd: Command) => run(async () => (await life()).lifecycleCommand('start', services, globals(cmd))));
  program
    .command('stop')
    .description('Stop services')
    .argument('[services...]')
    .option('-t, --timeout <seconds>', 'Specify a shutdown timeout in seconds')
    .action((services: string[], _o, cmd: Command) => run(async () => (await life()).lifecycleCommand('stop', services, globals(cmd))));
  program
    .command('restart')
    .description('Restart service containers')
    .argument('[services...]')
    .option('--no-deps', "Don't restart dependent services")
    .option('-t, --timeout <seconds>', 'Specify a shutdown timeout in seconds')
    .action((services: string[], _o, cmd: Command) => run(async () => (await life()).lifecycleCommand('restart', services, globals(cmd))));
  program
    .command('kill')
    .description('Force stop service containers')
    .argument('[services...]')
    .option('-s, --signal <signal>', 'SIGNAL to send to the container', 'SIGKILL')
    .option('--remove-orphans', 'Remove containers for services not defined in the Compose file')
    .action((services: string[], _o, cmd: Command) => run(async () => (await life()).lifecycleCommand('kill', services, globals(cmd))));
  program
    .command('pause')
    .description('Pause services')
    .argument('[services...]')
    .action((services: string[], _o, cmd: Command) => run(async () => (await life()).lifecycleCommand('pause', services, globals(cmd))));
  program
    .command('unpause')
    .description('Unpause services')
    .argument('[services...]')
    .action((services: string[], _o, cmd: Command) => run(async () => (await life()).lifecycleCommand('unpause', services, globals(cmd))));
  program
    .command('rm')
    .description('Removes stopped service containers')
    .argument('[services...]')
    .option('-f, --force', "Don't ask to confirm removal")
    .option('-s, --stop', 'Stop the containers, if required, before removing')
    .option('-v, --volumes', 'Remove any anonymous volumes attached to containers')
    // compose: "Deprecated - no effect"
    .addOption(hiddenFlag('-a, --all', 'all'))
    .action((services: string[], _o, cmd: Command) => run(async () => (await life()).rmCommand(services, globals(cmd))));
  program
    .command('wait')
    .description('Block until the first service container stops')
    .usage('SERVICE [SERVICE...] [OPTIONS]')
    .argument('<services...>')
    .option('--down-project', 'Drops project when the first container stops')
    .action((services: string[], _o, cmd: Command) => run(async () => (await life()).waitCommand(services, globals(cmd))));

  const procs = async () => import('./commands/exec.js');
  program
    .command('exec')
    .description('Execute a command in a running container')
    .argument('<service>')
    .argument('<command...>')
    .option('-d, --detach', 'Detached mode: Run command in the background')
    .option('-e, --env <KEY=VAL>', 'Set environment variables', collect)
    .option('--index <n>', 'Index of the container if service has multiple replicas')
    .option('--privileged', 'Give extended privileges to the process')
    .option('-u, --user <user>', 'Run the command as this user')
    .option('-w, --workdir <dir>', 'Path to workdir directory for this command')
    .option('-T, --no-TTY', 'Disable pseudo-TTY allocation. By default a TTY is allocated when berth runs in a terminal')
    // compose's hidden -i (default true: -i=false gives the process no stdin) and -t (no effect there either)
    .addOption(hiddenFlag('-i, --interactive', 'interactive'))
    .addOption(hiddenFlag('-t, --tty', 'tty'))
    // everything after the service belongs to the command (`exec web ls -la`), as in compose
    .passThroughOptions()
    .action((service: string, cmd: string[], _o, c: Command) => run(async () => (await procs()).execCommand(service, cmd, globals(c))));
  program
    .command('run')
    .description('Run a one-off command on a service')
    .argument('<service>')
    .argument('[command...]')
    .option('-d, --detach', 'Run container in background and print container ID')
    .option('--rm', 'Automatically remove the container when it exits')
    .option('--entrypoint <cmd>', 'Override the entrypoint of the image')
    .option('-e, --env <KEY=VAL>', 'Set environment variables', collect)
    .option('--env-from-file <file>', 'Set environment variables from file', collect)
    .option('-l, --label <KEY=VAL>', 'Add or override a label', collect)
    .option('--name <name>', 'Assign a name to the container')
    .option('--no-deps', "Don't start linked services")
    .option('-P, --service-ports', "Run command with all service's ports enabled and mapped to the host")
    .option('-p, --publish <port>', "Publish a container's port(s) to the host", collect)
    .option('-v, --volume <volume>', 'Bind mount a volume', collect)
    .option('-w, --workdir <dir>', 'Working directory inside the container')
    .option('-u, --user <user>', 'Run as specified username or uid')
    .option('-T, --no-TTY', 'Disable pseudo-TTY allocation (default: auto-detected)')
    .option('-i, --interactive', 'Keep STDIN open even if not attached (default true)')
    .option('--use-aliases', "Use the service's network useAliases in the network(s) the container connects to")
    .option('--build', 'Build image before starting container')
    .option('--pull <policy>', 'Pull image before running ("always"|"missing"|"never")')
    .option('--quiet-pull', 'Pull without printing progress information')
    .option('--quiet-build', 'Suppress progress output from the build process')
    .option('-q, --quiet', "Don't print anything to STDOUT")
    .option('--remove-orphans', 'Remove containers for services not defined in the Compose file')
    .option('--cap-add <cap>', 'Add Linux capabilities', collect)
    .option('--cap-drop <cap>', 'Drop Linux capabilities', collect)
    .addOption(hiddenFlag('-t, --tty', 'tty'))
    // compose normalises these spellings to --volume and --label
    .addOption(hiddenFlag('--volumes <volume>', 'volume').argParser(collect))
    .addOption(hiddenFlag('--labels <KEY=VAL>', 'label').argParser(collect))
    .passThroughOptions()
    .action((service: string, cmd: string[], _o, c: Command) => run(async () => (await procs()).runCommand(service, cmd, globals(c))));

  program
    .command('create')
    .description('Creates containers for a service')
    .argument('[services...]')
    .option('--build', 'Build images before starting containers')
    .option('--no-build', "Don't build an image, even if it's policy")
    .option('--force-recreate', "Recreate containers even if their configuration and image haven't changed")
    .option('--no-recreate', "If containers already exist, don't recreate them. Incompatible with --force-recreate.")
    .option('--pull <policy>', 'Pull image before running ("always"|"missing"|"never"|"build")')
    .option('--quiet-pull', 'Pull without printing progress information')
    .option('--remove-orphans', 'Remove containers for services not defined in the Compose file')
    // (create asks no question; the newer compose's flag is accepted so that scripts written for it run)
    .option('-y, --yes', 'Assume "yes" as answer to all prompts and run non-interactively')
    .option('--scale <SERVICE=NUM>', 'Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.', collect)
    // create is `up --no-start -d`: one code path (the API's up with noStart)
    .action((services: string[], _o, c: Command) =>
      run(async () => {
        const o = globals(c);
        return (await import('./commands/up.js')).upCommand(services, { ...o, pull: o.pull === 'policy' ? undefined : o.pull, detach: true, start: false });
      }),
    );

  const insp = async () => import('./commands/inspect.js');
  program
    .command('top')
    .description('Display the running processes')
    .argument('[services...]')
    .action((services: string[], _o, c: Command) => run(async () => (await insp()).topCommand(services, globals(c))));
  program
    .command('port')
    .description('Print the public port for a port binding')
    .argument('<service>')
    .argument('<private_port>')
    .option('--index <n>', 'Index of the container if service has multiple replicas')
    .addOption(new Option('--protocol <protocol>', 'tcp or udp').default('tcp'))
    .action((service: string, privatePort: string, _o, c: Command) => run(async () => (await insp()).portCommand(service, privatePort, globals(c))));
  program
    .command('images')
    .description('List images used by the created containers')
    .argument('[services...]')
    .addOption(new Option('--format <format>', 'Format the output. Values: [table | json]').default('table'))
    .option('-q, --quiet', 'Only display IDs')
    .action((services: string[], _o, c: Command) => run(async () => (await insp()).imagesCommand(services, globals(c))));
  program
    .command('ls')
    .description('List running compose projects')
    .option('-a, --all', 'Show all stopped Compose projects')
    .option('--filter <filter>', 'Filter output based on conditions provided (name=<text>)', collect)
    .addOption(new Option('--format <format>', 'Format the output. Values: [table | json]').default('table'))
    .option('-q, --quiet', 'Only display IDs')
    .action((_o, c: Command) => run(async () => (await insp()).lsCommand(globals(c))));
  program
    .command('stats')
    .description('Display a live stream of container(s) resource usage statistics')
    .argument('[services...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .addOption(new Option('--format <format>', 'Format the output. Values: [table | json]').default('table'))
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--no-trunc', 'Do not truncate output')
    .action((services: string[], _o, c: Command) => run(async () => (await insp()).statsCommand(services, globals(c))));
  program
    .command('events')
    .description('Receive real time events from containers')
    .argument('[services...]')
    .option('--json', 'Output events as a stream of json objects')
    .option('--since <time>', 'Show all events created since timestamp')
    .option('--until <time>', 'Stream events until this timestamp')
    .action((services: string[], _o, c: Command) => run(async () => (await insp()).eventsCommand(services, globals(c))));
  program
    .command('cp')
    .description('Copy files/folders between a service container and the local filesystem')
    .usage('[OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n       berth cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH')
    .argument('<source>')
    .argument('<destination>')
    .option('--index <n>', 'Index of the container if service has multiple replicas')
    .option('--all', 'Include containers created by the run command (copy to every container of the service)')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
    .action((src: string, dest: string, _o, c: Command) => run(async () => (await insp()).cpCommand(src, dest, globals(c))));
  program
    .command('attach')
    .description("Attach local standard input, output, and error streams to a service's running container")
    .argument('<service>')
    .option('--index <n>', 'index of the container if service has multiple replicas')
    .option('--no-stdin', 'Do not attach STDIN')
    .addOption(new Option('--sig-proxy', 'Proxy all received signals to the process').default(true))
    // compose spells the negation --sig-proxy=false; --no-sig-proxy is berth's equivalent
    .addOption(new Option('--no-sig-proxy', 'Do not proxy signals to the process').hideHelp())
    .option('--detach-keys <keys>', 'Override the key sequence for detaching from a container.')
    .action((service: string, _o, c: Command) => run(async () => (await insp()).attachCommand(service, globals(c))));
  program
    .command('scale')
    .description('Scale services')
    .argument('<SERVICE=REPLICAS...>')
    .option('--no-deps', "Don't start linked services")
    .action((specs: string[], _o, c: Command) => run(async () => (await insp()).scaleCommand(specs, globals(c))));
  const snap = async () => import('./commands/export-commit.js');
  program
    .command('export')
    .description("Export a service container's filesystem as a tar archive")
    .argument('<service>')
    .option('--index <n>', 'index of the container if service has multiple replicas.')
    .option('-o, --output <file>', 'Write to a file, instead of STDOUT')
    .action((service: string, _o, c: Command) => run(async () => (await snap()).exportCommand(service, globals(c))));
  program
    .command('commit')
    .description("Create a new image from a service container's changes")
    .argument('<service>')
    .argument('[reference]', 'REPOSITORY[:TAG]')
    .option('--index <n>', 'index of the container if service has multiple replicas.')
    .addOption(new Option('-p, --pause', 'Pause container during commit').default(true))
    // compose spells the negation --pause=false; --no-pause is berth's equivalent
    .addOption(new Option('--no-pause', 'Do not pause the container during commit').hideHelp())
    .option('-m, --message <message>', 'Commit message')
    .option('-a, --author <author>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <instruction>', 'Apply Dockerfile instruction to the created image', collect)
    .action((service: string, reference: string | undefined, _o, c: Command) => run(async () => (await snap()).commitCommand(service, reference, globals(c))));
  program
    .command('volumes')
    .description('List volumes')
    .argument('[services...]')
    .option('-q, --quiet', 'Only display volume names')
    .addOption(new Option('--format <format>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or 'TEMPLATE'").default('table'))
    .action((services: string[], _o, c: Command) => run(async () => (await snap()).volumesCommand(services, globals(c))));
  program
    .command('completion')
    .description('Print a shell completion script (bash or zsh): source <(berth completion bash)')
    .argument('<shell>')
    .action((shell: string, _o, c: Command) => run(async () => (await import('./commands/completion.js')).completionCommand(shell, c.parent!)));
  program
    .command('__complete-services', { hidden: true })
    .description('Service names of the compose file, for shell completion')
    .action((_o, c: Command) => run(async () => (await import('./commands/completion.js')).servicesForCompletion(globals(c))));

}
