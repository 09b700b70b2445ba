// The build route's parameters (API 1.41, as the docker CLI passes them with a session) and the decoding of
// BuildKit's trace messages (StatusResponse, protobuf in base64) into progress.
import { describe, expect, it } from 'vitest';
import { buildQuery, decodeTrace } from '../../../src/engine/dockerode/buildkit/build.js';
import { protoType } from '../../../src/engine/dockerode/buildkit/proto.js';

describe('buildQuery', () => {
  it('passes the session, the Dockerfile name and every build key the route knows', () => {
    const q = buildQuery(
      {
        tags: ['p-web', 'reg/web:1'],
        dockerfile: 'app.Dockerfile',
        context: { path: '/c' },
        dockerfileDir: { path: '/c/docker' },
        sessionName: 'web',
        sharedKey: 'k',
        buildArgs: { A: '1' },
        labels: { l: 'v' },
        target: 'prod',
        noCache: true,
        pull: true,
        networkMode: 'host',
        shmSize: 1024,
        extraHosts: ['db:10.0.0.2', 'cache:10.0.0.3'],
        cacheFrom: ['reg/web:cache'],
      },
      'sess1',
      'build1',
    );
    const params = new URLSearchParams(q.slice('/build?'.length));
    expect(q.startsWith('/build?')).toBe(true);
    expect(Object.fromEntries([...new Set(params.keys())].map((k) => [k, params.getAll(k)]))).toEqual({
      version: ['2'],
      remote: ['client-session'],
      session: ['sess1'],
      buildid: ['build1'],
      dockerfile: ['app.Dockerfile'],
      t: ['p-web', 'reg/web:1'],
      buildargs: ['{"A":"1"}'],
      labels: ['{"l":"v"}'],
      target: ['prod'],
      nocache: ['1'],
      pull: ['1'],
      networkmode: ['host'],
      shmsize: ['1024'],
      extrahosts: ['db:10.0.0.2', 'cache:10.0.0.3'],
      cachefrom: ['["reg/web:cache"]'],
    });
  });
});

describe('decodeTrace', () => {
  it('turns a StatusResponse into vertexes, statuses and logs with ms timestamps', async () => {
    const StatusResponse = await protoType('moby.buildkit.v1.StatusResponse');
    const bytes = StatusResponse.encode(
      StatusResponse.fromObject({
        vertexes: [{ digest: 'sha256:a', name: '[2/2] RUN make', cached: false, started: { seconds: 1700000000, nanos: 250_000_000 }, completed: { seconds: 1700000001, nanos: 0 }, error: 'exit code: 2' }],
        statuses: [{ ID: 'transferring context:', vertex: 'sha256:b', current: 5000, total: 0, started: { seconds: 1700000000 }, completed: { seconds: 1700000000, nanos: 500_000_000 } }],
        logs: [{ vertex: 'sha256:a', stream: 2, msg: Buffer.from('oops\n'), timestamp: { seconds: 1700000000, nanos: 900_000_000 } }],
      }),
    ).finish();
    const p = await decodeTrace(Buffer.from(bytes).toString('base64'));
    expect(p.vertexes).toEqual([{ digest: 'sha256:a', name: '[2/2] RUN make', cached: false, started: 1700000000250, completed: 1700000001000, error: 'exit code: 2' }]);
    expect(p.statuses).toEqual([{ vertex: 'sha256:b', id: 'transferring context:', name: '', current: 5000, total: 0, started: 1700000000000, completed: 1700000000500 }]);
    expect(p.logs.map((l) => ({ ...l, data: Buffer.from(l.data).toString() }))).toEqual([{ vertex: 'sha256:a', stream: 2, data: 'oops\n', timestamp: 1700000000900 }]);
  });
});
