// `berth dashboard`: a page served on 127.0.0.1 only, live through server-sent events fed by the engine's
// event stream (no polling), with actions that call the same API functions as the CLI. Node's own http
// module; the page is one JS and one CSS asset built by scripts/bundle-cli.mjs into dist/dashboard-assets/.
//
// Security model: the listening socket is bound to the loopback address; every request needs the per-run
// token (query parameter for GETs a browser makes by URL, the X-Berth-Token header for POST actions, which a
// page of another origin cannot send without a CORS preflight that is never granted); the Host header must
// name the loopback address (no DNS rebinding); no CORS headers are ever sent; responses forbid caching and
// referrers, so the token does not leak through a link to a published port.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectEngine, down, events, logs, planText, restart, start, stop, up, type Engine, type Project, type ProgressEvent } from '../api/index.js';
import { resolveProject, type ProjectOptions } from '../api/project.js';
import { rfc3339Nanos } from '../model/logs.js';
import { ps } from '../api/up-down.js';
import { layoutGraph, type GraphLayout } from './layout.js';
import { applyEvent, fromInspect, type Containers, type InspectDoc } from './state.js';
import { newToken, tokenMatches } from './token.js';

export interface DashboardOptions {
  readonly project: ProjectOptions;
  /** 0 or undefined: a free port the system picks. */
  readonly port?: number;
  readonly engine?: Engine;
  /** Stops the server (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** The token to use instead of a random one (tests never need this; kept for embedding). */
  readonly token?: string;
}

