import * as tf from '@tensorflow/tfjs-core';

import type { GradientTransform, MetaOptimizer, MetaOptimizerInstance } from './meta-optimizer.js';

/**
 * Gradient transforms, then a meta-optimizer, as one meta-optimizer (optax's `chain`):
 * `chain(clipByGlobalNorm(1), adam(cosine(0.01)))` clips the meta-gradient, then takes an Adam step.
 */
export function chain(...parts: [...GradientTransform[], MetaOptimizer]): MetaOptimizer {
  const transforms = parts.slice(0, -1) as GradientTransform[];
  const last = parts[parts.length - 1] as MetaOptimizer;
  return {
    name: [...transforms.map((t) => t.name), last.name].join(' → '),
    init(): MetaOptimizerInstance {
      const inner = last.init();
      return {
        apply(grads, ctx) {
          let current = grads;
          try {
            for (const t of transforms) {
              const next = t.update(current, ctx);
              if (next !== current && current !== grads) tf.dispose(Object.values(current));
              current = next;
            }
            inner.apply(current, ctx);
          } finally {
            if (current !== grads) tf.dispose(Object.values(current));
          }
        },
        save: () => inner.save(),
        restore: (state) => inner.restore(state),
        dispose: () => inner.dispose(),
      };
    },
  };
}
