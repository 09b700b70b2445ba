// The README's first command, `npm run demo`, end to end: the script brings examples/quickstart up, finds
// the published port and fetches the page. Run under a project name and port of this test's own, on the
// build under test (the script's build step is skipped so the bundle other tests use is not rewritten).
import { afterAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { cleanup, describeEngine, freePort, leftovers, repoRoot, run, uniqueProject } from '../helpers/e2e.js';

describeEngine('npm run demo (scripts/demo.sh)', () => {
  const project = uniqueProject('demo');
  afterAll(async () => {
    await cleanup(project);
  });

  it('brings the quickstart stack up and serves its page on the published 127.0.0.1 port', async () => {
    const port = await freePort();
    const r = await run('bash', [join(repoRoot, 'scripts', 'demo.sh')], {
      env: { COMPOSE_PROJECT_NAME: project, WEB_PORT: String(port), BERTH_DEMO_SKIP_BUILD: '1' },
      timeoutMs: 100_000,
    });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`web is up: curl http://127.0.0.1:${port}/`);
    expect(r.stdout).toContain('<h1>Hello from berth</h1>');
    expect(r.stdout).toMatch(new RegExp(`${project}-db-1 .*\\(healthy\\)`));
    const left = await leftovers(project);
    expect(left.containers).toHaveLength(3);
  });
});
