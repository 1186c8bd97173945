// The TensorFlow C library that tfjs-node's install script asks for
// (libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz): a tarball the user already has, or one
// repackaged here from the tensorflow-cpu wheel that pip can fetch.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { InstallError, EXIT } from './errors.mjs';

export const WHEEL_REQUIREMENT = 'tensorflow-cpu==2.21.0';

/** A file tfjs-node's install script can unpack: the tarball given, or one made from the wheel. */
export function libtensorflowSource({ tarball, wheel, cacheDir, log }) {
  if (tarball !== undefined) {
    if (!existsSync(tarball) || !statSync(tarball).isFile()) {
      throw new InstallError(EXIT.usage, `--libtensorflow ${tarball}: no such file.`, 'Give the path of libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz.');
    }
    return { file: tarball, label: `the libtensorflow tarball ${tarball}`, temporary: false };
  }
  const wheelFile = wheel ?? downloadWheel(join(cacheDir, 'wheels'), log);
  const file = join(cacheDir, `libtensorflow-from-${wheelFile.split('/').pop().replace(/\.whl$/, '')}.tar`);
  if (!existsSync(file)) repackWheel(wheelFile, file, log);
  return { file, label: `the ${WHEEL_REQUIREMENT} wheel (${wheelFile.split('/').pop()})`, temporary: true };
}

function downloadWheel(dir, log) {
  mkdirSync(dir, { recursive: true });
  const found = () => readdirSync(dir).filter((f) => /^tensorflow_cpu-2\.21\.0-.*\.whl$/.test(f));
  if (found().length === 0) {
    log(`downloading ${WHEEL_REQUIREMENT} with pip (no dependencies, ~270 MB)`);
    const python = findPython();
    const pip = spawnSync(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', dir, WHEEL_REQUIREMENT], {
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    if (pip.status !== 0 || found().length === 0) {
      const why = (pip.stderr || pip.stdout || String(pip.error ?? '')).trim().split('\n').slice(-3).join(' | ');
      throw new InstallError(
        EXIT.noLibrary,
        `pip could not download ${WHEEL_REQUIREMENT} (${why || `exit ${pip.status}`}).`,
        'Pass --libtensorflow PATH (the official libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz) or --wheel PATH.',
      );
    }
  }
  return join(dir, found()[0]);
}

export function findPython() {
  for (const candidate of [process.env.PYTHON, 'python3', 'python']) {
    if (candidate && spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new InstallError(EXIT.noTools, 'No python3 found (pip fetches the wheel, node-gyp needs it too).', 'Install python3, or set PYTHON.');
}

// Written in Python because it is already needed (pip, node-gyp) and its zipfile and tarfile
// stream members straight from the wheel into the tar: one pass, no unpacked copy on disk.
// The tar is left uncompressed (tfjs-node's unpacker detects gzip or not): compressing 850 MB
// would take longer than serving it.
const REPACK = String.raw`
import io, re, sys, tarfile, time, zipfile
wheel, out = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(wheel)
names = set(z.namelist())
need = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2']
missing = [n for n in need if n not in names]
if missing:
    sys.exit('the wheel has no ' + ', '.join(missing))
# The headers tfjs-node's binding includes, and every header they include in turn.
roots = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h', 'tensorflow/c/tf_datatype.h', 'tensorflow/c/tf_status.h',
         'tensorflow/c/tf_tensor.h', 'tensorflow/core/platform/ctstring_internal.h']
seen, todo = set(), list(roots)
while todo:
    h = todo.pop()
    member = 'tensorflow/include/' + h
    if h in seen or member not in names:
        continue
    seen.add(h)
    todo += re.findall(r'^\s*#\s*include\s+"([^"]+)"', z.read(member).decode('utf8', 'replace'), re.M)
lost = [r for r in roots if r not in seen]
if lost:
    sys.exit('the wheel has no C headers ' + ', '.join(lost))
headers = ['tensorflow/include/' + h for h in sorted(seen)]
now = time.time()
with tarfile.open(out, 'w', format=tarfile.GNU_FORMAT) as tar:
    def add(member, name, mode):
        info = tarfile.TarInfo(name)
        info.size = z.getinfo(member).file_size
        info.mode = mode
        info.mtime = now
        with z.open(member) as f:
            tar.addfile(info, f)
    def link(name, target):
        info = tarfile.TarInfo(name)
        info.type = tarfile.SYMTYPE
        info.linkname = target
        info.mtime = now
        tar.addfile(info)
    add('tensorflow/libtensorflow_cc.so.2', 'lib/libtensorflow_cc.so.2', 0o755)
    add('tensorflow/libtensorflow_framework.so.2', 'lib/libtensorflow_framework.so.2', 0o755)
    # The names tfjs-node links against (-ltensorflow) and checks for (libtensorflow.so.2.9.1).
    for suffix in ['', '.2', '.2.9.1']:
        link('lib/libtensorflow.so' + suffix, 'libtensorflow_cc.so.2')
    for suffix in ['', '.2.9.1']:
        link('lib/libtensorflow_framework.so' + suffix, 'libtensorflow_framework.so.2')
    for n in headers:
        add(n, 'include/' + n[len('tensorflow/include/'):], 0o644)
    # The licences travel with the library they cover.
    for member, name in [('tensorflow/include/LICENSE', 'LICENSE'), ('tensorflow/THIRD_PARTY_NOTICES.txt', 'THIRD_PARTY_NOTICES.txt')]:
        if member not in names:
            sys.exit('the wheel has no ' + member)
        add(member, name, 0o644)
    note = ('TensorFlow C library repackaged by lopt (scripts/install-tfjs-node.mjs) from ' + wheel.split('/')[-1] +
            ': lib/libtensorflow_cc.so.2 and lib/libtensorflow_framework.so.2 as shipped in the wheel, '
            'libtensorflow.so* symlinks to them, the C headers, LICENSE and THIRD_PARTY_NOTICES.txt.\n').encode()
    info = tarfile.TarInfo('SOURCE.txt'); info.size = len(note); info.mtime = now
    tar.addfile(info, io.BytesIO(note))
print(len(headers))
`;

function repackWheel(wheelFile, out, log) {
  log(`repackaging ${wheelFile.split('/').pop()} as a TensorFlow C library tarball`);
  const tmp = `${out}.tmp-${process.pid}`;
  const run = spawnSync(findPython(), ['-c', REPACK, wheelFile, tmp], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (run.status !== 0) {
    rmSync(tmp, { force: true });
    throw new InstallError(EXIT.noLibrary, `Could not repackage ${wheelFile}: ${(run.stderr || '').trim().split('\n').pop()}`, 'Pass --libtensorflow PATH instead.');
  }
  renameSync(tmp, out);
}
