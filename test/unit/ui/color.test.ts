import { describe, expect, it } from 'vitest';
import { createChalk, resolveColor } from '../../../src/ui/index.js';

describe('resolveColor', () => {
  it.each([
    // ansi, env, isTTY, expected
    ['auto', {}, true, true],
    ['auto', {}, false, false],
    ['auto', { NO_COLOR: '1' }, true, false],
    ['auto', { NO_COLOR: '' }, true, true], // empty NO_COLOR is unset, per no-color.org
    ['auto', { FORCE_COLOR: '1' }, false, true],
    ['auto', { FORCE_COLOR: '' }, false, true],
    ['auto', { FORCE_COLOR: '0' }, true, false],
    ['auto', { FORCE_COLOR: 'false' }, true, false],
    ['auto', { NO_COLOR: '1', FORCE_COLOR: '1' }, true, false],
    ['auto', { TERM: 'dumb' }, true, false],
    ['auto', { TERM: 'dumb', FORCE_COLOR: '1' }, false, true],
    ['always', { NO_COLOR: '1' }, false, true],
    ['always', {}, false, true],
    ['never', { FORCE_COLOR: '1' }, true, false],
    ['never', {}, true, false],
  ] as const)('--ansi %s with %o on tty=%s -> %s', (ansi, env, isTTY, expected) => {
    expect(resolveColor({ ansi, env, isTTY })).toBe(expected);
  });

  it('defaults to auto on a non-TTY', () => {
    expect(resolveColor({ env: {} })).toBe(false);
  });
});

describe('createChalk', () => {
  it('follows the decision, not the environment', () => {
    expect(createChalk(true).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(createChalk(false).red('x')).toBe('x');
  });
});
