// Registration of the image commands (build, pull, push), flags spelled as in docker compose. Each command's
// module is loaded only when it runs, as in main.ts.
import { Command } from 'commander';
import { hiddenFlag } from './compat-flags.js';
import type { GlobalOptions } from './global.js';

type Run = (fn: () => Promise<number>) => Promise<void>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerImageCommands(program: Command, run: Run): void {
  const globals = (cmd: Command): any => cmd.optsWithGlobals() as GlobalOptions;

  program
    .command('build')
    .description('Build or rebuild services')
    .argument('[services...]', 'services to build (default: all that have a build section)')
    .option('--build-arg <key=value>', 'Set build-time variables for services', collect)
    .option('--no-cache', 'Do not use cache when building the image')
    .option('--pull', 'Always attempt to pull a newer version of the image')
    .option('--push', 'Push service images')
    .option('-q, --quiet', "Don't print anything to STDOUT")
    .option('--with-dependencies', 'Also build dependencies (transitively)')
    .option('--builder <name>', 'Set builder to use (berth builds with the engine\'s own builder, "default")')
    .option('--ssh <spec>', "Set SSH authentications used when building service images. (use 'default' for using your default SSH Agent)")
    .option('-m, --memory <bytes>', 'Set memory limit for the build container. Not supported by BuildKit.')
    // compose's deprecated build flags, hidden and without effect (BuildKit decides), and its hidden --progress
    .addOption(hiddenFlag('--parallel', 'buildParallel'))
    .addOption(hiddenFlag('--compress', 'compress'))
    .addOption(hiddenFlag('--force-rm', 'forceRm'))
    .addOption(hiddenFlag('--no-rm', 'noRm'))
    .addOption(hiddenFlag('--progress <type>', 'progress'))
    .action((services: string[], _o, cmd: Command) => run(async () => (await import('./commands/build.js')).buildCommand(services, globals(cmd))));

  program
    .command('pull')
    .description('Pull service images')
    .argument('[services...]', 'services whose images to pull (default: all)')
    .option('--ignore-buildable', 'Ignore images that can be built')
    .option('--ignore-pull-failures', 'Pull what it can and ignores images with pull failures')
    .option('--include-deps', 'Also pull services declared as dependencies')
    .option('--policy <policy>', 'Apply pull policy ("missing"|"always")')
    .option('-q, --quiet', 'Pull without printing progress information')
    // compose: deprecated, pulls are parallel either way
    .addOption(hiddenFlag('--parallel', 'pullParallel'))
    .addOption(hiddenFlag('--no-parallel', 'noParallel'))
    .action((services: string[], _o, cmd: Command) => run(async () => (await import('./commands/pull.js')).pullCommand(services, globals(cmd))));

  program
    .command('push')
    .description('Push service images')
    .argument('[services...]', 'services whose images to push (default: all that are built and named)')
    .option('--ignore-push-failures', 'Push what it can and ignores images with push failures')
    .option('--include-deps', 'Also push images of services declared as dependencies')
    .option('-q, --quiet', 'Push without printing progress information')
    .action((services: string[], _o, cmd: Command) => run(async () => (await import('./commands/push.js')).pushCommand(services, globals(cmd))));
}
