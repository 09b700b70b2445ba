// The floor for `down` in Node (bench/startup.mjs runs it as a tool of its own in the down case): a bare Node
// process that makes the engine calls berth's `down -t 1` makes for a project of independent services with its
// default network, in the same order (the containers and networks listed at once; every running container
// stopped at once, each removed as soon as its stop returns; then the project's networks), over node:http,
// and exits. No CLI, no compose file, no project cache, no dependency order: what is left is Node's own start,
// loading node:http, and the engine's work.
// Usage: node bench/down-floor.cjs <project>   (DOCKER_HOST: unix sockets only; default /var/run/docker.sock)
'use strict';
/* global require, process, Buffer, setTimeout */
// CommonJS, not an ES module: Node's ESM loader would add its own start-up cost to the floor
// eslint-disable-next-line @typescript-eslint/no-require-imports
const http = require('node:http');

const [project] = process.argv.slice(2);
const host = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
if (!host.startsWith('unix://')) throw new Error(`down-floor: only unix:// engines (${host})`);
const socketPath = host.slice('unix://'.length);
const agent = new http.Agent({ keepAlive: true });
const filters = encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }));

function call(method, path, ok) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path, agent, method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (!ok.includes(res.statusCode)) return reject(new Error(`${method} ${path}: ${res.statusCode}`));
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(text ? JSON.parse(text) : undefined);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

(async () => {
  const [containers, networks] = await Promise.all([call('GET', `/containers/json?all=true&filters=${filters}`, [200]), call('GET', `/networks?filters=${filters}`, [200])]);
  await Promise.all(
    containers.map(async (c) => {
      if (c.State === 'running') await call('POST', `/containers/${c.Id}/stop?t=1`, [204, 304]);
      await call('DELETE', `/containers/${c.Id}?force=true&v=false`, [204]);
    }),
  );
  // engine 20.10 can refuse a network for a moment after its last container went, or for good (a leaked
  // endpoint count): retried as berth's down retries it (ops/down.ts), giving up after a second
  await Promise.all(
    networks.map(async (n) => {
      const started = Date.now();
      for (;;) {
        try {
          return await call('DELETE', `/networks/${encodeURIComponent(n.Name)}`, [204, 404]);
        } catch (err) {
          if (!/: 403$|: 409$|: 500$/.test(err.message) || Date.now() - started > 1000) return process.stderr.write(`${err.message}\n`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }),
  );
})().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
