#!/usr/bin/env bash
# Meta-trains the general learned optimizer (issue 16): the MLP family, started as Adam
# (--init adam), by persistent evolution strategies on lopt's general task family, with the
# mean log loss as meta-objective and for validation (the family's problems differ in scale by
# orders of magnitude). Checkpointed every 5 iterations; run it again to resume where it stopped.
# Usage: bash apps/bench/scripts/train-general.sh [iterations=110] [out=apps/bench/results/general-run]
set -euo pipefail
cd "$(dirname "$0")/../../.."
iterations="${1:-110}"
out="${2:-apps/bench/results/general-run}"
if [ -f "$out/checkpoint.json" ]; then
  exec node apps/cli/dist/bin.js train --out "$out" --resume --iterations "$iterations"
fi
exec node apps/cli/dist/bin.js train --family mlp --init adam --estimator pes --task-family general \
  --objective log --validation-metric log --sigma 0.01 --pairs 8 --horizon 200,2000 --unroll 20 \
  --truncations-per-iteration 10 --steps 300 --meta-lr 0.003 --iterations "$iterations" --seed 0 \
  --validate-every 10 --validation-problems 8 --checkpoint-every 5 --skip-eval --backend wasm --out "$out"
