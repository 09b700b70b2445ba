// interpolation/template.json (one string) and interpolation/tree.json (a whole tree) from the corpus.

import { expect } from 'vitest';
import { ConfigError, ErrorCodes } from '../../../src/model/errors.js';
import { interpolateTree, substitute, TemplateError, type CastType } from '../../../src/config/interpolate.js';
import { braceOperator, extractVariables } from '../../../src/config/template.js';
import { conformanceFamily, family } from './corpus.js';

interface TemplateCase {
  id: string;
  template: string;
  env: Record<string, string>;
  expected?: string;
  error?: { contains: string; kind?: string; variable?: string; reason?: string };
}
interface TreeCase {
  id: string;
  input: unknown;
  env: Record<string, string>;
  casts?: Record<string, CastType>;
  expected?: unknown;
  error?: { equals: string; kind?: string };
}


const templates = family<TemplateCase>('interpolation/template.json');
const trees = family<TreeCase>('interpolation/tree.json');

interface OperatorCase {
  id: string;
  braced_content: string;
  operator: string;
}
interface ExtractCase {
  id: string;
  input: unknown;
  expected: unknown;
}

conformanceFamily('interpolation', (caseIt) => {
  for (const c of templates) caseIt(c.id, `template ${c.id} ${JSON.stringify(c.template)}`, () => runTemplate(c));
  for (const c of trees) caseIt(c.id, `tree ${c.id}`, () => runTree(c));
  for (const c of family<OperatorCase>('interpolation/operator-precedence.json')) {
    caseIt(c.id, `operator ${c.id} ${c.braced_content}`, () => expect(braceOperator(c.braced_content)).toBe(c.operator));
  }
  for (const c of family<ExtractCase>('interpolation/extract-variables.json')) {
    caseIt(c.id, `variables ${c.id}`, () => expect(extractVariables(c.input)).toEqual(c.expected));
  }
});

function runTemplate(c: TemplateCase) {
  const lookup = (name: string) => (Object.hasOwn(c.env, name) ? c.env[name] : undefined);
  if (c.error) {
    let caught: unknown;
    try {
      substitute(c.template, lookup);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    const err = caught as TemplateError;
    // our invalid-template wording differs from compose's ("Invalid template" vs ours): compare kinds
    if (c.error.kind) expect(err.kind).toBe(c.error.kind);
    if (err.kind === 'missing_required') expect(err.message).toContain(c.error.contains);
    if (c.error.variable) expect(err.variable).toBe(c.error.variable);
    if (c.error.reason) expect(err.reason).toBe(c.error.reason);
  } else {
    expect(substitute(c.template, lookup)).toBe(c.expected);
  }
}


function runTree(c: TreeCase) {
  const options = {
    lookup: (name: string) => (Object.hasOwn(c.env, name) ? c.env[name] : undefined),
    casts: c.casts ?? {},
  };
  if (!c.error) {
    expect(interpolateTree(c.input, options)).toEqual(c.expected);
    return;
  }
  let caught: unknown;
  try {
    interpolateTree(c.input, options);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const err = caught as ConfigError;
  // compose: "error while interpolating <path>: <message>" or "invalid interpolation format for <path>.\n..."
  const required = /^error while interpolating ([^:]+): (.*)$/s.exec(c.error.equals);
  const invalid = /^invalid interpolation format for ([^\n]+)\.\n/.exec(c.error.equals);
  if (required) {
    expect(err.code).toBe(ErrorCodes.MISSING_REQUIRED_VARIABLE);
    expect(err.keyPath).toBe(required[1]);
    expect(err.message).toContain(required[2]);
  } else if (invalid) {
    expect(err.code).toBe(ErrorCodes.INTERPOLATION);
    expect(err.keyPath).toBe(invalid[1]);
  } else {
    throw new Error(`unrecognized expected error: ${c.error.equals}`);
  }
  expect(err.message).not.toContain('\n');
}
