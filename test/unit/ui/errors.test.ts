import { describe, expect, it } from 'vitest';
import { BerthError, ConfigError, ErrorCodes } from '../../../src/model/errors.js';
import { formatError } from '../../../src/ui/index.js';

describe('formatError', () => {
  it('prints one line for berth and plain errors', () => {
    expect(formatError(new BerthError(ErrorCodes.NO_SUCH_SERVICE, 'no such service: foo'), false, {})).toBe('Error: no such service: foo');
    expect(formatError(new Error('boom'), false, {})).toBe('Error: boom');
    expect(
      formatError(new ConfigError(ErrorCodes.SCHEMA, 'bad', { position: { file: 'compose.yaml', line: 3, col: 5 }, keyPath: 'services.web' }), false, {}),
    ).toBe('Error: compose.yaml:3:5 services.web: bad');
  });

  it('handles non-errors', () => {
    expect(formatError('plain text', false, {})).toBe('Error: plain text');
    expect(formatError({ code: 1 }, false, {})).toBe('Error: {"code":1}');
  });

  it('does not double an engine message that already says Error', () => {
    expect(formatError(new Error('Error response from daemon: conflict'), false, {})).toBe('Error response from daemon: conflict');
  });

  it('is red when colour is on', () => {
    expect(formatError(new Error('boom'), true, {})).toBe('\u001b[31mError: boom\u001b[39m');
  });

  it('adds stack and causes only with BERTH_DEBUG', () => {
    const err = new BerthError(ErrorCodes.ENGINE_FAILED, 'outer', { cause: new Error('inner') });
    expect(formatError(err, false, {}).split('\n')).toHaveLength(1);
    const debug = formatError(err, false, { BERTH_DEBUG: '1' });
    expect(debug.split('\n')[0]).toBe('Error: outer');
    expect(debug).toContain('Caused by: inner');
    expect(debug).toMatch(/\n\s+at /);
  });
});
