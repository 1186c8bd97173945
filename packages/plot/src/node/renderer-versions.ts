import { createRequire } from 'node:module';

import { version as vega } from 'vega';
import { version as vegaLite } from 'vega-lite';

/** The versions of the libraries that draw lopt's plots (for `lopt info` and bug reports). */
export function rendererVersions(): Record<'vega' | 'vega-lite' | '@resvg/resvg-js', string> {
  const resvg = (createRequire(import.meta.url)('@resvg/resvg-js/package.json') as { version: string }).version;
  return { vega, 'vega-lite': vegaLite, '@resvg/resvg-js': resvg };
}
