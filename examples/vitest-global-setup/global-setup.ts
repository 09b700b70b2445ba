// vitest globalSetup: bring the stack up once for the whole run, hand the tests where to reach it, and take it
// down afterwards, even when tests fail. No docker compose binary involved.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { createStack, type ServiceHandleJSON } from 'berth';

declare module 'vitest' {
  export interface ProvidedContext {
    web: ServiceHandleJSON;
  }
}

export default async function setup(project: TestProject) {
  const here = dirname(fileURLToPath(import.meta.url));
  const stack = await createStack({ projectDirectory: here, files: [`${here}/compose.yaml`], projectName: `berth-example-${process.pid}` });
  try {
    await stack.up({ waitFor: { web: { http: '/index.html', port: 8080 } }, waitTimeout: 60 });
  } catch (err) {
    await stack[Symbol.asyncDispose]();
    throw err;
  }
  project.provide('web', stack.service('web').toJSON());
  return () => stack[Symbol.asyncDispose]();
}
