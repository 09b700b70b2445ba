// The pure parts of the dockerode engine: stream decoding, error mapping and document mapping. None of these
// load dockerode, so they run without an engine.
import { describe, expect, it } from 'vitest';
import { engineMessage, toEngineError } from '../../../src/engine/dockerode/errors.js';
import { toContainerInspect, toContainerSummary, toEngineEvent } from '../../../src/engine/dockerode/mapping.js';
import { NdjsonSplitter, demultiplex } from '../../../src/engine/dockerode/streams.js';
import { normalizeImageRef, splitImageRef } from '../../../src/engine/image-ref.js';
import { EngineError, ErrorCodes } from '../../../src/model/errors.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function modemError(statusCode: number, message: string, reason = 'server error'): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) ${reason} - ${message} `), {
    statusCode,
    reason,
    json: { message },
  });
}

describe('NdjsonSplitter', () => {
  it('reassembles objects split across chunks, including inside a multi-byte character', () => {
    const text = '{"Action":"start","n":1}\n{"Action":"héalth","n":2}\n\n{"Action":"die","n":3}';
    const bytes = Buffer.from(text);
    const splitter = new NdjsonSplitter();
    const out: unknown[] = [];
    // one byte at a time: every boundary, including between the two bytes of "é"
    for (let i = 0; i < bytes.length; i++) out.push(...splitter.push(bytes.subarray(i, i + 1)));
    expect(out).toEqual([
      { Action: 'start', n: 1 },
      { Action: 'héalth', n: 2 },
    ]);
    expect(splitter.end()).toEqual([{ Action: 'die', n: 3 }]);
    expect(splitter.end()).toEqual([]);
  });

  it('returns several objects from one chunk', () => {
    expect(new NdjsonSplitter().push('{"a":1}\r\n{"a":2}\n')).toEqual([{ a: 1 }, { a: 2 }]);
  });
});

describe('demultiplex', () => {
  it('joins stdout and stderr frames in order', () => {
    const body = Buffer.concat([frame(1, 'one\n'), frame(2, 'two\n'), frame(1, 'three\n')]);
    expect(demultiplex(body)).toBe('one\ntwo\nthree\n');
  });

  it('keeps a truncated final frame and ignores a partial header', () => {
    const body = Buffer.concat([frame(1, 'whole\n'), frame(2, 'partial line\n').subarray(0, 12)]);
    expect(demultiplex(body)).toBe('whole\npart');
    expect(demultiplex(Buffer.concat([frame(1, 'x'), Buffer.from([1, 0, 0])]))).toBe('x');
    expect(demultiplex(Buffer.alloc(0))).toBe('');
  });
});

describe('toEngineError', () => {
  const at = 'unix:///var/run/docker.sock';

  it.each(['ECONNREFUSED', 'ENOENT', 'EACCES'])('maps %s to ENGINE_UNREACHABLE with a one-line hint', (code) => {
    const err = toEngineError(
      Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code }),
      at,
    );
    expect(err.code).toBe(ErrorCodes.ENGINE_UNREACHABLE);
    expect(err.message).toMatch(
      new RegExp(`^cannot connect to the Docker engine at unix:///var/run/docker.sock: connect ${code} /var/run/docker.sock — `),
    );
    expect(err.message).toContain('(set DOCKER_HOST to point elsewhere)');
    expect(err.message).not.toContain('\n');
  });

  it.each(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'])('maps the TLS failure %s to ENGINE_UNREACHABLE naming the certificates', (code) => {
    const err = toEngineError(Object.assign(new Error('unable to verify the first certificate'), { code }), 'tcp://h:2376');
    expect(err.code).toBe(ErrorCodes.ENGINE_UNREACHABLE);
    expect(err.message).toMatch(/^cannot connect to the Docker engine at tcp:\/\/h:2376: unable to verify the first certificate — TLS certificates not accepted: check the CA/);
    expect(err.message).not.toContain('\n');
  });

  it('maps status codes and keeps the engine message without the modem prefix', () => {
    const notFound = toEngineError(modemError(404, 'No such container: x', 'no such container'), at);
    expect(notFound).toMatchObject({ code: ErrorCodes.ENGINE_NOT_FOUND, statusCode: 404, message: 'No such container: x' });
    const conflict = toEngineError(modemError(409, 'Conflict. The container name "/p-web-1" is already in use'), at);
    expect(conflict).toMatchObject({ code: ErrorCodes.ENGINE_CONFLICT, statusCode: 409 });
    expect(conflict.message).toContain('p-web-1');
    const port = toEngineError(
      modemError(500, 'driver failed programming external connectivity on endpoint p-web-1: Bind for 0.0.0.0:8080 failed: port is already allocated'),
      at,
    );
    expect(port.code).toBe(ErrorCodes.ENGINE_PORT_IN_USE);
    const listen = toEngineError(modemError(500, 'Error starting userland proxy: listen tcp4 0.0.0.0:80: bind: address already in use'), at);
    expect(listen.code).toBe(ErrorCodes.ENGINE_PORT_IN_USE);
    expect(toEngineError(modemError(500, 'something broke'), at)).toMatchObject({
      code: ErrorCodes.ENGINE_FAILED,
      message: 'something broke',
      statusCode: 500,
    });
  });

  it('treats engine 20.10 403s about existing endpoints as conflicts', () => {
    expect(toEngineError(modemError(403, 'endpoint with name c already exists in network n'), at).code).toBe(
      ErrorCodes.ENGINE_CONFLICT,
    );
    expect(toEngineError(modemError(403, 'error while removing network: network n id 1 has active endpoints'), at).code).toBe(
      ErrorCodes.ENGINE_CONFLICT,
    );
    expect(toEngineError(modemError(403, 'bridge is a pre-defined network and cannot be removed'), at).code).toBe(
      ErrorCodes.ENGINE_FAILED,
    );
  });

  it('strips the prefix when the cause came from a stream (no json)', () => {
    const err = Object.assign(new Error('(HTTP code 404) unexpected - No such image: x '), { statusCode: 404, json: null });
    expect(engineMessage(err)).toBe('No such image: x');
  });

  it('passes EngineErrors through', () => {
    const original = new EngineError(ErrorCodes.ENGINE_FAILED, 'x');
    expect(toEngineError(original, at)).toBe(original);
  });
});

