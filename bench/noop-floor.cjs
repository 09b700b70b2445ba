// The floor for a no-op `up -d` in Node (bench/startup.mjs runs it as a tool of its own): a bare Node process
// that makes the engine calls berth's no-op up makes for a project that declares no volumes, as the benches'
// stacks (the project's containers and networks listed at once; berth lists volumes only for a project that
// declares some, and inspects no image that a container is listed under: ops/observe.ts) over node:http, and
// exits. No CLI, no compose file, no project cache: what is left is Node's own start, loading node:http, and
// the engine's answers.
// Usage: node bench/noop-floor.cjs <project>   (DOCKER_HOST: unix sockets only; default /var/run/docker.sock)
'use strict';
/* global require, process, Buffer */
// CommonJS, not an ES module: Node's ESM loader would add its own start-up cost to the floor
// eslint-disable-next-line @typescript-eslint/no-require-imports
const http = require('node:http');

const [project] = process.argv.slice(2);
const host = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
if (!host.startsWith('unix://')) throw new Error(`noop-floor: only unix:// engines (${host})`);
const socketPath = host.slice('unix://'.length);
const agent = new http.Agent({ keepAlive: true });
const filters = encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }));

function get(path) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path, agent, method: 'GET' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode < 300 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

Promise.all([get(`/containers/json?all=true&filters=${filters}`), get(`/networks?filters=${filters}`)]).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
