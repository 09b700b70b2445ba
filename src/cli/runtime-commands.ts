// Registration of the runtime commands (logs, exec, run, lifecycle, inspection). Each command's module is
// loaded only when it runs, as in main.ts.
import { Command, Option } from 'commander';
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
    .action((services: string[], _o, cmd: Command) => run(async () => (await life()).rmCommand(services, globals(cmd))));
  program
    .command('wait')
    .description('Block until the first service container stops')
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
    .option('--remove-orphans', 'Remove containers for services not defined in the Compose file')
    .passThroughOptions()
    .action((service: string, cmd: string[], _o, c: Command) => run(async () => (await procs()).runCommand(service, cmd, globals(c))));

  void collect;
  void Option;
}
