import { describe, expect, it } from 'vitest';
import type { ProgressEvent, ProgressStatus, ResourceKind } from '../../../src/model/events.js';
import { createProgressRenderer, progressId, resolveProgressMode } from '../../../src/ui/index.js';
import { fakeStream } from './fake-stream.js';

const res = (kind: ResourceKind, name: string, status: ProgressStatus, text: string, detail?: string): ProgressEvent => ({
  type: 'resource',
  kind,
  name,
  status,
  text,
  detail,
  service: kind === 'container' ? name.split('-')[1] : undefined,
});

// `up -d` of a web service depending on a healthy db, as compose 2.26 reports it
const upEvents: ProgressEvent[] = [
  { type: 'message', level: 'warning', text: 'the attribute `version` is obsolete' },
  res('network', 'p_default', 'working', 'Creating'),
  res('network', 'p_default', 'done', 'Created'),
  res('volume', 'p_data', 'working', 'Creating'),
  res('volume', 'p_data', 'done', 'Created'),
  res('container', 'p-db-1', 'working', 'Creating'),
  res('container', 'p-db-1', 'done', 'Created'),
  res('container', 'p-web-1', 'working', 'Creating'),
  res('container', 'p-web-1', 'done', 'Created'),
  res('container', 'p-db-1', 'working', 'Starting'),
  res('container', 'p-db-1', 'done', 'Started'),
  res('container', 'p-db-1', 'working', 'Waiting'),
  res('container', 'p-db-1', 'done', 'Healthy'),
  res('container', 'p-web-1', 'working', 'Starting'),
  res('container', 'p-web-1', 'error', 'Error', 'port is already allocated'),
];

describe('plain progress', () => {
  it('prints one compose-style line per event', async () => {
    const out = fakeStream();
    const r = await createProgressRenderer('plain', { stream: out, color: false });
    upEvents.forEach((e) => r.onEvent(e));
    await r.done();
    expect(out.text()).toBe(
      [
        'WARN[0000] the attribute `version` is obsolete',
        ' Network p_default  Creating',
        ' Network p_default  Created',
        ' Volume "p_data"  Creating',
        ' Volume "p_data"  Created',
        ' Container p-db-1  Creating',
        ' Container p-db-1  Created',
        ' Container p-web-1  Creating',
        ' Container p-web-1  Created',
        ' Container p-db-1  Starting',
        ' Container p-db-1  Started',
        ' Container p-db-1  Waiting',
        ' Container p-db-1  Healthy',
        ' Container p-web-1  Starting',
        ' Container p-web-1  Error port is already allocated',
        '',
      ].join('\n'),
    );
  });

  it('prints info messages bare and errors as ERRO, and nothing after done()', async () => {
    const out = fakeStream();
    const r = await createProgressRenderer('plain', { stream: out, color: false });
    r.onEvent({ type: 'message', level: 'info', text: 'hello' });
    r.onEvent({ type: 'message', level: 'error', text: 'boom' });
    await r.done();
    await r.done();
    r.onEvent(res('network', 'p_default', 'done', 'Removed'));
    expect(out.text()).toBe('hello\nERRO[0000] boom\n');
  });

  it('colours only the level tag', async () => {
    const out = fakeStream();
    const r = await createProgressRenderer('plain', { stream: out, color: true });
    r.onEvent({ type: 'message', level: 'warning', text: 'w' });
    r.onEvent(res('network', 'p_default', 'done', 'Created'));
    await r.done();
    expect(out.text()).toBe('\u001b[33mWARN\u001b[39m[0000] w\n Network p_default  Created\n');
  });
});

describe('json progress', () => {
  it('prints one parseable object per event', async () => {
    const out = fakeStream();
    const r = await createProgressRenderer('json', { stream: out, color: true });
    upEvents.forEach((e) => r.onEvent(e));
    await r.done();
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(upEvents.length);
    const records = lines.map((l) => JSON.parse(l));
    expect(records[0]).toEqual({ type: 'message', level: 'warning', message: 'the attribute `version` is obsolete' });
    expect(records[3]).toEqual({ type: 'resource', id: 'Volume "p_data"', kind: 'volume', name: 'p_data', state: 'working', status: 'Creating' });
    expect(records[14]).toEqual({
      type: 'resource',
      id: 'Container p-web-1',
      kind: 'container',
      name: 'p-web-1',
      service: 'web',
      state: 'error',
      status: 'Error',
      detail: 'port is already allocated',
    });
    expect(out.text()).not.toContain('\u001b[');
  });
});

