import { expect, inject, it } from 'vitest';
import { ServiceHandle } from 'berth';

const web = ServiceHandle.fromJSON(inject('web'));

it('reaches the web service on its published port', async () => {
  const res = await fetch(web.url(8080, '/index.html'));
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('hello from the example stack\n');
});

it('knows the containers behind the service', () => {
  expect(web.containers).toHaveLength(1);
  expect(web.containers[0].name).toMatch(/^berth-example-\d+-web-1$/);
});
