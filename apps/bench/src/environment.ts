import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem, platform, release, arch } from 'node:os';

import * as tf from '@tensorflow/tfjs-core';

/** Where and with what a result was measured; written into every result file. */
export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly backend: string;
  readonly versions: Readonly<Record<string, string>>;
}

const PACKAGES = ['@lopt/core', '@lopt/cell', '@lopt/meta', '@lopt/optimizees', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'];

function versionOf(name: string): string {
  const require = createRequire(import.meta.url);
  for (const from of [name, '@lopt/backends']) {
    try {
      const base = from === name ? require : createRequire(require.resolve(`${from}/package.json`));
      const pkg = JSON.parse(readFileSync(base.resolve(`${name}/package.json`), 'utf8')) as { version: string };
      return pkg.version;
    } catch {
      // try the next place
    }
  }
  return 'unknown';
}

export function environment(): Environment {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    backend: tf.getBackend(),
    versions: Object.fromEntries(PACKAGES.map((p) => [p, versionOf(p)])),
  };
}
