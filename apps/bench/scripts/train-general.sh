#!/usr/bin/env bash
# Meta-trains the general learned optimizer (issue 16): the MLP family, started as Adam
# (--init adam), by persistent evolution strategies on lopt's general task family, with the
# mean log loss as meta-objective and for validation (the family's problems differ in scale by
# orders of magnitude). Checkpointed every 5 iterations; run it again to resume where it stopped.
#
# Recipe 1 (apps/bench/results/general-run): meta-lr 3e-3, constant; validation over 300 steps.
# Recipe 2 (general-run-2; train-general-2.sh): recipe 1's validation peaked at iteration 40 and
# then fell, so the meta-lr starts at 1e-3 and decays along a cosine to 1e-4, and validation runs
# 600 steps on 6 problems so that early stopping sees more of a long run.
# Recipe 3 (general-run-3; train-general-3.sh): the family's scheduled Adam path (--mlp-config
# adamPath, learningRate 0.03 from apps/bench/scripts/general-adam-path-rate.mjs), so every run
# starts as Adam decaying along its own length; meta-lr 3e-3 decaying along a cosine to 3e-4.
# Recipe 4 (general-run-4; train-general-4.sh): recipe 3 plus the family's per-tensor rate
# adaptation (rateAdaptation 0.01, from apps/bench/scripts/general-rate-adaptation.mjs: on the
# family's problems at 1,000 steps Adam's start with it reached far lower losses on quadratics and
# Rosenbrock and the same on image MLPs).
# Recipe 5 (general-run-5; train-general-5.sh): recipe 4 with --log-floor 1e-6. With the rate
# adaptation, quadratics and Rosenbrock reach float precision (1e-13); the log of that rounding
# noise differed by whole units between antithetic pairs and swamped PES's estimate: recipe 4's
# meta-training made image MLPs, quadratics and Rosenbrock of the family all worse than its start
# at 1,000 steps (apps/bench/results/general-rate-adaptation.txt).
# Recipe 6 (general-run-6; train-general-6.sh): recipe 5 with 4× the antithetic pairs (32, a
# quarter of the estimate's variance) and a meta-lr of 1e-3 decaying to 1e-4,
# since recipe 5 also left image MLPs of the family worse than its start at 1,000 steps,
# as if the weights drifted with the noise of 8 pairs.
# Recipe 7 (general-run-7; train-general-7.sh): recipe 6 with the MLP's term at the Adam path's
# scale (stepMult 0.03 = learningRate, not 1e-3). At λ₁ = 1e-3 the MLP's term is at most a few
# percent of the Adam step after 40 iterations at a meta-lr of 1e-3 (each weight moves ≤ 0.04),
# so meta-training could barely change anything but the schedule's three weights; the start is
# the same (the output weights start at 0). 60 iterations.
# Usage: bash apps/bench/scripts/train-general.sh [iterations=110] [out=apps/bench/results/general-run] [recipe=1|2|3|4|5|6|7]
set -euo pipefail
cd "$(dirname "$0")/../../.."
iterations="${1:-110}"
out="${2:-apps/bench/results/general-run}"
recipe="${3:-1}"
if [ -f "$out/checkpoint.json" ]; then
  exec node apps/cli/dist/bin.js train --out "$out" --resume --iterations "$iterations"
fi
case "$recipe" in
  1) settings=(--steps 300 --meta-lr 0.003 --validation-problems 8) ;;
  2) settings=(--steps 600 --meta-lr 0.001 --meta-lr-schedule cosine --meta-lr-final 0.0001 --validation-problems 6) ;;
  3) settings=(--steps 600 --meta-lr 0.003 --meta-lr-schedule cosine --meta-lr-final 0.0003 --validation-problems 6 --mlp-config '{"adamPath":true,"learningRate":0.03}') ;;
  4) settings=(--steps 600 --meta-lr 0.003 --meta-lr-schedule cosine --meta-lr-final 0.0003 --validation-problems 6 --mlp-config '{"adamPath":true,"learningRate":0.03,"rateAdaptation":0.01}') ;;
  5) settings=(--steps 600 --meta-lr 0.003 --meta-lr-schedule cosine --meta-lr-final 0.0003 --validation-problems 6 --log-floor 1e-6 --mlp-config '{"adamPath":true,"learningRate":0.03,"rateAdaptation":0.01}') ;;
  6) settings=(--steps 600 --meta-lr 0.001 --meta-lr-schedule cosine --meta-lr-final 0.0001 --validation-problems 6 --pairs 32 --log-floor 1e-6 --mlp-config '{"adamPath":true,"learningRate":0.03,"rateAdaptation":0.01}') ;;
  7) settings=(--steps 600 --meta-lr 0.001 --meta-lr-schedule cosine --meta-lr-final 0.0001 --validation-problems 6 --pairs 32 --log-floor 1e-6 --mlp-config '{"adamPath":true,"learningRate":0.03,"rateAdaptation":0.01,"stepMult":0.03}') ;;
  *) echo "train-general.sh: recipe is 1 to 7, not $recipe" >&2; exit 2 ;;
esac
exec node apps/cli/dist/bin.js train --family mlp --init adam --estimator pes --task-family general \
  --objective log --validation-metric log --sigma 0.01 --pairs 8 --horizon 200,2000 --unroll 20 \
  --truncations-per-iteration 10 "${settings[@]}" --iterations "$iterations" --seed 0 \
  --validate-every 10 --checkpoint-every 5 --skip-eval --backend wasm --out "$out"
