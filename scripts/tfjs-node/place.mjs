// Where the installer puts tfjs-node in a lopt checkout, and how it is wired to lopt's tfjs.
//
// packages/node_modules/@tensorflow/tfjs-node is on Node's resolution path of every workspace
// package (packages/<name>/… looks in packages/<name>/node_modules, then packages/node_modules),
// and pnpm never writes or prunes it: the committed package.json files and pnpm-lock.yaml stay as
// they are, and `pnpm install --frozen-lockfile` keeps working with or without it. tfjs-node's own
// dependencies live in its nested node_modules; those that pnpm already installed for lopt
// (tfjs-core, tfjs-layers, tfjs-backend-cpu) are symlinks to lopt's copies, so the tree holds one
// tfjs-core.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

export function placeOf(root) {
  const modules = join(root, 'packages', 'node_modules');
  return {
    root,
    backendNode: join(root, 'packages', 'backend-node'),
    target: join(modules, '@tensorflow', 'tfjs-node'),
    marker: join(modules, '.lopt-tfjs-node.json'),
  };
}

/** lopt's own installed copy of a package (as pnpm laid it out), or undefined. */
function loptCopy(place, name) {
  for (const pkg of ['backend-node', 'backends']) {
    try {
      const manifest = createRequire(join(place.root, 'packages', pkg, 'package.json')).resolve(`${name}/package.json`);
      return dirname(realpathSync(manifest));
    } catch {
      // not a dependency of this package
    }
  }
  return undefined;
}

export function hasLoptTfjs(place) {
  return loptCopy(place, '@tensorflow/tfjs-core') !== undefined;
}

/** Copies a built tfjs-node tree to the checkout (hard links where possible) and links lopt's tfjs. */
export function placeTree(place, built) {
  rmSync(place.target, { recursive: true, force: true });
  mkdirSync(dirname(place.target), { recursive: true });
  const linked = spawnSync('cp', ['-al', built, place.target], { stdio: 'ignore' }).status === 0;
  if (!linked) {
    rmSync(place.target, { recursive: true, force: true });
    const copied = spawnSync('cp', ['-a', built, place.target], { stdio: 'inherit' });
    if (copied.status !== 0) throw new Error(`could not copy ${built} to ${place.target}`);
  }
  return linkLoptTfjs(place, place.target);
}

/** Replaces every nested @tensorflow/<name> that lopt also has (same version) by a symlink to lopt's. */
function linkLoptTfjs(place, dir, linked = []) {
  const scope = join(dir, 'node_modules', '@tensorflow');
  if (existsSync(scope)) {
    for (const name of readdirSync(scope)) {
      const path = join(scope, name);
      if (lstatSync(path).isSymbolicLink()) continue;
      const ours = loptCopy(place, `@tensorflow/${name}`);
      if (ours !== undefined && version(ours) === version(path)) {
        rmSync(path, { recursive: true, force: true });
        symlinkSync(relative(scope, ours), path);
        linked.push(name);
      }
    }
  }
  const modules = join(dir, 'node_modules');
  if (existsSync(modules)) {
    for (const entry of readdirSync(modules)) {
      const sub = join(modules, entry);
      if (entry.startsWith('.') || lstatSync(sub).isSymbolicLink()) continue;
      const packages = entry.startsWith('@') ? readdirSync(sub).map((n) => join(sub, n)) : [sub];
      for (const p of packages) if (!lstatSync(p).isSymbolicLink()) linkLoptTfjs(place, p, linked);
    }
  }
  return linked;
}

function version(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}
