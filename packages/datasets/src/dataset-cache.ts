/**
 * Process-wide cache of loaded datasets (MNIST is 47 MB of pixels; parsing it once per process
 * is enough). Keys name the loader and its resolved arguments.
 */
const cache = new Map<string, unknown>();

export function cached<T>(key: string, load: () => T): T {
  if (cache.has(key)) return cache.get(key) as T;
  const value = load();
  cache.set(key, value);
  return value;
}

/** Drops every cached dataset so its memory can be reclaimed; the next load reads the files again. */
export function clearDatasetCache(): void {
  cache.clear();
}
