// `watch`: act on develop.watch rules while files change. Per batch of changed paths (see file-watch.ts), in
// compose's order: rebuild (build, then recreate only that service), sync (one delete exec and one archive
// upload per container, see file-sync.ts), restart, then the sync+exec hooks (once per rule and container).
// Batches are handled one at a time; changes arriving meanwhile form the next batch. Messages are worded as
// compose-ref (2.26) words them where it has them, else as the newest compose (restart, sync+exec).
import { stat } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import type { Engine } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import { Labels, projectFilter } from '../model/labels.js';
import type { Project } from '../model/types.js';
import { buildSpec } from './build-spec.js';
import { buildServices } from './build.js';
import { execCapture } from './exec-capture.js';
import { applyBatch, numericOwner, packBatch, type SyncMapping } from './file-sync.js';
import { TreeWatcher } from './file-watch.js';
import { restart } from './lifecycle.js';
import { up } from './up.js';
import { watchRules, type WatchRule } from './watch-rules.js';

export interface DevelopWatchOptions {
  /** Only these services' rules (default: every service with develop.watch). */
  readonly services?: readonly string[];
  /** A message for the user ("Syncing service ..."); `error` for failures. */
  readonly onMessage?: (text: string, level: 'info' | 'error') => void;
  /** Output of a sync+exec hook, per line. */
  readonly onExecOutput?: (service: string, line: string, stream: 'stdout' | 'stderr') => void;
  /** Progress of rebuilds (build and recreate). */
  readonly onEvent?: EventSink;
  /** Remove the image a rebuild replaced, when nothing else uses or names it (--prune, default true). */
  readonly prune?: boolean;
  /** Quiet window of the file watcher, ms. */
  readonly quietMs?: number;
  /** Called after each batch has been applied. */
  readonly onBatch?: (report: WatchBatchReport) => void;
}

export interface WatchBatchReport {
  /** Changed host paths that matched a rule. */
  readonly paths: readonly string[];
  /** Archive uploads made (one per container synced). */
  readonly uploads: number;
  readonly deleted: number;
  readonly rebuilt: readonly string[];
  readonly restarted: readonly string[];
  readonly executed: readonly string[];
  readonly errors: readonly string[];
}

export interface DevelopWatch extends AsyncDisposable {
  /** Settles when the watch has stopped (close() was called). */
  readonly done: Promise<void>;
  /** Batches applied so far. */
  readonly batches: number;
  /** Stop watching; resolves once the batch in progress (if any) has been applied. */
  close(): Promise<void>;
}

/** Whether a host path lies under a bind mount of the service (compose does not sync those: the mount has it). */
function boundByMount(project: Project, service: string, hostPath: string): boolean {
  return (project.services[service]?.volumes ?? []).some((v) => v.type === 'bind' && v.source && (hostPath === v.source || hostPath.startsWith(v.source + sep)));
}

