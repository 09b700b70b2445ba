/// <reference lib="dom" />
// The dashboard's page: plain DOM, fed by the server's event stream (server.ts). Bundled by
// scripts/bundle-cli.mjs into dist/dashboard-assets/app.js. Everything the server sends is rendered as text
// (textContent, attributes), never as HTML: service names, log lines and errors come from files and containers.
import type { DashboardState, ServiceView } from '../server.js';
import type { ContainerView } from '../state.js';
import { portUrl } from '../state.js';

interface LogLine {
  service: string;
  container: string;
  stream: string;
  text: string;
}

const token = new URLSearchParams(location.search).get('token') ?? '';
const root = document.getElementById('app')!;
let state: DashboardState | undefined;
const logLines: LogLine[] = [];
const MAX_LOG_LINES = 5000;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}
const SVG = 'http://www.w3.org/2000/svg';
function s(tag: string, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

// ---- theme: the system's, unless the toggle chose one (remembered)
const stored = localStorage.getItem('berth-theme');
if (stored === 'light' || stored === 'dark') document.documentElement.dataset.theme = stored;
function toggleTheme() {
  const current = document.documentElement.dataset.theme ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const next = current === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  localStorage.setItem('berth-theme', next);
}

// ---- layout
const title = h('h1', {}, 'berth');
const projectName = h('span', { class: 'project' }, root.dataset.project ?? '');
const connection = h('span', { class: 'conn', id: 'conn' }, 'connecting\u2026');
const upButton = h('button', { 'data-action': 'up', type: 'button' }, 'Up');
const downButton = h('button', { 'data-action': 'down', type: 'button', class: 'danger' }, 'Down');
const themeButton = h('button', { id: 'theme', type: 'button', title: 'Light / dark' }, '\u25d0');
themeButton.addEventListener('click', toggleTheme);
const header = h('header', {}, title, projectName, connection, h('span', { class: 'spacer' }), upButton, downButton, themeButton);

const servicesBody = h('tbody', { id: 'services' });
const servicesTable = h(
  'table',
  { class: 'services' },
  h('thead', {}, h('tr', {}, ...['Service', 'Container', 'State', 'Health', 'Exit', 'Restarts', 'Ports', 'Image', 'Up to date', 'Actions'].map((t) => h('th', {}, t)))),
  servicesBody,
);
const graphBox = h('div', { id: 'graph', class: 'graph' });
const planList = h('ol', { id: 'plan', class: 'plan' });
const progressList = h('ul', { id: 'progress', class: 'progress' });

const logFilter = h('select', { id: 'log-service' }, h('option', { value: '' }, 'all services'));
const logSearch = h('input', { id: 'log-search', type: 'search', placeholder: 'search' });
const logFollow = h('input', { id: 'log-follow', type: 'checkbox', checked: '' });
const logBox = h('pre', { id: 'logs', class: 'logs' });
const logControls = h('div', { class: 'controls' }, logFilter, logSearch, h('label', {}, logFollow, ' follow'));

root.append(
  header,
  h('main', {}, h('section', { class: 'wide' }, h('h2', {}, 'Services'), h('div', { class: 'table-wrap' }, servicesTable)), h('section', {}, h('h2', {}, 'Dependencies'), graphBox), h('section', {}, h('h2', {}, 'Plan of ', h('code', {}, 'up'), ' (dry run)'), planList), h('section', { class: 'wide' }, h('h2', {}, 'Logs'), logControls, logBox), h('section', { class: 'wide' }, h('h2', {}, 'Actions'), progressList)),
);

// ---- services
function stateClass(c: ContainerView | undefined): string {
  if (!c) return 'absent';
  if (c.health === 'unhealthy') return 'unhealthy';
  if (c.state === 'exited') return c.exitCode === 0 ? 'exited' : 'failed';
  return c.state;
}

function actionButtons(service: string): HTMLElement {
  const cell = h('td', { class: 'actions' });
  for (const a of ['start', 'stop', 'restart', 'recreate', 'rebuild']) {
    cell.append(h('button', { type: 'button', 'data-action': a, 'data-service': service, class: ['stop', 'recreate'].includes(a) ? 'danger' : '' }, a));
  }
  return cell;
}

function renderServices(st: DashboardState) {
  const rows: HTMLElement[] = [];
  const byService = new Map<string, ContainerView[]>();
  for (const c of Object.values(st.containers)) (byService.get(c.service) ?? byService.set(c.service, []).get(c.service)!).push(c);
  const names = [...new Set([...st.services.map((x) => x.name), ...byService.keys()])].sort();
  for (const name of names) {
    const svc: ServiceView | undefined = st.services.find((x) => x.name === name);
    const list = (byService.get(name) ?? []).sort((a, b) => a.number - b.number);
    const upToDate = svc ? (svc.upToDate ? h('span', { class: 'ok' }, 'yes') : h('span', { class: 'stale', title: svc.causes.join('\n') }, svc.causes.join('; '))) : h('span', { class: 'stale' }, 'orphan');
    const cells = (c: ContainerView | undefined, first: boolean) => {
      const ports = h('td', { class: 'ports' });
      for (const p of c?.ports ?? []) ports.append(h('a', { href: portUrl(p), target: '_blank', rel: 'noopener noreferrer' }, `${p.hostPort}\u2192${p.target}/${p.protocol}`), ' ');
      return h(
        'tr',
        { 'data-service': name, ...(c ? { 'data-container': c.name } : {}), class: `st-${stateClass(c)}` },
        h('td', { class: 'service' }, first ? name : ''),
        h('td', { class: 'container' }, c?.name ?? '\u2014'),
        h('td', { class: 'state' }, h('span', { class: `dot st-${stateClass(c)}` }), c?.state ?? 'not created'),
        h('td', { class: 'health' }, c?.health ?? ''),
        h('td', { class: 'exit' }, c?.exitCode === undefined ? '' : String(c.exitCode)),
        h('td', { class: 'restarts' }, c ? String(c.restartCount) : ''),
        ports,
        h('td', { class: 'image' }, c?.image ?? svc?.image ?? ''),
        h('td', { class: 'uptodate' }, first ? upToDate : ''),
        first ? actionButtons(name) : h('td', {}),
      );
    };
    if (!list.length) rows.push(cells(undefined, true));
    list.forEach((c, i) => rows.push(cells(c, i === 0)));
  }
  servicesBody.replaceChildren(...rows);
  const current = logFilter.value;
  logFilter.replaceChildren(h('option', { value: '' }, 'all services'), ...names.map((n) => h('option', { value: n }, n)));
  logFilter.value = names.includes(current) ? current : '';
}

// ---- graph
function renderGraph(st: DashboardState) {
  const g = st.graph;
  const svg = s('svg', { width: g.width, height: g.height, viewBox: `0 0 ${g.width} ${g.height}`, role: 'img', 'aria-label': 'service dependency graph' });
  svg.append(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))));
  for (const e of g.edges) {
    const mx = (e.x1 + e.x2) / 2;
    // a long edge leaves the dependent downwards, runs below every node and enters the dependency from below
    const d =
      e.detourY === undefined
        ? `M${e.x1},${e.y1} C${mx},${e.y1} ${mx},${e.y2} ${e.x2},${e.y2}`
        : `M${e.x1},${e.y1} C${e.x1 - 30},${e.y1} ${e.x1 - 30},${e.detourY} ${e.x1 - 60},${e.detourY} L${e.x2 + 60},${e.detourY} C${e.x2 + 30},${e.detourY} ${e.x2 + 30},${e.y2} ${e.x2},${e.y2}`;
    svg.append(
      s('g', { class: 'edge', 'data-from': e.from, 'data-to': e.to },
        s('path', { d, 'marker-end': 'url(#arrow)' }),
        s('text', { x: mx, y: (e.detourY ?? (e.y1 + e.y2) / 2) - 4, 'text-anchor': 'middle' }, e.condition.replace(/^service_/, '')),
      ),
    );
  }
  for (const n of g.nodes) {
    const list = Object.values(st.containers).filter((c) => c.service === n.id);
    const cls = list.length ? (list.every((c) => stateClass(c) === 'running' && c.health !== 'starting') ? 'running' : stateClass(list.find((c) => stateClass(c) !== 'running') ?? list[0])) : 'absent';
    svg.append(
      s('g', { class: `node st-${cls}`, 'data-service': n.id, transform: `translate(${n.x},${n.y})` },
        s('rect', { width: n.width, height: n.height, rx: 8 }),
        s('text', { x: n.width / 2, y: n.height / 2 + 5, 'text-anchor': 'middle' }, n.id),
      ),
    );
  }
  graphBox.replaceChildren(svg);
}