export interface DashboardResult {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Resolves once the server has closed (after the signal). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export interface ServiceView {
  readonly name: string;
  readonly image: string;
  readonly dependsOn: readonly { readonly service: string; readonly condition: string }[];
  /** Whether `up` would leave it alone. */
  readonly upToDate: boolean;
  /** The plan's reasons when it would not. */
  readonly causes: readonly string[];
}

export interface DashboardState {
  readonly project: string;
  readonly services: readonly ServiceView[];
  readonly containers: Containers;
  readonly graph: GraphLayout;
  readonly plan: readonly string[];
  readonly planError?: string;
  /** Set when the engine's event stream broke: the page is no longer live. */
  readonly engineError?: string;
}

export type ActionName = 'start' | 'stop' | 'restart' | 'recreate' | 'rebuild' | 'up' | 'down';
const SERVICE_ACTIONS: readonly ActionName[] = ['start', 'stop', 'restart', 'recreate', 'rebuild'];
const STACK_ACTIONS: readonly ActionName[] = ['up', 'down'];
const LOG_BACKLOG = 2000;

/** Where the built assets are: next to dist/dashboard/ and dist/cli-bundle/ alike. */
const assetUrl = (name: string) => new URL(`../dashboard-assets/${name}`, import.meta.url);

export async function startDashboard(o: DashboardOptions): Promise<DashboardResult> {
  const token = o.token ?? newToken();
  const engine = o.engine ?? (await connectEngine());
  let project: Project = await resolveProject(o.project);
  const life = new AbortController();
  o.signal?.addEventListener('abort', () => life.abort(), { once: true });

  let containers: Containers = {};
  let services: ServiceView[] = [];
  let graph: GraphLayout = layoutGraph([], []);
  let plan: string[] = [];
  let planError: string | undefined;
  let engineError: string | undefined;
  const backlog: string[] = [];
  const clients = new Set<ServerResponse>();

  const state = (): DashboardState => ({ project: project.name, services, containers, graph, plan, planError, engineError });
  const send = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const broadcast = (event: string, data: unknown) => {
    for (const c of clients) send(c, event, data);
  };
  const pushState = () => broadcast('state', state());

  const inspect = async (id: string) => {
    try {
      const doc = (await engine.inspectContainer(id))?.raw as InspectDoc | undefined;
      const view = doc && fromInspect(doc);
      // an inspect answered after a destroy must not bring the container back
      if (view && containers[id]) {
        containers = { ...containers, [id]: view };
        pushState();
      }
    } catch {
      // gone meanwhile: its destroy event removes it
    }
  };

  // The file and the plan: what `up --dry-run` would do, per service (re-read on every change, so an edit of
  // the compose file shows as "not up to date" at the next event or action).
  let planning: Promise<void> | undefined;
  let planAgain = false;
  const refreshPlan = async (): Promise<void> => {
    if (planning) {
      planAgain = true;
      return planning;
    }
    planning = (async () => {
      do {
        planAgain = false;
        try {
          project = await resolveProject(o.project);
          const result = await up({ project, engine, dryRun: true });
          const causes = new Map<string, string[]>();
          for (const p of result.plan.pulls) (causes.get(p.service) ?? causes.set(p.service, []).get(p.service)!).push(`pull ${p.image}`);
          for (const op of result.plan.ops) {
            // a wait is not a change of the service it waits for (it is there for its dependents)
            const s = 'service' in op.op && op.op.kind !== 'wait' ? op.op.service : undefined;
            if (!s) continue;
            const list = causes.get(s) ?? causes.set(s, []).get(s)!;
            if (!list.includes(op.reason)) list.push(op.reason);
          }
          services = Object.keys(project.services)
            .sort()
            .map((name) => {
              const svc = project.services[name];
              const dependsOn = Object.entries(svc.depends_on ?? {})
                .map(([service, d]) => ({ service, condition: d.condition }))
                .sort((a, b) => (a.service < b.service ? -1 : 1));
              return { name, image: svc.image ?? `${project.name}-${name}`, dependsOn, upToDate: !causes.get(name)?.length, causes: causes.get(name) ?? [] };
            });
          graph = layoutGraph(
            services.map((s) => s.name),
            services.flatMap((s) => s.dependsOn.map((d) => ({ from: s.name, to: d.service, condition: d.condition }))),
          );
          plan = planText(result.plan).split('\n').filter(Boolean);
          planError = undefined;
        } catch (err) {
          planError = err instanceof Error ? err.message : String(err);
        }
      } while (planAgain && !life.signal.aborted);
      planning = undefined;
      pushState();
    })();
    return planning;
  };
  let planTimer: NodeJS.Timeout | undefined;
  // events come in bursts (an up is dozens): one plan after the burst
  const schedulePlan = () => {
    if (life.signal.aborted) return;
    clearTimeout(planTimer);
    planTimer = setTimeout(() => void refreshPlan(), 300);
  };

  // The snapshot, then the engine's event stream keeps it current.
  const snapshot = async () => {
    const entries = await ps({ project, engine, all: true });
    const docs = await Promise.all(entries.map((e) => engine.inspectContainer(e.container.id).then((i) => (i ? fromInspect(i.raw as InspectDoc) : undefined)).catch(() => undefined)));
    const next: Record<string, NonNullable<(typeof docs)[number]>> = {};
    for (const d of docs) if (d) next[d.id] = d;
    containers = next;
  };

  // Logs: one follow of the project's containers; when every container has stopped it ends, and the next
  // container start begins another from that moment.
  let logsRunning = false;
  let lastLogAt: number | undefined;
  const lastShown = new Map<string, bigint>();
  const followLogs = () => {
    if (logsRunning || life.signal.aborted) return;
    logsRunning = true;
    const since = lastLogAt;
    void logs({
      project,
      engine,
      follow: true,
      ...(since === undefined ? { tail: 200 } : { since }),
      signal: life.signal,
      timestamps: true,
      onLog: (e) => {
        if (e.type !== 'line') return;
        // a follow resumed from the last second re-reads that second: a line at or before the last one shown
        // for its container is one already shown
        const at = e.timestamp === undefined ? undefined : rfc3339Nanos(e.timestamp);
        if (at !== undefined) {
          const last = lastShown.get(e.container);
          if (last !== undefined && at <= last) return;
          lastShown.set(e.container, at);
        }
        lastLogAt = Math.floor(Date.now() / 1000);
        const line = { service: e.service, container: e.display, stream: e.stream, text: e.text };
        backlog.push(JSON.stringify(line));
        if (backlog.length > LOG_BACKLOG) backlog.splice(0, backlog.length - LOG_BACKLOG);
        broadcast('log', line);
      },
    })
      .catch(() => undefined)
      .finally(() => {
        logsRunning = false;
        lastLogAt ??= Math.floor(Date.now() / 1000);
      });
  };

  // An edit of the compose files (or .env) changes what "up to date" means: watched (not polled) by folder,
  // since editors replace a file by renaming a new one over it.
  const watchers: FSWatcher[] = [];
  const watched = new Set([...project.meta.composeFiles, join(project.meta.workingDir, '.env')]);
  for (const dir of new Set([...watched].map((f) => dirname(f)))) {
    try {
      const w = watch(dir, (_type, name) => {
        if (name && watched.has(join(dir, basename(String(name))))) schedulePlan();
      });
      w.on('error', () => undefined);
      watchers.push(w);
    } catch {
      // a folder that cannot be watched: the plan still follows every engine event and action
    }
  }

  await Promise.all([snapshot(), refreshPlan()]);
  lastLogAt = undefined;
  followLogs();

  const eventsDone = events({
    project,
    engine,
    signal: life.signal,
    onEvent: (e) => {
      if (e.type !== 'container') return;
      const before = containers;
      containers = applyEvent(containers, e);
      if (containers !== before) pushState();
      if (['create', 'start', 'die', 'restart', 'rename', 'unpause', 'pause'].includes(e.action) || e.action.startsWith('health_status')) void inspect(e.id);
      if (e.action === 'start') followLogs();
      if (!e.action.startsWith('exec_')) schedulePlan();
    },
  })
    .catch((err: unknown) => err)
    .then((err) => {
      // the stream ends only with the dashboard; otherwise the page must not go on looking live
      if (life.signal.aborted) return;
      engineError = `the engine's event stream ended${err instanceof Error ? `: ${err.message}` : ''}; restart the dashboard`;
      pushState();
    });

  // ---- actions: one at a time, each through the API the CLI uses, its progress broadcast
  let actionSeq = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const runAction = (action: ActionName, service: string | undefined): number => {
    const id = ++actionSeq;
    const onEvent = (ev: ProgressEvent) => ev.type !== 'build' && broadcast('progress', { id, text: ev.type === 'resource' ? `${ev.kind[0].toUpperCase()}${ev.kind.slice(1)} ${ev.name}  ${ev.text}${ev.detail ? ` (${ev.detail})` : ''}` : ev.text, status: ev.type === 'resource' ? ev.status : ev.level });
    const services = service ? [service] : undefined;
    const call = async () => {
      project = await resolveProject(o.project);
      switch (action) {
        case 'start':
          return start({ project, engine, services, onEvent });
        case 'stop':
          return stop({ project, engine, services, onEvent });
        case 'restart':
          return restart({ project, engine, services, noDeps: true, onEvent });
        case 'recreate':
          return up({ project, engine, services, noDeps: true, forceRecreate: true, onEvent });
        case 'rebuild':
          return up({ project, engine, services, noDeps: true, build: true, onEvent });
        case 'up':
          return up({ project, engine, onEvent });
        case 'down':
          return down({ project, engine, onEvent });
      }
    };
    broadcast('action', { id, action, service, status: 'running' });
    queue = queue.then(async () => {
      try {
        await call();
        broadcast('action', { id, action, service, status: 'done' });
      } catch (err) {
        broadcast('action', { id, action, service, status: 'failed', error: err instanceof Error ? err.message : String(err) });
      }
      schedulePlan();
    });
    return id;
  };

  const [js, css] = await Promise.all([readFile(assetUrl('app.js')), readFile(assetUrl('app.css'))]);

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) deny(res, 500, err instanceof Error ? err.message : 'error');
      else res.destroy();
    });
  });
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // DNS rebinding: a name that resolves to 127.0.0.1 still names another origin
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return deny(res, 403, 'forbidden host');
    const given = req.method === 'POST' ? req.headers['x-berth-token'] : url.searchParams.get('token');
    if (!tokenMatches(token, Array.isArray(given) ? given[0] : given)) return deny(res, 403, 'forbidden: a valid token is required');
    if (req.method === 'GET' && url.pathname === '/') return reply(res, 'text/html; charset=utf-8', page(token, project.name));
    if (req.method === 'GET' && url.pathname === '/app.js') return reply(res, 'text/javascript; charset=utf-8', js);
    if (req.method === 'GET' && url.pathname === '/app.css') return reply(res, 'text/css; charset=utf-8', css);
    if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, { ...securityHeaders, 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
      clients.add(res);
      send(res, 'state', state());
      send(res, 'logs', backlog.map((l) => JSON.parse(l) as unknown));
      req.on('close', () => clients.delete(res));
      return;
    }
    if (req.method === 'POST' && url.pathname === '/action') {
      const body = await readBody(req);
      let parsed: { action?: string; service?: string };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return deny(res, 400, 'body must be JSON');
      }
      const action = parsed.action as ActionName;
      if (SERVICE_ACTIONS.includes(action)) {
        if (!parsed.service || !project.services[parsed.service]) return deny(res, 400, `no such service: ${parsed.service ?? ''}`);
      } else if (!STACK_ACTIONS.includes(action)) return deny(res, 400, `unknown action: ${String(parsed.action)}`);
      const id = runAction(action, SERVICE_ACTIONS.includes(action) ? parsed.service : undefined);
      return reply(res, 'application/json', JSON.stringify({ id }), 202);
    }
    return deny(res, 404, 'not found');
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // loopback only, whatever the port: never 0.0.0.0 or ::
    server.listen({ host: '127.0.0.1', port: o.port ?? 0 }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  // SSE comments keep idle connections open through proxies and tell the browser the server is alive
  const keepAlive = setInterval(() => {
    for (const c of clients) c.write(': keep-alive\n\n');
  }, 15_000);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      life.abort();
      clearInterval(keepAlive);
      clearTimeout(planTimer);
      for (const w of watchers) w.close();
      for (const c of clients) c.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await eventsDone;
      await queue.catch(() => undefined);
    })());
  life.signal.addEventListener('abort', () => void close(), { once: true });
  const closed = new Promise<void>((resolve) => life.signal.addEventListener('abort', () => void close().then(resolve), { once: true }));
  return { url: `http://127.0.0.1:${port}/?token=${token}`, port, token, closed, close };
}

const securityHeaders = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

function reply(res: ServerResponse, type: string, body: string | Buffer, status = 200): void {
  res.writeHead(status, { ...securityHeaders, 'Content-Type': type });
  res.end(body);
}

function deny(res: ServerResponse, status: number, message: string): void {
  reply(res, 'text/plain; charset=utf-8', `${message}\n`, status);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 64 * 1024) throw new Error('request body too large');
  }
  return body;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page shell; the app fills it from the event stream. The token is base64url: nothing to escape in it. */
function page(token: string, project: string): string {
  const t = encodeURIComponent(token);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(project)} \u2014 berth dashboard</title>
<link rel="stylesheet" href="/app.css?token=${t}">
</head><body><div id="app" data-project="${escapeHtml(project)}"></div>
<script src="/app.js?token=${t}"></script>
</body></html>
`;
}