export async function startDevelopWatch(engine: Engine, project: Project, options: DevelopWatchOptions = {}): Promise<DevelopWatch> {
  const say = options.onMessage ?? (() => undefined);
  const isSync = (r: WatchRule) => r.action === 'sync' || r.action === 'sync+restart' || r.action === 'sync+exec';
  const rules = watchRules(project, options.services).filter((r) => {
    if (isSync(r) && boundByMount(project, r.service, r.path)) {
      say(`path '${r.path}' also declared by a bind mount volume, this path won't be monitored!`, 'error');
      return false;
    }
    return true;
  });
  if (!rules.length) {
    throw new OperationError(ErrorCodes.USAGE, "none of the selected services is configured for watch, consider setting a 'develop' section");
  }

  const running = async (service: string) =>
    (await engine.listContainers({ labels: [projectFilter(project.name), `${Labels.service}=${service}`, `${Labels.oneoff}=False`] })).filter((c) => c.state === 'running');

  // The containers a sync goes to, remembered between batches: listing them costs a round trip per edit. A
  // remembered container that is gone or stopped (recreated by a rebuild, an `up`, a crash) fails its upload;
  // the list is then read again and the batch applied to what runs now.
  const known = new Map<string, readonly string[]>();
  const sync = async (service: string, mappings: readonly SyncMapping[], keep: (p: string) => boolean): Promise<{ uploads: number; deleted: number }> => {
    const listed = known.has(service) ? undefined : running(service).then((l) => l.map((c) => c.id));
    const owner = numericOwner(project.services[service]?.user);
    const [batch, fresh] = await Promise.all([packBatch(mappings, keep, owner), listed]);
    let ids = fresh ?? known.get(service)!;
    try {
      await Promise.all(ids.map((id) => applyBatch(engine, id, batch, !owner)));
    } catch (err) {
      if (fresh) throw err;
      ids = (await running(service)).map((c) => c.id);
      await Promise.all(ids.map((id) => applyBatch(engine, id, batch, !owner)));
    }
    known.set(service, ids);
    // refreshed after the upload, outside the edit's path, so that scaled-up containers get the next batch
    void running(service).then((l) => known.set(service, l.map((c) => c.id)), () => known.delete(service));
    return { uploads: batch.tar ? ids.length : 0, deleted: batch.deleted.length };
  };

  // initial_sync: the rule's whole tree (less its ignores) before watching, so the container starts current
  for (const r of rules) {
    if (!r.initialSync || !isSync(r)) continue;
    await sync(r.service, [{ hostPath: r.path, containerPath: r.target! }], (p) => r.matches(p) || !r.prunes(p));
  }

  let batches = 0;
  const handle = async (paths: readonly string[]): Promise<WatchBatchReport> => {
    const syncs = new Map<string, SyncMapping[]>();
    const restarts = new Set<string>();
    const rebuilds = new Set<string>();
    const execs = new Map<string, Set<WatchRule>>();
    const matched = new Set<string>();
    for (const p of paths) {
      for (const r of rules) {
        if (!r.matches(p)) continue;
        matched.add(p);
        if (r.action === 'rebuild') rebuilds.add(r.service);
        if (r.action === 'restart' || r.action === 'sync+restart') restarts.add(r.service);
        if (isSync(r)) {
          if (!syncs.has(r.service)) syncs.set(r.service, []);
          syncs.get(r.service)!.push({ hostPath: p, containerPath: r.containerPath(p)! });
        }
        if (r.action === 'sync+exec') execs.set(r.service, (execs.get(r.service) ?? new Set()).add(r));
      }
    }
    const none: string[] = [];
    const report = { paths: [...matched], uploads: 0, deleted: 0, rebuilt: [...none], restarted: [...none], executed: [...none], errors: [...none] };
    if (!matched.size) return report;
    const fail = (text: string) => {
      report.errors.push(text);
      say(text, 'error');
    };

    for (const service of rebuilds) {
      say(`Rebuilding service "${service}" after changes were detected...`, 'info');
      const before = await engine.inspectImage(buildSpec(project, service).image).catch(() => undefined);
      try {
        await buildServices(engine, project, [service], { onEvent: options.onEvent });
      } catch (err) {
        // the running container is left as it is
        fail(`Build failed. Error: ${firstLine(err)} (service "${service}" left running as it was)`);
        continue;
      }
      say(`service "${service}" successfully built`, 'info');
      try {
        known.delete(service);
        await up(engine, project, { services: [service], noDeps: true, forceRecreate: true, onEvent: options.onEvent ?? noopSink });
        report.rebuilt.push(service);
      } catch (err) {
        fail(`Failed to recreate service after update. Error: ${firstLine(err)}`);
        continue;
      }
      if (options.prune !== false && before) {
        const now = await engine.inspectImage(before.id).catch(() => undefined);
        // the replaced image, once untagged and unused, is dangling: remove it (the engine refuses if in use)
        if (now && now.repoTags.length === 0) await engine.removeImage(before.id).catch(() => undefined);
      }
    }

    for (const [service, mappings] of syncs) {
      // compose 2.26's wording: the count only above 10 paths
      say(mappings.length <= 10 ? `Syncing "${service}" after changes were detected` : `Syncing service "${service}" after ${mappings.length} changes were detected`, 'info');
      const serviceRules = rules.filter((r) => r.service === service && isSync(r));
      try {
        const r = await sync(service, mappings, (p) => serviceRules.some((x) => x.matches(p) || !x.prunes(p)));
        report.uploads += r.uploads;
        report.deleted += r.deleted;
      } catch (err) {
        fail(`Error syncing service "${service}": ${firstLine(err)}`);
      }
    }

    if (restarts.size) {
      const services = [...restarts].filter((s) => !report.rebuilt.includes(s));
      if (services.length) {
        try {
          await restart({ engine, name: project.name, project }, { services, onEvent: options.onEvent });
          report.restarted.push(...services);
          say(`service(s) [${services.map((s) => `"${s}"`).join(' ')}] restarted`, 'info');
        } catch (err) {
          fail(`Error restarting service(s) ${services.join(', ')}: ${firstLine(err)}`);
        }
      }
    }

    await Promise.all(
      [...execs].flatMap(([service, set]) =>
        [...set].map(async (r) => {
          for (const c of await running(service)) {
            const x = r.exec!;
            try {
              const out = await execCapture(engine, c.id, x.command, { user: x.user, privileged: x.privileged, workdir: x.working_dir, env: x.environment });
              for (const [stream, text] of [['stdout', out.stdout], ['stderr', out.stderr]] as const) {
                for (const line of text.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1)) options.onExecOutput?.(service, line, stream);
              }
              if (out.exitCode !== 0) fail(`exec hook of service "${service}" (${x.command.join(' ')}) exited with code ${out.exitCode}`);
              else report.executed.push(service);
            } catch (err) {
              fail(`exec hook of service "${service}" failed: ${firstLine(err)}`);
            }
          }
        }),
      ),
    );
    return report;
  };

  // one batch at a time; what arrives meanwhile is merged into the next
  let queued = new Set<string>();
  let busy: Promise<void> | undefined;
  const pump = (): void => {
    if (busy || !queued.size) return;
    const paths = [...queued];
    queued = new Set();
    busy = handle(paths)
      .then(
        (report) => {
          batches++;
          if (report.paths.length) options.onBatch?.(report);
        },
        (err) => say(`Error handling changed files: ${firstLine(err)}`, 'error'),
      )
      .finally(() => {
        busy = undefined;
        pump();
      });
  };

  const roots = await watchRoots(rules);
  const watcher = await TreeWatcher.start({
    roots,
    quietMs: options.quietMs,
    prune: (dir) => rules.every((r) => r.prunes(dir)),
    onBatch: (paths) => {
      for (const p of paths) queued.add(p);
      pump();
    },
  });
  say('Watch enabled', 'info');

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const close = async () => {
    watcher.close();
    await busy;
    resolveDone();
  };
  return {
    done,
    get batches() {
      return batches;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Directories to watch: each rule's path (its folder when it is a file or missing), none inside another. */
async function watchRoots(rules: readonly WatchRule[]): Promise<string[]> {
  const dirs = new Set<string>();
  for (const r of rules) {
    let p = r.path;
    for (;;) {
      const st = await stat(p).catch(() => undefined);
      if (st?.isDirectory()) break;
      const up = dirname(p);
      if (up === p) break;
      p = up;
    }
    dirs.add(p);
  }
  const list = [...dirs].sort();
  return list.filter((d) => !list.some((o) => o !== d && d.startsWith(o.endsWith(sep) ? o : o + sep)));
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
