// Golden plan tests: the engine state comes from running `up` on the fake engine, then the project changes
// and the plan text for the next `up` is compared with the expected text.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../../src/config/index.js';
import { FakeEngine } from '../../../src/engine/fake/index.js';
import type { Project } from '../../../src/model/types.js';
import { observe, type ObservedState } from '../../../src/ops/observe.js';
import { planText } from '../../../src/ops/plan.js';
import { reconcile, type ReconcileOptions } from '../../../src/ops/reconcile.js';

export async function project(yaml: string, name = 'p'): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-plan-'));
  await writeFile(join(dir, 'compose.yaml'), yaml);
  return loadProject({ cwd: dir, projectName: name, env: {} });
}

export function fakeEngine(): FakeEngine {
  return new FakeEngine({ images: ['busybox:local', 'busybox:other'], autoHealthy: true });
}

/** The plan text for the next `up`; `edit` may alter the observed state (an object deleted out of band). */
export async function plan(engine: FakeEngine, p: Project, options: ReconcileOptions = {}, edit?: (o: ObservedState) => ObservedState): Promise<string> {
  const observed = await observe(engine, p, Object.keys(p.services));
  return planText(reconcile(p, edit ? edit(observed) : observed, options));
}
