import { describe, expect, it } from 'vitest';
import { formatDuration, normalizeDuration, parseByteSize, parseDuration } from '../../../src/model/units.js';

describe('Go durations', () => {
  it.each([
    ['1m30s', 90_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['0', 0],
    ['1h2m3s4ms', 3_723_004],
    ['2us', 0.002],
    ['-5s', -5_000],
  ])('parseDuration(%s) = %d ms', (s, ms) => expect(parseDuration(s)).toBeCloseTo(ms, 9));

  it.each(['', '5', 'abc', '1x', '1m30'])('rejects %j', (s) => expect(() => parseDuration(s)).toThrow());

  it.each([
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [500, '500ms'],
    [1_500, '1.5s'],
    [0, '0s'],
    [0.002, '2µs'],
    [1.5, '1.5ms'],
    [7_384_500, '2h3m4.5s'],
  ])('formatDuration(%d) = %s', (ms, s) => expect(formatDuration(ms)).toBe(s));

  it('normalizes as compose prints', () => {
    expect(normalizeDuration('90s')).toBe('1m30s');
    expect(normalizeDuration('1h')).toBe('1h0m0s');
    expect(normalizeDuration('0s')).toBe('0s');
  });
});

describe('byte sizes', () => {
  it.each([
    ['512m', 536_870_912],
    ['1g', 1_073_741_824],
    ['1GB', 1_073_741_824],
    ['64MiB', 67_108_864],
    ['1.5k', 1_536],
    ['1024', 1_024],
    ['10b', 10],
  ])('parseByteSize(%s) = %d', (s, n) => expect(parseByteSize(s)).toBe(n));
  it('passes numbers through', () => expect(parseByteSize(42)).toBe(42));
  it.each(['', 'lots', '1x', '-1m'])('rejects %j', (s) => expect(() => parseByteSize(s)).toThrow());
});