describe('quiet progress', () => {
  it('prints nothing', async () => {
    const out = fakeStream(true);
    const r = await createProgressRenderer('quiet', { stream: out, color: true });
    upEvents.forEach((e) => r.onEvent(e));
    await r.done();
    expect(out.text()).toBe('');
  });
});

describe('resolveProgressMode', () => {
  it('auto is tty only on a terminal outside CI', () => {
    expect(resolveProgressMode('auto', fakeStream(true), {})).toBe('tty');
    expect(resolveProgressMode('auto', fakeStream(false), {})).toBe('plain');
    expect(resolveProgressMode('auto', fakeStream(true), { CI: 'true' })).toBe('plain');
    expect(resolveProgressMode('auto', fakeStream(true), { CI: 'false' })).toBe('tty');
    expect(resolveProgressMode('auto', fakeStream(true), { TERM: 'dumb' })).toBe('plain');
  });
  it('explicit modes are kept', () => {
    for (const m of ['tty', 'plain', 'json', 'quiet'] as const) expect(resolveProgressMode(m, fakeStream(false), { CI: '1' })).toBe(m);
  });
});

describe('progressId', () => {
  it('quotes a volume only while it is created, as compose does', () => {
    expect(progressId({ kind: 'volume', name: 'p_data', text: 'Creating' })).toBe('Volume "p_data"');
    expect(progressId({ kind: 'volume', name: 'p_data', text: 'Removed' })).toBe('Volume p_data');
    expect(progressId({ kind: 'container', name: 'p-web-1', text: 'Created' })).toBe('Container p-web-1');
  });
});

describe('tty progress', () => {
  // eslint-disable-next-line no-control-regex
  const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

  it('draws a live region through listr2 and ends with a final frame', async () => {
    const out = fakeStream(true, 80);
    const r = await createProgressRenderer('tty', { stream: out, color: false });
    upEvents.slice(0, 9).forEach((e) => r.onEvent(e));
    // let the renderer come up and draw a few frames with work in progress
    r.onEvent(res('container', 'p-db-1', 'working', 'Starting'));
    await expect.poll(() => strip(out.text()), { timeout: 3000 }).toMatch(/⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/);
    expect(strip(out.text())).toMatch(/Container p-db-1 +Starting +\d+\.\ds/);
    upEvents.slice(10).forEach((e) => r.onEvent(e));
    await r.done();
    await r.done(); // idempotent

    const text = strip(out.text());
    // the final frame is the last thing drawn, after the last erase
    const final = text.slice(text.lastIndexOf('[+] Running'));
    const lines = final.trimEnd().split('\n');
    expect(lines[0]).toBe('[+] Running 4/4');
    expect(lines[1]).toMatch(/^✔ Network p_default {2}Created +\d+\.\ds$/);
    expect(lines[2]).toMatch(/^✔ Volume "p_data" {4}Created +\d+\.\ds$/);
    expect(lines[3]).toMatch(/^✔ Container p-db-1 {3}Healthy +\d+\.\ds$/);
    expect(lines[4]).toMatch(/^✘ Container p-web-1 {2}Error port is already allocated +\d+\.\ds$/);
    // the elapsed time is right-aligned: every resource line has the same width
    expect(new Set(lines.slice(1, 5).map((l) => [...l].length)).size).toBe(1);
    // a warning that came in before the region was up is printed first, without colour
    expect(text.startsWith('WARN[0000] the attribute `version` is obsolete\n')).toBe(true);
    expect(out.text()).not.toContain('\u001b[3'); // no foreground colour
  });

  it('prints messages that arrive during the live region after the final frame', async () => {
    const out = fakeStream(true, 80);
    const r = await createProgressRenderer('tty', { stream: out, color: true });
    r.onEvent(res('network', 'p_default', 'working', 'Removing'));
    r.onEvent({ type: 'message', level: 'warning', text: 'late' });
    r.onEvent(res('network', 'p_default', 'done', 'Removed'));
    await r.done();
    const text = strip(out.text());
    expect(text.trimEnd().endsWith('WARN[0000] late')).toBe(true);
    expect(text).toMatch(/✔ Network p_default {2}Removed/);
    expect(out.text()).toContain('\u001b[32m'); // colour on
  });

  it('draws nothing when no resource was reported', async () => {
    const out = fakeStream(true, 80);
    const r = await createProgressRenderer('auto', { stream: out, color: false, env: {} });
    await r.done();
    expect(out.text()).toBe('');
  });
});