function renderPlan(st: DashboardState) {
  if (st.planError) planList.replaceChildren(h('li', { class: 'error' }, st.planError));
  else if (!st.plan.length) planList.replaceChildren(h('li', { class: 'ok' }, 'nothing to do: the stack is up to date with the file'));
  else planList.replaceChildren(...st.plan.map((line) => h('li', {}, line)));
}

// ---- logs
function logVisible(l: LogLine): boolean {
  const service = logFilter.value;
  const q = logSearch.value.toLowerCase();
  return (!service || l.service === service) && (!q || l.text.toLowerCase().includes(q));
}
function logNode(l: LogLine): HTMLElement {
  return h('div', { class: `line ${l.stream}`, 'data-service': l.service }, h('span', { class: 'who' }, `${l.container} | `), l.text);
}
function renderLogs() {
  logBox.replaceChildren(...logLines.filter(logVisible).map(logNode));
  if (logFollow.checked) logBox.scrollTop = logBox.scrollHeight;
}
function addLogs(lines: LogLine[]) {
  logLines.push(...lines);
  const drop = logLines.length - MAX_LOG_LINES;
  if (drop > 0) {
    logLines.splice(0, drop);
    renderLogs();
    return;
  }
  for (const l of lines) if (logVisible(l)) logBox.append(logNode(l));
  if (logFollow.checked) logBox.scrollTop = logBox.scrollHeight;
}
logFilter.addEventListener('change', renderLogs);
logSearch.addEventListener('input', renderLogs);
logFollow.addEventListener('change', () => logFollow.checked && (logBox.scrollTop = logBox.scrollHeight));

