// push: services in parallel, one service's names (image and build.tags, one image) one after another.
import { expect, it } from 'vitest';
import { FakeEngine } from '../../../src/engine/fake/index.js';
import type { LayerProgress } from '../../../src/engine/types.js';
import { push } from '../../../src/ops/push.js';
import { project } from './plan-helpers.js';

class SlowPushes extends FakeEngine {
  readonly inFlight = new Map<string, number>();
  readonly most = new Map<string, number>();
  overall = 0;
  mostOverall = 0;
  override async pushImage(ref: string, onProgress?: (line: LayerProgress) => void): Promise<void> {
    const repo = ref.split('/')[0];
    this.inFlight.set(repo, (this.inFlight.get(repo) ?? 0) + 1);
    this.most.set(repo, Math.max(this.most.get(repo) ?? 0, this.inFlight.get(repo)!));
    this.mostOverall = Math.max(this.mostOverall, ++this.overall);
    await new Promise((r) => setTimeout(r, 5));
    try {
      await super.pushImage(ref, onProgress);
    } finally {
      this.inFlight.set(repo, this.inFlight.get(repo)! - 1);
      this.overall--;
    }
  }
}

it('pushes a service\'s names one after another, and different services at once', async () => {
  const engine = new SlowPushes({ images: ['a/app:1', 'a/app:extra', 'a/app:more', 'b/api:1', 'b/api:extra'] });
  const yaml = `services:
  app:
    image: a/app:1
    build: { context: ., tags: [a/app:extra, a/app:more] }
  api:
    image: b/api:1
    build: { context: ., tags: [b/api:extra] }
`;
  const r = await push(engine, await project(yaml));
  expect([...r.pushed].sort()).toEqual(['a/app:1', 'a/app:extra', 'a/app:more', 'b/api:1', 'b/api:extra']);
  expect(engine.most.get('a')).toBe(1);
  expect(engine.most.get('b')).toBe(1);
  expect(engine.mostOverall).toBe(2);
});
