// develop.watch rules: which host paths a service watches, what a changed path means (sync, rebuild, restart,
// exec) and where it lands in the container. Pure (reads only the .dockerignore file); the semantics follow
// docker compose's watch (pkg/compose/watch.go, pkg/watch):
//  - a rule's `path` is absolute (the loader rebases it; resolving again here is idempotent);
//  - a changed path matches a rule when it is the rule's path or below it, `include` (if any) matches it or one
//    of its parents, and no ignore matches it or one of its parents;
//  - ignores are: the rule's `ignore` (patterns relative to the rule's path), the build context's
//    `<Dockerfile>.dockerignore` or `.dockerignore` (relative to the context; a `*` pattern keeps only the
//    exceptions, as compose does so that "ignore all but src" does not blind the watch), editors' temporary
//    files, and `.git` (compose means to ignore it; berth ignores it at any depth);
//  - the container path is `target` joined with the path relative to the rule's path.
// Unlike compose 2.26, no `build:` section is needed except for `rebuild` (newer compose agrees for sync).
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { ErrorCodes, OperationError } from '../model/errors.js';
import type { BuildConfig, Project } from '../model/types.js';
import { ignore as ignoreFactory, parseDockerignore } from './build-context.js';


export type WatchAction = 'sync' | 'rebuild' | 'sync+restart' | 'sync+exec' | 'restart';
export const WATCH_ACTIONS: readonly WatchAction[] = ['sync', 'rebuild', 'sync+restart', 'sync+exec', 'restart'];

export interface ExecHook {
  readonly command: readonly string[];
  readonly user?: string;
  readonly privileged?: boolean;
  readonly working_dir?: string;
  readonly environment?: Readonly<Record<string, string>>;
}

export interface WatchRule {
  readonly service: string;
  readonly action: WatchAction;
  /** Absolute host path. */
  readonly path: string;
  /** Absolute container path (sync actions). */
  readonly target?: string;
  readonly initialSync: boolean;
  readonly exec?: ExecHook;
  /** Whether a host path (absolute) is this rule's. */
  matches(hostPath: string): boolean;
  /** Whether a directory can be skipped entirely (ignored, and no exception or include names a path inside). */
  prunes(hostDir: string): boolean;
  /** Where a host path of this rule lands in the container. */
  containerPath(hostPath: string): string | undefined;
}

/** A docker-style matcher rooted at a directory: a path matches when it or one of its parents does. */
interface RootedMatcher {
  matches(abs: string): boolean;
  /** Whether some exception ("!x") pattern names a path inside this directory. */
  exceptionInside(absDir: string): boolean;
}

function rooted(root: string, patterns: readonly string[]): RootedMatcher {
  let list = [...patterns];
  if (list.includes('*')) list = list.filter((p) => p.startsWith('!'));
  const ig = ignoreFactory().add(list);
  const exceptions = list.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const rel = (abs: string) => relative(root, abs).split(sep).join('/');
  return {
    matches(abs) {
      if (!list.length) return false;
      const r = rel(abs);
      if (r === '' || r === '..' || r.startsWith('../') || isAbsolute(r)) return false;
      return ig.ignores(r);
    },
    exceptionInside(absDir) {
      const r = rel(absDir);
      return exceptions.some((e) => r === '' || `${e}/`.startsWith(`${r}/`));
    },
  };
}

// Editors' temporary and lock files (compose ignores the same names: JetBrains, emacs, vim, kate, go's umask probe).
const EPHEMERAL = [/___jb_(old|tmp)___$/, /^\.#/, /^#.*#$/, /^4913$/, /~$/, /^\..*\.sw[pxon]$/, /^\..*\.kate-swp$/, /-go-tmp-umask$/];
function ephemeral(abs: string): boolean {
  const parts = abs.split(sep);
  if (parts.includes('.git') || parts.includes('.idea')) return true;
  const name = basename(abs);
  return EPHEMERAL.some((re) => re.test(name));
}

/** The build context's ignore patterns as compose reads them for watch (none without a build section). */
export function buildIgnorePatterns(build: BuildConfig | undefined, projectDir: string): { root: string; patterns: string[] } | undefined {
  if (!build) return undefined;
  // a remote context (git URL, tarball) has no local .dockerignore
  if (typeof build.context === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(build.context)) return undefined;
  const root = resolve(projectDir, typeof build.context === 'string' ? build.context : '.');
  const dockerfile = typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
  for (const f of [join(root, `${dockerfile}.dockerignore`), join(root, '.dockerignore')]) {
    if (existsSync(f)) return { root, patterns: parseDockerignore(readFileSync(f, 'utf8')) };
  }
  return { root, patterns: [] };
}

function isChild(parent: string, p: string): boolean {
  return p === parent || p.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/** An exec hook's environment: a bare key (null) takes its value from berth's own environment. */
function envMap(v: Readonly<Record<string, string | null>> | undefined): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? process.env[k] ?? '' : String(x)]));
}