// ---- actions
const DESTRUCTIVE = new Set(['stop', 'recreate', 'down']);
document.addEventListener('click', (ev) => {
  const button = (ev.target as Element).closest('button[data-action]') as HTMLButtonElement | null;
  if (!button) return;
  const action = button.dataset.action!;
  const service = button.dataset.service;
  const what = service ? `${action} ${service}` : `${action} the whole stack`;
  if (DESTRUCTIVE.has(action) && !confirm(`Really ${what}?`)) return;
  progressList.prepend(h('li', { class: 'working' }, `${what}: requested`));
  void fetch('/action', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Berth-Token': token }, body: JSON.stringify({ action, service }) }).then(async (r) => {
    if (!r.ok) progressList.prepend(h('li', { class: 'error' }, `${what}: ${await r.text()}`));
  });
});

// ---- the event stream
function render() {
  if (!state) return;
  renderServices(state);
  renderGraph(state);
  renderPlan(state);
}
const source = new EventSource(`/events?token=${encodeURIComponent(token)}`);
source.addEventListener('open', () => {
  connection.textContent = 'live';
  connection.className = 'conn live';
});
source.addEventListener('error', () => {
  connection.textContent = 'disconnected';
  connection.className = 'conn down';
});
source.addEventListener('state', (e) => {
  state = JSON.parse((e as MessageEvent<string>).data) as DashboardState;
  if (state.engineError) {
    connection.textContent = state.engineError;
    connection.className = 'conn down';
  }
  render();
  document.body.dataset.ready = 'true';
});
source.addEventListener('logs', (e) => {
  logLines.length = 0;
  logBox.replaceChildren();
  addLogs(JSON.parse((e as MessageEvent<string>).data) as LogLine[]);
});
source.addEventListener('log', (e) => addLogs([JSON.parse((e as MessageEvent<string>).data) as LogLine]));
source.addEventListener('progress', (e) => {
  const p = JSON.parse((e as MessageEvent<string>).data) as { id: number; text: string; status: string };
  progressList.prepend(h('li', { class: p.status, 'data-action-id': String(p.id) }, p.text));
});
source.addEventListener('action', (e) => {
  const a = JSON.parse((e as MessageEvent<string>).data) as { id: number; action: string; service?: string; status: string; error?: string };
  const what = a.service ? `${a.action} ${a.service}` : `${a.action} the whole stack`;
  progressList.prepend(h('li', { class: a.status === 'failed' ? 'error' : a.status === 'done' ? 'done' : 'working', 'data-action-id': String(a.id), 'data-status': a.status }, `${what}: ${a.status}${a.error ? ` \u2014 ${a.error}` : ''}`));
});
