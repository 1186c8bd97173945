#!/usr/bin/env node
/*
 * Checks the workspace's dependency rules (layers.mjs) on every package's src/: which package may
 * import which, no backend in a library, no app importing an app, no import circles, and that each
 * package.json declares what its code imports and nothing the rules forbid. Prints one line per
 * violation, led by the rule's name; exits 1 if there is any, 2 if it could not run.
 *
 *   node tools/dependency-rules/src/check.mjs [--root <workspace dir>]
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { cruise } from 'dependency-cruiser';

import { LIBRARIES, TEST_ONLY, allowedImports } from './layers.mjs';
import { TEST, forbiddenRules } from './rules.mjs';

function workspacePackages(root) {
  const found = [];
  for (const top of ['packages', 'apps']) {
    if (!existsSync(join(root, top))) continue;
    for (const dir of readdirSync(join(root, top)).sort()) {
      const manifest = join(root, top, dir, 'package.json');
      if (!existsSync(manifest)) continue;
      found.push({ top, dir, path: `${top}/${dir}`, manifest: JSON.parse(readFileSync(manifest, 'utf8')) });
    }
  }
  return found;
}

/** The package a bare specifier names ('@scope/name/sub' -> '@scope/name'); undefined for a relative or builtin one. */
function packageName(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  return builtinModules.includes(name) ? undefined : name;
}

function manifestViolations(pkgs, modules) {
  const out = [];
  const byName = new Map(pkgs.map((p) => [p.manifest.name, p]));
  for (const p of pkgs) {
    const m = p.manifest;
    const runtime = new Set([...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {})]);
    const dev = new Set(Object.keys(m.devDependencies ?? {}));
    // Declared workspace dependencies must be ones the rules allow.
    for (const [section, names] of [['dependencies', runtime], ['devDependencies', dev]]) {
      for (const name of names) {
        const target = byName.get(name);
        if (target === undefined) continue;
        const ok =
          p.top === 'apps'
            ? target.top !== 'apps'
            : target.top === 'packages' && [...allowedImports(p.dir), ...(section === 'devDependencies' ? TEST_ONLY : [])].includes(target.dir);
        if (!ok) out.push(`package-json-forbidden: ${p.path}/package.json lists ${name} in ${section}, which the dependency rules do not allow`);
      }
    }
    // What the code imports must be declared (runtime code: dependencies or peers).
    for (const mod of modules) {
      if (!mod.source.startsWith(`${p.path}/src/`)) continue;
      const isTest = new RegExp(TEST).test(mod.source);
      for (const dep of mod.dependencies) {
        // A subpath import ('#platform-io') is the package's own, declared in its "imports" field.
        if (dep.module.startsWith('#')) {
          if (m.imports?.[dep.module] === undefined) out.push(`package-json-undeclared: ${mod.source} imports ${dep.module}, which the "imports" field of ${p.path}/package.json does not define`);
          continue;
        }
        const name = packageName(dep.module);
        if (name === undefined || name === m.name) continue;
        if (runtime.has(name) || (isTest && dev.has(name))) continue;
        out.push(`package-json-undeclared: ${mod.source} imports ${dep.module}, which ${p.path}/package.json does not list${dev.has(name) ? ' outside devDependencies' : ''}`);
      }
    }
  }
  return out;
}

export async function checkDependencies(root) {
  const pkgs = workspacePackages(root);
  const unknown = pkgs.filter((p) => p.top === 'packages' && !(p.dir in LIBRARIES));
  const lines = unknown.map((p) => `unknown-package: ${p.path} is not in tools/dependency-rules/src/layers.mjs (add one line saying what it may import)`);
  const libraries = pkgs.filter((p) => p.top === 'packages');
  const sources = pkgs.map((p) => `${p.path}/src`).filter((d) => existsSync(join(root, d)));
  const { output } = await cruise(sources, {
    baseDir: root,
    validate: true,
    ruleSet: { forbidden: forbiddenRules(libraries.map((p) => p.dir), libraries.filter((p) => p.manifest.exports?.['./node'] !== undefined).map((p) => p.dir)) },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    enhancedResolveOptions: {
      conditionNames: ['@lopt/source', 'import', 'node', 'default', 'types'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.d.ts', '.json'],
      extensionAlias: { '.js': ['.ts', '.js'], '.mjs': ['.mts', '.mjs'] },
    },
  });
  for (const v of output.summary.violations) {
    const where = v.cycle ? [v.from, ...v.cycle.map((c) => c.name ?? c)].join(' -> ') : `${v.from} -> ${v.to}`;
    lines.push(`${v.rule.name}: ${where}`);
  }
  lines.push(...manifestViolations(pkgs, output.modules));
  return { violations: lines, modules: output.modules.length };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { root: { type: 'string' } } });
  const root = resolve(values.root ?? process.cwd());
  let result;
  try {
    result = await checkDependencies(root);
  } catch (error) {
    process.stderr.write(`dependency rules: could not check ${root}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const { violations, modules } = result;
  for (const line of violations) process.stderr.write(`${line}\n`);
  if (violations.length > 0) {
    process.stderr.write(`\n${violations.length} dependency rule violation(s) in ${modules} modules; the rules are in tools/dependency-rules/src/layers.mjs.\n`);
    process.exit(1);
  }
  process.stdout.write(`dependency rules hold (${modules} modules).\n`);
}