/** The watch rules of the services (all services when none are named). Fails on a rule compose refuses. */
export function watchRules(project: Project, services?: readonly string[]): WatchRule[] {
  const out: WatchRule[] = [];
  const projectDir = project.meta.workingDir;
  for (const [service, svc] of Object.entries(project.services)) {
    if (services?.length && !services.includes(service)) continue;
    const watch = svc.develop?.watch;
    if (!watch) continue;
    const build = svc.build;
    const dockerIgnore = buildIgnorePatterns(build, projectDir);
    const contextIgnore = dockerIgnore ? rooted(dockerIgnore.root, dockerIgnore.patterns) : undefined;
    watch.forEach((raw, i) => {
      const where = `services.${service}.develop.watch[${i}]`;
      const action = raw.action;
      if (!WATCH_ACTIONS.includes(action)) throw new OperationError(ErrorCodes.SERVICE_SPEC, `${where}.action: "${String(raw.action)}" is not one of ${WATCH_ACTIONS.join(', ')}`, { service });
      if (typeof raw.path !== 'string' || raw.path === '') throw new OperationError(ErrorCodes.SERVICE_SPEC, `${where}.path: watch rules must define a path`, { service });
      if (action === 'rebuild' && !build) throw new OperationError(ErrorCodes.SERVICE_SPEC, `can't watch service "${service}" with action rebuild without a build context`, { service });
      const path = resolve(projectDir, raw.path);
      const target = typeof raw.target === 'string' && raw.target !== '' ? posix.resolve('/', raw.target) : undefined;
      if ((action === 'sync' || action === 'sync+restart' || action === 'sync+exec') && !target) {
        throw new OperationError(ErrorCodes.SERVICE_SPEC, `${where}.target: action ${action} needs a target path in the container`, { service });
      }
      let exec: ExecHook | undefined;
      if (action === 'sync+exec') {
        // the loader split a command written as one string into its words (canonicalHook)
        const x = raw.exec ?? {};
        const command = [...(x.command ?? [])];
        if (!command.length) throw new OperationError(ErrorCodes.SERVICE_SPEC, `can't watch with action "sync+exec" on service ${service} without a command`, { service });
        exec = {
          command,
          user: typeof x.user === 'string' ? x.user : undefined,
          privileged: x.privileged === true,
          working_dir: typeof x.working_dir === 'string' ? x.working_dir : undefined,
          environment: envMap(x.environment),
        };
      }
      const ignore = rooted(path, [...(raw.ignore ?? [])]);
      const include = raw.include?.length ? rooted(path, [...raw.include]) : undefined;
      // x-initialSync is the deprecated spelling compose still honours
      const initialSync = raw.initial_sync === true || raw['x-initialSync'] === true;
      const ignored = (p: string) => ephemeral(p) || ignore.matches(p) || !!contextIgnore?.matches(p);
      out.push({
        service,
        action,
        path,
        target,
        initialSync,
        exec,
        matches(hostPath) {
          if (!isChild(path, hostPath)) return false;
          if (include && !include.matches(hostPath)) return false;
          return !ignored(hostPath);
        },
        prunes(hostDir) {
          if (!isChild(path, hostDir)) return !isChild(hostDir, path);
          if (!ignored(hostDir)) return false;
          return !(ignore.exceptionInside(hostDir) || contextIgnore?.exceptionInside(hostDir));
        },
        containerPath(hostPath) {
          if (!target) return undefined;
          const rel = relative(path, hostPath).split(sep).join('/');
          return rel ? posix.join(target, rel) : target;
        },
      });
    });
  }
  return out;
}
