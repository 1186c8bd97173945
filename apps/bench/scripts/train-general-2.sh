#!/usr/bin/env bash
# The general optimizer, second recipe (issue 16): as train-general.sh, but the first run's
# validation peaked at iteration 40 and then fell, so the meta learning rate starts lower (1e-3)
# and decays along a cosine to 1e-4, and validation runs 600 steps (the first ran 300) so that
# early stopping sees more of a long run. Run it again to resume where it stopped.
# Usage: bash apps/bench/scripts/train-general-2.sh [iterations=80] [out=apps/bench/results/general-run-2]
set -euo pipefail
cd "$(dirname "$0")/../../.."
iterations="${1:-80}"
out="${2:-apps/bench/results/general-run-2}"
if [ -f "$out/checkpoint.json" ]; then
  exec node apps/cli/dist/bin.js train --out "$out" --resume --iterations "$iterations"
fi
exec node apps/cli/dist/bin.js train --family mlp --init adam --estimator pes --task-family general \
  --objective log --validation-metric log --sigma 0.01 --pairs 8 --horizon 200,2000 --unroll 20 \
  --truncations-per-iteration 10 --steps 600 --meta-lr 0.001 --meta-lr-schedule cosine --meta-lr-final 0.0001 \
  --iterations "$iterations" --seed 0 --validate-every 10 --validation-problems 6 --checkpoint-every 5 --skip-eval \
  --backend wasm --out "$out"