describe('mapping', () => {
  it('reduces a container list entry', () => {
    const summary = toContainerSummary({
      Id: 'abc',
      Names: ['/other/link', '/p-web-1'],
      Image: 'busybox:local',
      ImageID: 'sha256:1',
      Command: 'sleep 1',
      Created: 5,
      Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 53, Type: 'udp' }],
      Labels: null,
      State: 'Running',
      Status: 'Up 1 second',
      NetworkSettings: { Networks: { p_default: {} } },
      Mounts: [{ Type: 'volume', Name: 'p_data', Source: '/var/lib/x', Destination: '/data' }],
    });
    expect(summary).toEqual({
      id: 'abc',
      name: 'p-web-1',
      image: 'busybox:local',
      imageId: 'sha256:1',
      command: 'sleep 1',
      created: 5,
      state: 'running',
      status: 'Up 1 second',
      labels: {},
      ports: [
        { privatePort: 80, publicPort: 8080, ip: '0.0.0.0', type: 'tcp' },
        { privatePort: 53, type: 'udp' },
      ],
      networks: ['p_default'],
      mounts: [{ type: 'volume', name: 'p_data', source: '/var/lib/x', destination: '/data' }],
    });
  });

  it('reduces an inspect document, with health only when present and zero times dropped', () => {
    const doc = {
      Id: 'abc',
      Name: '/p-web-1',
      Image: 'sha256:1',
      State: {
        Status: 'created',
        Running: false,
        ExitCode: 0,
        StartedAt: '0001-01-01T00:00:00Z',
        FinishedAt: '0001-01-01T00:00:00Z',
      },
      Config: { Image: 'busybox', Labels: { a: 'b' }, Env: null, Cmd: ['sh'], Entrypoint: null },
      NetworkSettings: { Networks: { p_default: { Aliases: ['web', 'abc'], IPAddress: '', NetworkID: 'n1' } } },
      Mounts: [],
    };
    const inspect = toContainerInspect(doc);
    expect(inspect).toMatchObject({
      id: 'abc',
      name: 'p-web-1',
      image: 'sha256:1',
      state: { status: 'created', running: false, exitCode: 0 },
      config: { image: 'busybox', labels: { a: 'b' }, env: [], cmd: ['sh'] },
      networks: { p_default: { aliases: ['web', 'abc'], networkId: 'n1' } },
      raw: doc,
    });
    expect(inspect.state).not.toHaveProperty('health');
    expect(inspect.state).not.toHaveProperty('startedAt');
    expect(inspect.config).not.toHaveProperty('entrypoint');
    expect(toContainerInspect({ ...doc, State: { ...doc.State, Health: { Status: 'healthy' } } }).state.health).toBe('healthy');
  });

  it('maps events', () => {
    expect(
      toEngineEvent({
        status: 'health_status: healthy',
        id: 'abc',
        Type: 'container',
        Action: 'health_status: healthy',
        Actor: { ID: 'abc', Attributes: { name: 'p-web-1', 'com.docker.compose.project': 'p' } },
        scope: 'local',
        time: 1700000000,
        timeNano: 1700000000123456800,
      }),
    ).toEqual({
      type: 'container',
      action: 'health_status: healthy',
      id: 'abc',
      attributes: { name: 'p-web-1', 'com.docker.compose.project': 'p' },
      timeNano: 1700000000123456800,
    });
    expect(toEngineEvent({ nothing: true })).toBeUndefined();
  });
});

describe('image references', () => {
  it.each([
    ['busybox', { name: 'busybox' }, 'busybox:latest'],
    ['busybox:1.36', { name: 'busybox', tag: '1.36' }, 'busybox:1.36'],
    ['localhost:5000/app', { name: 'localhost:5000/app' }, 'localhost:5000/app:latest'],
    ['localhost:5000/app:v1', { name: 'localhost:5000/app', tag: 'v1' }, 'localhost:5000/app:v1'],
    ['docker.io/library/redis:7', { name: 'docker.io/library/redis', tag: '7' }, 'redis:7'],
    ['docker.io/bitnami/redis', { name: 'docker.io/bitnami/redis' }, 'bitnami/redis:latest'],
    ['app@sha256:abc', { name: 'app', digest: 'sha256:abc' }, 'app@sha256:abc'],
    ['app:v1@sha256:abc', { name: 'app', tag: 'v1', digest: 'sha256:abc' }, 'app:v1@sha256:abc'],
  ])('%s', (ref, parts, normalized) => {
    expect(splitImageRef(ref)).toEqual(parts);
    expect(normalizeImageRef(ref)).toBe(normalized);
  });
});
