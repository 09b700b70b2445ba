// Issue 20: `berth dashboard` in a real browser (playwright-core driving Debian's chromium) on a real stack.
// The page lists the services, shows a `docker kill` within a second, restarts a service on a click (the
// engine's StartedAt changes), streams logs, draws one node per service and one edge per dependency; the
// server refuses requests without the token and listens on 127.0.0.1 only. Writes the README's screenshots.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, berthBin, cleanup, describeEngine, docker, projectDir, repoRoot, uniqueProject } from '../helpers/e2e.js';

const CHROMIUM = '/usr/bin/chromium';
const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
// in CI a missing browser is a failure (scripts/setup-test-env.sh installs it), elsewhere a notice and a skip
if (!existsSync(CHROMIUM) && inCI) throw new Error(`${CHROMIUM} is missing: scripts/setup-test-env.sh installs the chromium package`);
const describeBrowser = existsSync(CHROMIUM) ? describeEngine : describe.skip;

const compose = `
services:
  db:
    image: busybox:local
    init: true
    command: ["sh", "-c", "touch /ready; exec sleep 600"]
    healthcheck: { test: ["CMD", "test", "-f", "/ready"], interval: 1s, retries: 30 }
  web:
    image: busybox:local
    init: true
    command: ["httpd", "-f", "-p", "80"]
    ports: ["127.0.0.1::80"]
    depends_on: { db: { condition: service_healthy } }
  ticker:
    image: busybox:local
    init: true
    command: ["sh", "-c", "r=$$RANDOM; i=0; while true; do i=$$((i+1)); echo tick-marker-$$i-$$r; sleep 0.5; done"]
    depends_on: { web: { condition: service_started }, db: { condition: service_started } }
  app:
    build: ./app
    init: true
    command: ["sh", "-c", "cat /stamp; exec sleep 600"]
`;

