// fullImageRef: the reference as the registry is asked for it (and as `config --resolve-image-digests` writes it).
import { describe, expect, it } from 'vitest';
import { fullImageRef } from '../../../src/engine/image-ref.js';

describe('fullImageRef', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['me/app', 'docker.io/me/app:latest'],
    ['docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
    ['localhost/app', 'localhost/app:latest'],
    ['127.0.0.1:5000/a/b:t', '127.0.0.1:5000/a/b:t'],
    ['ghcr.io/o/r', 'ghcr.io/o/r:latest'],
    ['busybox:1@sha256:abc', 'docker.io/library/busybox@sha256:abc'],
  ])('%s → %s', (ref, want) => {
    expect(fullImageRef(ref)).toBe(want);
  });
});
