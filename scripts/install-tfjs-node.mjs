#!/usr/bin/env node
// Installs @tensorflow/tfjs-node 4.22.0 into this lopt checkout without its download host.
//
//   node scripts/install-tfjs-node.mjs                      # library repackaged from the tensorflow-cpu wheel (pip)
//   node scripts/install-tfjs-node.mjs --libtensorflow F    # the official libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz
//
// tfjs-node's own install script (run unmodified) downloads the TensorFlow C library and a
// prebuilt addon. Here the library comes from a file: the tarball you give, or
// tensorflow-cpu 2.21.0's libtensorflow_cc.so.2 + libtensorflow_framework.so.2 + C headers laid out
// the way that script expects, with the wheel's LICENSE and THIRD_PARTY_NOTICES.txt beside them.
// A server on 127.0.0.1 (started and stopped here) serves it through TFJS_NODE_CDN_STORAGE;
// the addon request gets a 404 and node-gyp builds the addon against this Node's headers.
// The result goes to packages/node_modules/@tensorflow/tfjs-node (see tfjs-node/place.mjs):
// no committed file changes, and a plain `pnpm install` never runs tfjs-node's install script.
// A built tree is cached (LOPT_CACHE_DIR, else $XDG_CACHE_HOME/lopt, else ~/.cache/lopt), so a
// second run, or a fresh clone on the same machine, takes seconds. A smoke test (matMul and a
// gradient on the 'tensorflow' backend, one copy of tfjs-core) checks every install.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { TFJS_NODE_VERSION, buildTfjsNode, checkBuildTools } from './tfjs-node/build.mjs';
import { EXIT, InstallError } from './tfjs-node/errors.mjs';
import { libtensorflowSource } from './tfjs-node/libtensorflow.mjs';
import { hasLoptTfjs, placeOf, placeTree } from './tfjs-node/place.mjs';

const HELP = `Usage: node scripts/install-tfjs-node.mjs [options]

Installs @tensorflow/tfjs-node ${TFJS_NODE_VERSION} into packages/node_modules of this checkout, from a
TensorFlow C library given as a file (no download host needed), and checks it with a smoke test.

Options:
  --libtensorflow PATH  the official libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz (default: repackage
                        the tensorflow-cpu 2.21.0 wheel, fetched with pip)
  --wheel PATH          a tensorflow-cpu 2.21.0 wheel already downloaded
  --force               rebuild even if an install or a cached build exists
  --check               only run the smoke test on the current install
  --uninstall           remove the install from this checkout (the cache stays)
  --cache DIR           cache directory (default: $LOPT_CACHE_DIR, $XDG_CACHE_HOME/lopt or ~/.cache/lopt)
  -h, --help            this text

Exit codes: 0 installed (or already installed) and the smoke test passed; 1 unexpected error;
2 bad arguments; 3 no TensorFlow C library (pip could not fetch or repackage the wheel);
4 a build tool is missing (python3, make, c++, Node headers, npm); 5 npm install or the addon
build failed; 6 the smoke test failed; 7 unsupported platform (linux x64 only);
8 not a lopt checkout, or \`pnpm install\` has not run; 9 (--check) tfjs-node is not installed.`;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const log = (line) => console.log(`install-tfjs-node: ${line}`);
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;

function smoke(place) {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'tfjs-node', 'smoke.mjs'), place.backendNode], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return { ok: false, reason: (run.stderr || line || `exit ${run.status}`).trim().split('\n').slice(-2).join(' | ') };
  }
}

function smokeOrThrow(place) {
  const result = smoke(place);
  if (!result.ok) throw new InstallError(EXIT.smoke, `smoke test failed: ${result.reason}`, 'Rerun with --force; if it fails again, report the message.');
  return result;
}

