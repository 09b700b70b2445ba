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

  void collect;
  void Option;
}
