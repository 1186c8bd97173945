// Installs tfjs-node with npm in a staging directory, running its unmodified install script
// against the loopback server, then lays the result out as one self-contained package tree
// (its dependencies in its own node_modules).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { EXIT, InstallError } from './errors.mjs';
import { findPython } from './libtensorflow.mjs';
import { serveLibtensorflow } from './serve.mjs';

export const TFJS_NODE_VERSION = '4.22.0';

/** What node-gyp needs, checked before anything is downloaded. */
export function checkBuildTools() {
  findPython();
  for (const [tool, args] of [['make', ['--version']], [process.env.CXX ?? 'c++', ['--version']]]) {
    if (spawnSync(tool, args, { stdio: 'ignore' }).status !== 0) {
      throw new InstallError(EXIT.noTools, `${tool} not found (node-gyp builds tfjs-node's addon with it).`, 'Install make and g++ (Debian: apt-get install build-essential).');
    }
  }
  if (spawnSync('npm', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new InstallError(EXIT.noTools, 'npm not found.', 'Install Node.js with npm.');
  }
  return nodeHeaders();
}

/** The prefix whose include/node has this Node's headers (node-gyp would otherwise download them). */
function nodeHeaders() {
  const candidates = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))].filter(Boolean);
  const found = candidates.find((dir) => existsSync(join(dir, 'include', 'node', 'node_api.h')));
  if (found === undefined) {
    throw new InstallError(
      EXIT.noTools,
      `No Node.js headers for ${process.version} under ${candidates.join(' or ')}/include/node.`,
      'Install the headers of this Node (they ship with the official tarballs; Debian: the libnode-dev package), or set npm_config_nodedir.',
    );
  }
  return found;
}

/** Builds tfjs-node into `dest` (a package directory), logging to `logFile`. */
export async function buildTfjsNode({ libtensorflow, nodedir, dest, logFile, log }) {
  const stage = `${dest}.stage-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  writeFileSync(
    join(stage, 'package.json'),
    JSON.stringify({ name: 'lopt-tfjs-node-stage', private: true, dependencies: { '@tensorflow/tfjs-node': TFJS_NODE_VERSION } }),
  );
  const server = await serveLibtensorflow(libtensorflow);
  log(`serving the library on ${server.base} (loopback only); npm installs tfjs-node ${TFJS_NODE_VERSION}, node-gyp builds its addon (a few minutes)`);
  let code;
  try {
    code = await npmInstall(stage, logFile, {
      TFJS_NODE_CDN_STORAGE: server.base,
      // The prebuilt addon is asked of the loopback server too (a 404), never of its default host.
      npm_config_tfjs_binding_binary_host_mirror: `${server.base}prebuilt/`,
      npm_config_nodedir: nodedir,
    });
  } finally {
    await server.close();
  }
  const served = server.requests.filter((r) => r.includes('libtensorflow-cpu')).length;
  const binding = findBinding(join(stage, 'node_modules', '@tensorflow', 'tfjs-node'));
  if (code !== 0 || binding === undefined) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
    rmSync(stage, { recursive: true, force: true });
    throw new InstallError(
      EXIT.build,
      `npm install of tfjs-node failed (exit ${code}; library requested ${served} time(s); ${binding ? 'addon built' : 'no addon built'}). Last lines of ${logFile}:\n${tail}`,
      'Read the log; a missing compiler or Node headers are the usual causes.',
    );
  }
  nest(join(stage, 'node_modules'), '@tensorflow/tfjs-node');
  rmSync(dest, { recursive: true, force: true });
  renameSync(join(stage, 'node_modules', '@tensorflow', 'tfjs-node'), dest);
  rmSync(stage, { recursive: true, force: true });
  return { requests: server.requests };
}

function npmInstall(cwd, logFile, env) {
  const out = createWriteStream(logFile);
  const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--omit=dev', '--foreground-scripts'], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  return new Promise((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (code) => out.end(() => resolve(code ?? -1)));
  });
}

/** lib/napi-v<N>/tfjs_binding.node, where node-pre-gyp puts the built addon. */
export function findBinding(pkg) {
  const lib = join(pkg, 'lib');
  if (!existsSync(lib)) return undefined;
  const dir = readdirSync(lib).find((d) => existsSync(join(lib, d, 'tfjs_binding.node')));
  return dir && join(lib, dir, 'tfjs_binding.node');
}

/** Moves every other top-level package of `modules` into `<modules>/<pkg>/node_modules`. */
function nest(modules, pkg) {
  const into = join(modules, pkg, 'node_modules');
  mkdirSync(into, { recursive: true });
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) {
      if (name === pkg || existsSync(join(into, name))) continue;
      mkdirSync(dirname(join(into, name)), { recursive: true });
      renameSync(join(modules, name), join(into, name));
    }
  }
}
