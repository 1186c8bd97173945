import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

/*
 * A task module may lie anywhere (`lopt train --task /tmp/x/my-task.mjs`) and import TensorFlow.js
 * and lopt's packages. From its own directory those imports would fail, or find another copy
 * (a second tfjs-core has its own Tensor class and kernels, which breaks training silently or
 * loudly). A resolve hook (Node's module customization hooks, module.register, Node ≥ 20.6)
 * resolves them as if the CLI itself imported them, so the task gets the very copies the CLI
 * runs on. Other imports resolve from the module's directory as usual.
 */

/** Packages a task module shares with the CLI, resolved from the CLI's own dependencies. */
export const SHARED_PACKAGES = ['@tensorflow/tfjs-core', '@lopt/core', '@lopt/datasets', '@lopt/optimizees'] as const;

/** Shared too, resolved from @lopt/backends, which depends on it (the CLI does not directly). */
const VIA_BACKENDS = ['@tensorflow/tfjs-layers'] as const;

// Runs on Node's hooks thread: plain JavaScript, sent as a data: URL so that it loads the same
// from the TypeScript source (tests) and from dist. `parents` maps a package name to a module URL
// it resolves from; subpaths (`@tensorflow/tfjs-core/dist/…`) follow their package.
const HOOK = `
let parents = {};
export function initialize(data) { parents = data.parents; }
export async function resolve(specifier, context, nextResolve) {
  const match = /^(@[^/]+\\/[^/]+|[^./][^/:]*)/.exec(specifier);
  const parent = match === null ? undefined : parents[match[1]];
  if (parent === undefined || context.parentURL === parent) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, parentURL: parent });
}`;

let shared = false;

/**
 * Makes every later `import` of the shared packages, from any module, resolve to the CLI's
 * copies. Idempotent. Returns false where Node has no module.register (before 20.6): imports
 * then resolve from the module's own directory.
 */
export function shareCliPackages(): boolean {
  if (shared) return true;
  if (typeof register !== 'function') return false;
  const self = import.meta.url;
  const parents: Record<string, string> = Object.fromEntries(SHARED_PACKAGES.map((name) => [name, self]));
  try {
    const backends = pathToFileURL(createRequire(self).resolve('@lopt/backends')).href;
    for (const name of VIA_BACKENDS) parents[name] = backends;
  } catch {
    // No @lopt/backends beside the CLI: tfjs-layers then resolves from the module's directory.
  }
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`, { data: { parents } });
  shared = true;
  return true;
}
