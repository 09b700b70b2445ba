// project/project-name.json (CLI- and loader-level name, env and file selection), full-example/ and
// e2e/config-expectations.json (substrings of `config` output).

import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadProjectSync, serializeConfig, type LoadOptions } from '../../../src/config/index.js';
import { CORPUS_DIR, conformanceFamily, family, readCorpus } from './corpus.js';
import { checkAssertions, checkRejection, type Assertion } from './model.js';

interface ProjectCase {
  id: string;
  level?: 'loader';
  cwd?: string;
  files?: string[];
  compose?: string;
  composes?: string[];
  env?: Record<string, string>;
  dotenv_content?: string;
  options: {
    name?: string;
    working_dir?: string;
    env?: Record<string, string>;
    os_env?: Record<string, string>;
    dotenv?: boolean;
    env_files?: string[];
    config_file_env?: boolean;
    default_config_path?: boolean;
    project_name?: string;
  };
  expected?: { name?: string; assert?: Assertion[]; compose_files?: string[]; environment?: Record<string, string>; project_environment?: Record<string, string> };
  error?: { contains?: string; equals?: string };
}

function runProject(c: ProjectCase): void {
  const o = c.options ?? {};
  let opts: LoadOptions;
  let tmp: string | undefined;
  if (c.level === 'loader') {
    const sources = c.composes ?? [c.compose!];
    tmp = mkdtempSync(path.join(tmpdir(), 'berth-proj-'));
    opts = {
      cwd: tmp,
      configFiles: sources.map((content, i) => ({ name: `filename${i}.yml`, content })),
      env: c.env ?? {},
      dotenv: false,
      projectName: o.project_name,
      projectNameFromDirectory: false,
    };
  } else {
    let cwd = path.join(CORPUS_DIR, 'project', c.cwd ?? '.');
    if (c.dotenv_content !== undefined) {
      tmp = mkdtempSync(path.join(tmpdir(), 'berth-proj-'));
      writeFileSync(path.join(tmp, '.env'), c.dotenv_content);
      writeFileSync(path.join(tmp, 'compose.yaml'), 'services:\n  x:\n    image: x\n');
      cwd = tmp;
    }
    const env = { ...(o.os_env ?? {}), ...(o.env ?? {}) };
    if (!o.config_file_env) delete env.COMPOSE_FILE;
    opts = {
      cwd,
      files: c.files && c.files.length ? c.files : undefined,
      projectName: o.name || undefined,
      projectDirectory: o.working_dir,
      env,
      dotenv: o.dotenv !== false,
      envFiles: o.env_files,
    };
  }
  try {
    if (c.error) {
      checkRejection(() => loadProjectSync(opts), c.error);
      return;
    }
    const p = loadProjectSync(opts);
    const e = c.expected!;
    if (e.name !== undefined) expect(p.name).toBe(e.name);
    if (e.assert) checkAssertions(p, e.assert);
    if (e.compose_files) expect(p.meta.composeFiles).toEqual(e.compose_files.map((f) => f.replace('<abs>', path.join(CORPUS_DIR, 'project'))));
    if (e.environment) expect(p.meta.environment).toMatchObject(e.environment);
    if (e.project_environment) expect(p.meta.environment).toMatchObject(e.project_environment);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

conformanceFamily('project', (caseIt) => {
  for (const c of family<ProjectCase>('project/project-name.json')) caseIt(c.id, `${c.id}`, () => runProject(c));
});

interface FullExample {
  files: string[];
  environment: Record<string, string>;
  options: { skipNormalization?: boolean; skipConsistencyCheck?: boolean; resolvePaths?: boolean };
  expected_yaml: string;
  expected_json: string;
}

conformanceFamily('full-example', (caseIt) => {
  caseIt('full-example', 'full-example (YAML and JSON, byte for byte)', () => {
    const dir = `${CORPUS_DIR}full-example`;
    const c = readCorpus<FullExample>('full-example/case.json');
    const home = '/home/berth-test';
    const env = { ...c.environment, HOME: home };
    const p = loadProjectSync({
      cwd: dir,
      files: c.files,
      env,
      dotenv: false,
      normalize: !c.options.skipNormalization,
      consistency: !c.options.skipConsistencyCheck,
      resolvePaths: c.options.resolvePaths !== false,
      // the case is compose-go's loader with its default options, which keep env_file/label_file entries
      // (`docker compose` itself discards them, berth's default)
      discardEnvFiles: false,
    });
    const fill = (s: string) => s.replaceAll('__WORKING_DIR__', dir).replaceAll('__HOME_DIR__', home);
    const yamlText = serializeConfig(p, 'yaml');
    const jsonText = serializeConfig(p, 'json');
    const expectedYaml = fill(readFileSync(`${dir}/${c.expected_yaml}`, 'utf8'));
    const expectedJson = fill(readFileSync(`${dir}/${c.expected_json}`, 'utf8'));
    // parsed trees first (the corpus' rule; gives a readable diff), then the bytes, as the Go test compared them
    expect(parseYaml(yamlText)).toEqual(parseYaml(expectedYaml));
    expect(JSON.parse(jsonText)).toEqual(JSON.parse(expectedJson));
    expect(yamlText).toBe(expectedYaml);
    expect(jsonText).toBe(expectedJson);
  });
});

interface E2eCase {
  id: string;
  project_dir: string;
  project_name?: string;
  compose_files?: string[];
  cwd?: string;
  args: string[];
  env: Record<string, string>;
  extra_files?: Record<string, string>;
  expected: { exit_code: number; output_contains?: string[] };
}

conformanceFamily('e2e', (caseIt) => {
  for (const c of family<E2eCase>('e2e/config-expectations.json')) {
    caseIt(c.id, c.id, async () => {
      const { runConfig } = await import('./run-config.js');
      const e2e = `${CORPUS_DIR}e2e`;
      const tmp = mkdtempSync(path.join(tmpdir(), 'berth-e2e-'));
      try {
        let args = c.args.map((a) => a.replaceAll('<tmp>', tmp));
        for (const [f, content] of Object.entries(c.extra_files ?? {})) {
          mkdirSync(path.dirname(f.replace('<tmp>', tmp)), { recursive: true });
          writeFileSync(f.replace('<tmp>', tmp), content);
        }
        const cwd = path.join(e2e, c.cwd ?? c.project_dir);
        if (c.cwd === undefined) args = ['-f', path.join(e2e, c.project_dir, 'compose.yaml'), ...(c.project_name ? ['--project-name', c.project_name] : []), ...args];
        const { code, stdout, stderr } = await runConfig(args, cwd, c.env);
        expect(code, stderr).toBe(c.expected.exit_code);
        for (const s of c.expected.output_contains ?? []) expect(stdout + stderr).toContain(s.replaceAll('__PROJECT_DIR__', path.join(e2e, c.project_dir)));
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});
