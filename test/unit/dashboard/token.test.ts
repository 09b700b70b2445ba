import { describe, expect, it } from 'vitest';
import { newToken, tokenMatches } from '../../../src/dashboard/token.js';

describe('dashboard token', () => {
  it('is 192 random bits, URL-safe, new every run', () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newToken()).not.toBe(a);
  });

  it('matches only the exact token', () => {
    const t = newToken();
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t, `${t}`.slice(0))).toBe(true);
    for (const wrong of [t.slice(0, -1), `${t}x`, t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase(), '', ' ' + t, undefined, null]) {
      expect(tokenMatches(t, wrong)).toBe(false);
    }
  });

  it('never matches when no token was set', () => {
    expect(tokenMatches('', '')).toBe(false);
  });
});
