// berth as the Docker CLI plugin "compose" (installed as ~/.docker/cli-plugins/docker-compose, see
// scripts/install-docker-plugin.sh). The docker CLI's plugin protocol (docker/cli cli-plugins):
// - it runs `docker-compose docker-cli-plugin-metadata` to learn what the plugin is, and expects one JSON object;
// - `docker [GLOBAL FLAGS] compose ARGS...` runs `docker-compose [GLOBAL FLAGS] compose ARGS...`: the original
//   arguments, the docker CLI's own global flags included, with DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND set.
//   The plugin is expected to read those global flags itself (the engine is not chosen for it).
// - DOCKER_CLI_PLUGIN_SOCKET names an abstract unix socket the docker CLI closes when it is interrupted while its
//   output is not a terminal. berth does not watch it: Node 20 pads an abstract socket address to the full
//   sockaddr length, so it cannot reach the docker CLI's (Go) listener. In a terminal Ctrl-C reaches berth
//   directly (same process group); elsewhere the docker CLI kills the plugin after its third signal.
import type { EngineSelection } from '../api/engine.js';

export const METADATA_COMMAND = 'docker-cli-plugin-metadata';
/** Set by the docker CLI in a plugin's environment, to the docker CLI's own argv[0]. */
export const PLUGIN_ENV = 'DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND';
export const PLUGIN_NAME = 'compose';

/** The answer to docker-cli-plugin-metadata (the docker CLI requires SchemaVersion 0.1.0 and a Vendor). */
export function pluginMetadata(version: string): string {
  return `${JSON.stringify(
    {
      SchemaVersion: '0.1.0',
      Vendor: 'berth',
      Version: version,
      ShortDescription: 'Docker Compose (berth, a drop-in in TypeScript)',
    },
    null,
    2,
  )}\n`;
}

export interface PluginInvocation {
  /** The arguments after the plugin name, for berth's own parser. */
  readonly args: string[];
  /** The engine the docker CLI's global flags chose. */
  readonly selection: EngineSelection;
  /** --config: the docker CLI's configuration directory. */
  readonly configDir?: string;
}

// The docker CLI's global flags (cli/flags/options.go) with whether each takes a value.
const LONG: Record<string, boolean> = {
  config: true,
  context: true,
  debug: false,
  host: true,
  'log-level': true,
  tls: false,
  tlscacert: true,
  tlscert: true,
  tlskey: true,
  tlsverify: false,
};
const SHORT: Record<string, string> = { c: 'context', D: 'debug', H: 'host', l: 'log-level' };

function bool(value: string | undefined): boolean {
  return value === undefined || !['false', '0', 'f', 'F', 'FALSE', 'False'].includes(value);
}

/**
 * Split a plugin invocation's arguments (argv without node and the script) into the docker CLI's global flags
 * before the plugin name and the rest. Undefined when berth was not run by the docker CLI as a plugin. The docker
 * CLI has already validated these flags (it parsed them to find the plugin), so they arrive well-formed.
 */
export function pluginInvocation(args: readonly string[], env: NodeJS.ProcessEnv): PluginInvocation | undefined {
  if (!env[PLUGIN_ENV]) return undefined;
  const values: Record<string, string | boolean> = {};
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === PLUGIN_NAME) break;
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      inline = eq < 0 ? undefined : a.slice(eq + 1);
    } else if (a.startsWith('-') && a.length > 1) {
      // -D, -c ctx, -cctx, -c=ctx, and combined booleans such as -Dc ctx
      let j = 1;
      while (j < a.length && SHORT[a[j]!] !== undefined && !LONG[SHORT[a[j]!]!]) {
        values[SHORT[a[j]!]!] = true;
        j++;
      }
      if (j >= a.length) continue;
      name = SHORT[a[j]!];
      const rest = a.slice(j + 1);
      inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest;
    } else {
      // not a flag and not the plugin name: leave everything to berth's parser, which will say what is wrong
      return { args: args.slice(i), selection: {} };
    }
    if (name === undefined || !(name in LONG)) return { args: args.slice(i), selection: {} };
    if (LONG[name]) {
      const value = inline ?? args[++i];
      if (value !== undefined) values[name] = value;
    } else {
      values[name] = bool(inline);
    }
  }
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const flag = (k: string) => (typeof values[k] === 'boolean' ? (values[k] as boolean) : undefined);
  const selection: EngineSelection = Object.fromEntries(
    Object.entries({
      host: str('host'),
      context: str('context'),
      tls: flag('tls'),
      tlsVerify: flag('tlsverify'),
      tlsCaCert: str('tlscacert'),
      tlsCert: str('tlscert'),
      tlsKey: str('tlskey'),
    }).filter(([, v]) => v !== undefined),
  );
  const configDir = str('config');
  return { args: args.slice(i + 1), selection, ...(configDir === undefined ? {} : { configDir }) };
}