function writeMarker(place, record) {
  const tmp = `${place.marker}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, place.marker);
}

function done(result, what) {
  console.log(
    `tfjs-node ${TFJS_NODE_VERSION}: ${what} in ${seconds()}; smoke test passed ` +
      `(backend ${result.backend}, TensorFlow C library ${result.tensorflow}, matMul and gradient checked).`,
  );
  return EXIT.ok;
}

async function main() {
  const { values } = parseArgs({
    options: {
      libtensorflow: { type: 'string' },
      wheel: { type: 'string' },
      force: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      uninstall: { type: 'boolean', default: false },
      cache: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const place = placeOf(root);
  if (!existsSync(join(place.backendNode, 'package.json'))) {
    throw new InstallError(EXIT.workspace, `${root} is not a lopt checkout (no packages/backend-node).`, 'Run the script from the lopt repository.');
  }
  if (values.uninstall) {
    rmSync(place.target, { recursive: true, force: true });
    rmSync(place.marker, { force: true });
    log(`removed ${place.target}`);
    return EXIT.ok;
  }
  if (values.check) {
    if (!existsSync(place.target)) throw new InstallError(EXIT.absent, 'tfjs-node is not installed in this checkout.', 'Run node scripts/install-tfjs-node.mjs.');
    return done(smokeOrThrow(place), 'installed');
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new InstallError(EXIT.platform, `Unsupported platform ${process.platform}-${process.arch}.`, 'On other platforms install @tensorflow/tfjs-node the ordinary way (pnpm add).');
  }
  if (!hasLoptTfjs(place)) {
    throw new InstallError(EXIT.workspace, "lopt's own packages are not installed (no @tensorflow/tfjs-core under packages/backend-node).", 'Run `npx -y pnpm@10.34.9 install --frozen-lockfile` first.');
  }
  if (values.libtensorflow !== undefined && values.wheel !== undefined) {
    throw new InstallError(EXIT.usage, '--libtensorflow and --wheel are two sources; give one.', 'Drop one of them.');
  }

  if (!values.force && existsSync(place.marker) && existsSync(place.target)) {
    const result = smoke(place);
    if (result.ok) return done(result, 'already installed');
    log(`the existing install fails its smoke test (${result.reason}); installing again`);
  }

  const cacheDir = resolve(values.cache ?? process.env.LOPT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lopt'));
  const sourceId = values.libtensorflow !== undefined ? `libtensorflow-${basename(values.libtensorflow)}` : 'tensorflow-cpu-2.21.0';
  const key = `tfjs-node-${TFJS_NODE_VERSION}-linux-x64-node-abi${process.versions.modules}-${sourceId}`;
  const built = join(cacheDir, 'tfjs-node', key);
  const record = join(cacheDir, 'tfjs-node', `${key}.json`);

  let how;
  if (!values.force && existsSync(record) && existsSync(built)) {
    how = JSON.parse(readFileSync(record, 'utf8')).how;
    log(`reusing the build cached in ${built}`);
  } else {
    const nodedir = checkBuildTools();
    mkdirSync(join(cacheDir, 'tfjs-node'), { recursive: true });
    const source = libtensorflowSource({ tarball: values.libtensorflow, wheel: values.wheel, cacheDir: join(cacheDir, 'tfjs-node'), log });
    const logFile = join(cacheDir, 'tfjs-node', `${key}.log`);
    await buildTfjsNode({ libtensorflow: source.file, nodedir, dest: built, logFile, log });
    if (source.temporary) rmSync(source.file, { force: true }); // the built tree holds the library
    how = `TensorFlow C library from ${source.label}, addon built with node-gyp`;
    writeFileSync(record, `${JSON.stringify({ key, how, builtAt: new Date().toISOString() }, null, 2)}\n`);
  }
  const linked = placeTree(place, built);
  const result = smokeOrThrow(place);
  writeMarker(place, { version: TFJS_NODE_VERSION, key, how, cache: built, linkedToLopt: linked, installedAt: new Date().toISOString() });
  return done(result, `installed in packages/node_modules (${how}; lopt's ${linked.join(', ')} shared)`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    if (error instanceof InstallError) {
      console.log(`tfjs-node ${TFJS_NODE_VERSION}: not installed — ${error.message}`);
      if (error.hint) console.log(`  fix: ${error.hint}`);
      process.exitCode = error.exitCode;
    } else {
      console.log(`tfjs-node ${TFJS_NODE_VERSION}: not installed — unexpected error: ${error?.stack ?? error}`);
      process.exitCode = EXIT.failed;
    }
  },
);