describeBrowser('berth dashboard in a browser', () => {
  const project = uniqueProject('dash');
  let dir = '';
  let profile = '';
  let server: ChildProcess | undefined;
  let url = '';
  let context: BrowserContext | undefined;
  let page: Page;
  let firstPaint = 0;
  const started = async (svc: string) => (await docker(['inspect', '-f', '{{.State.StartedAt}}', `${project}-${svc}-1`])).stdout.trim();
  const rowState = (svc: string) => page.locator(`tr[data-service="${svc}"] td.state`).first();

  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose, 'app/Dockerfile': 'FROM busybox:local\nCOPY stamp /stamp\n', 'app/stamp': 'stamp-one\n' });
    const up = await berth(['-p', project, '--progress', 'quiet', 'up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    server = spawn(process.execPath, [berthBin, '-p', project, 'dashboard'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    server.stderr!.on('data', (d) => (err += String(d)));
    url = await new Promise<string>((resolve, reject) => {
      server!.stdout!.on('data', (d) => {
        out += String(d);
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
        if (m) resolve(m[1]);
      });
      server!.once('exit', (code) => reject(new Error(`dashboard exited (${code}): ${err}`)));
    });
    profile = await mkdtemp(join(tmpdir(), 'b20-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    firstPaint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? performance.getEntriesByType('paint')[0]?.startTime ?? -1);
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (server && server.exitCode === null) {
      server.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (profile) await rm(profile, { recursive: true, force: true });
    await cleanup(project, dir);
    await docker(['rmi', '-f', `${project}-app`]);
  });

  it('lists every service with its container, running, and its published port as a link', async () => {
    for (const svc of ['app', 'db', 'web', 'ticker']) {
      await expect.poll(() => rowState(svc).textContent(), { timeout: 10_000 }).toBe('running');
      expect(await page.locator(`tr[data-service="${svc}"]`).first().getAttribute('data-container')).toBe(`${project}-${svc}-1`);
    }
    const port = (await docker(['port', `${project}-web-1`, '80/tcp'])).stdout.trim().split(':').pop();
    expect(await page.locator('tr[data-service="web"] td.ports a').getAttribute('href')).toBe(`http://127.0.0.1:${port}/`);
    await expect.poll(() => page.locator('tr[data-service="db"] td.health').textContent(), { timeout: 20_000 }).toBe('healthy');
    expect(firstPaint).toBeGreaterThan(0);
    console.log(`dashboard first contentful paint: ${firstPaint.toFixed(0)} ms; assets: ${['app.js', 'app.css'].map((f) => `${f} ${readFileSync(join(repoRoot, 'dist/dashboard-assets', f)).length} B`).join(', ')}`);
  });

  it('draws one node per service and one edge per dependency, with its condition', async () => {
    expect(await page.locator('#graph g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-service')).sort())).toEqual(['app', 'db', 'ticker', 'web']);
    const edges = await page.locator('#graph g.edge').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}->${e.getAttribute('data-to')}:${e.textContent}`).sort());
    expect(edges).toEqual(['ticker->db:started', 'ticker->web:started', 'web->db:healthy']);
  });

  it('streams the logs a container prints, filtered by service and search', async () => {
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#logs .line')).some((l) => /tick-marker-\d+/.test(l.textContent ?? '')), undefined, { timeout: 15_000 });
    // a line printed after the page opened arrives live
    const before = await page.locator('#logs .line').count();
    await page.waitForFunction((n) => document.querySelectorAll('#logs .line').length > n, before, { timeout: 10_000 });
    await page.selectOption('#log-service', 'db');
    expect(await page.locator('#logs .line', { hasText: 'tick-marker' }).count()).toBe(0);
    await page.selectOption('#log-service', '');
    await page.fill('#log-search', 'tick-marker-1');
    const shown = await page.locator('#logs .line').allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((l) => l.includes('tick-marker-1'))).toBe(true);
    await page.fill('#log-search', '');
  });

  it('refuses every request without the right token, and actions without the token header', async () => {
    const base = url.replace(/\/\?token=.*$/, '');
    const token = new URL(url).searchParams.get('token')!;
    for (const path of ['/', '/app.js', '/app.css', '/events', '/?token=wrong', '/events?token=' + token.slice(0, -1)]) {
      expect((await fetch(base + path)).status, path).toBe(403);
    }
    expect((await fetch(`${base}/app.js?token=${token}`)).status).toBe(200);
    // the token in the query does not authorise an action: only the header does
    const body = JSON.stringify({ action: 'stop', service: 'web' });
    expect((await fetch(`${base}/action?token=${token}`, { method: 'POST', body })).status).toBe(403);
    expect((await fetch(`${base}/action`, { method: 'POST', body, headers: { 'X-Berth-Token': 'x' + token } })).status).toBe(403);
    // no CORS: a preflight is refused and nothing allows another origin
    const pre = await fetch(`${base}/action`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    // a name that resolves to the loopback address is another origin (DNS rebinding): refused, token or not
    const rebound = await new Promise<number>((resolve, reject) => {
      const u = new URL(url);
      request({ host: '127.0.0.1', port: u.port, path: `/?token=${token}`, headers: { Host: `evil.example:${u.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(rebound).toBe(403);
    expect((await docker(['inspect', '-f', '{{.State.Status}}', `${project}-web-1`])).stdout.trim()).toBe('running');
  });

  it('shows a container killed from outside as exited within a second', async () => {
    await expect.poll(() => rowState('ticker').textContent(), { timeout: 10_000 }).toBe('running');
    const kill = await docker(['kill', `${project}-ticker-1`]);
    expect(kill.code, kill.stderr).toBe(0);
    const t0 = Date.now();
    await page.waitForFunction(() => document.querySelector('tr[data-service="ticker"] td.state')?.textContent === 'exited', undefined, { timeout: 1000 });
    expect(Date.now() - t0).toBeLessThanOrEqual(1000);
    expect(await page.locator('tr[data-service="ticker"] td.exit').textContent()).toBe('137');
    expect(await page.locator('#graph g.node[data-service="ticker"]').getAttribute('class')).toContain('st-failed');
  });

  it('restarts a service when its restart button is clicked (the engine confirms)', async () => {
    const before = await started('ticker');
    const tags = async () => new Set((await page.locator('#logs .line', { hasText: 'tick-marker' }).allTextContents()).map((l) => l.split('-').pop()));
    const tagsBefore = await tags();
    await page.click('button[data-action="restart"][data-service="ticker"]');
    await expect.poll(() => started('ticker'), { timeout: 30_000 }).not.toBe(before);
    await expect.poll(() => rowState('ticker').textContent(), { timeout: 10_000 }).toBe('running');
    await expect.poll(() => page.locator('#progress li[data-status="done"]', { hasText: 'restart ticker' }).count(), { timeout: 10_000 }).toBe(1);
    // the restarted container's new lines arrive, and no line is shown twice (each run of the ticker tags
    // its lines with a random number)
    await expect.poll(async () => (await tags()).size, { timeout: 10_000 }).toBeGreaterThan(tagsBefore.size);
    const lines = await page.locator('#logs .line', { hasText: 'tick-marker' }).allTextContents();
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('asks before a destructive action, and does nothing when refused', async () => {
    const before = await started('web');
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await page.click('button[data-action="stop"][data-service="web"]');
    expect(asked).toContain('stop web');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await started('web')).toBe(before);
    expect((await docker(['inspect', '-f', '{{.State.Status}}', `${project}-web-1`])).stdout.trim()).toBe('running');
  });

  it('listens on 127.0.0.1 only', async () => {
    const pid = server!.pid!;
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
    const listening: string[] = [];
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9])) continue;
        listening.push(f[1]);
      }
    }
    const port = Number(new URL(url).port);
    // 0100007F:PORT is 127.0.0.1 in the kernel's little-endian hex; the dashboard's own socket must be among them
    expect(listening).toEqual([`0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`]);
  });

  it('shows a service the file changed as not up to date, with the plan\'s cause, and recreates it on a confirmed click', async () => {
    const id0 = (await docker(['inspect', '-f', '{{.Id}}', `${project}-web-1`])).stdout.trim();
    await expect.poll(() => page.locator('tr[data-service="web"] td.uptodate').textContent(), { timeout: 10_000 }).toBe('yes');
    await writeFile(join(dir, 'compose.yaml'), compose.replace('command: ["httpd", "-f", "-p", "80"]', 'command: ["httpd", "-f", "-p", "80"]\n    environment: { CHANGED: "1" }'));
    // the file is watched: no engine event is needed for the plan to follow it
    await expect.poll(() => page.locator('tr[data-service="web"] td.uptodate').textContent(), { timeout: 15_000 }).toContain('recreate: config changed');
    expect(await page.locator('tr[data-service="db"] td.uptodate').textContent()).toBe('yes');
    expect(await page.locator('#plan li').allTextContents()).toContainEqual(expect.stringMatching(new RegExp(`^create container [0-9a-f]{12}_${project}-web-1 \\(recreate: config changed\\)$`)));
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await page.click('button[data-action="recreate"][data-service="web"]');
    expect(asked).toContain('recreate web');
    await expect.poll(async () => (await docker(['inspect', '-f', '{{.Id}}', `${project}-web-1`])).stdout.trim(), { timeout: 30_000 }).not.toBe(id0);
    await expect.poll(() => page.locator('tr[data-service="web"] td.uptodate').textContent(), { timeout: 15_000 }).toBe('yes');
    await expect.poll(() => rowState('web').textContent(), { timeout: 10_000 }).toBe('running');
    const env = (await docker(['inspect', '-f', '{{json .Config.Env}}', `${project}-web-1`])).stdout;
    expect(env).toContain('CHANGED=1');
  });

  it('rebuilds one service from its build context on a click, and runs the new image', async () => {
    const image0 = (await docker(['inspect', '-f', '{{.Image}}', `${project}-app-1`])).stdout.trim();
    const ticker0 = await started('ticker');
    await writeFile(join(dir, 'app/stamp'), 'stamp-two\n');
    await page.click('button[data-action="rebuild"][data-service="app"]');
    await expect.poll(() => page.locator('#progress li[data-status="done"]', { hasText: 'rebuild app' }).count(), { timeout: 60_000 }).toBe(1);
    expect((await docker(['inspect', '-f', '{{.Image}}', `${project}-app-1`])).stdout.trim()).not.toBe(image0);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#logs .line')).some((l) => (l.textContent ?? '').endsWith('stamp-two')), undefined, { timeout: 15_000 });
    // one service: the others are left alone
    expect(await started('ticker')).toBe(ticker0);
  });

  it('renders light and dark themes (the README screenshots, 1280 px wide)', async () => {
    const out = join(repoRoot, 'docs/images');
    mkdirSync(out, { recursive: true });
    await expect.poll(() => rowState('ticker').textContent(), { timeout: 10_000 }).toBe('running');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe(scheme === 'light' ? 'rgb(247, 247, 248)' : 'rgb(18, 19, 22)');
      // nothing wider than the window: no sideways scrolling at 1280 px
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
      await page.screenshot({ path: join(out, `dashboard-${scheme}.png`), fullPage: true });
    }
    // the toggle overrides the system's choice
    await page.click('#theme');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });

  it('takes the whole stack down and up again from the header buttons', async () => {
    page.once('dialog', (d) => void d.accept());
    await page.click('header button[data-action="down"]');
    await expect.poll(async () => (await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).stdout.trim(), { timeout: 60_000 }).toBe('');
    await expect.poll(() => page.locator('tr[data-container]').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.locator('tr[data-service]').count()).toBe(4);
    await page.click('header button[data-action="up"]');
    await expect.poll(() => page.locator('#progress li[data-status="done"]', { hasText: 'up the whole stack' }).count(), { timeout: 60_000 }).toBe(1);
    for (const svc of ['app', 'db', 'web', 'ticker']) await expect.poll(() => rowState(svc).textContent(), { timeout: 10_000 }).toBe('running');
    // the log follow ended with the last container; the new containers' lines arrive through a new one
    const id = (await docker(['inspect', '-f', '{{.Id}}', `${project}-ticker-1`])).stdout.trim();
    const first = (await docker(['logs', id])).stdout.split('\n')[0];
    expect(first).toMatch(/^tick-marker-1-\d+$/);
    await page.waitForFunction((text) => Array.from(document.querySelectorAll('#logs .line')).some((l) => l.textContent === `ticker-1 | ${text}`), first, { timeout: 15_000 });
    const lines = await page.locator('#logs .line', { hasText: 'tick-marker' }).allTextContents();
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('stops on Ctrl-C with exit code 130, and its port is closed', async () => {
    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    server!.kill('SIGINT');
    expect(await exited).toBe(130);
    await expect(fetch(url)).rejects.toThrow();
    // the stack it showed is left running
    expect((await docker(['inspect', '-f', '{{.State.Status}}', `${project}-web-1`])).stdout.trim()).toBe('running');
  });
});

describe('berth dashboard flags', () => {
  it('refuses a bad --port and --dry-run with a usage error, before serving anything', async () => {
    const port = await berth(['dashboard', '--port', '70000']);
    expect(port.code).toBe(1);
    expect(port.stderr).toContain('invalid --port value "70000"');
    expect(port.stdout).not.toContain('http://');
    const dry = await berth(['dashboard', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain('dashboard has no dry-run mode');
  });
});
