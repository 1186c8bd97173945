#!/usr/bin/env bash
# The general suite at 5,000 steps (apps/bench/results/general-5000): the general optimizer against
# Adam tuned at 5,000 steps (grid 1e-3..1, extended past any edge) on the nine cheap tasks, 3
# held-out problems each, on the node backend (~75 min on this 2-core machine, shared).
# Usage: bash apps/bench/scripts/general-5000.sh [out=apps/bench/results/general-5000] [cache dir]
set -euo pipefail
cd "$(dirname "$0")/../../.."
out="${1:-apps/bench/results/general-5000}"
cache=(); if [ -n "${2:-}" ]; then cache=(--cache "$2"); fi
exec node apps/bench/dist/bin.js general --tasks mnist-sigmoid,mnist-relu,mnist-2-layers,mnist-40-units,mnist-128-relu,mnist-tanh,quadratic-64,logistic-regression,rosenbrock-16 \
  --horizons 5000 --learned general --baselines adam --grid=-3,0,2 --optimizer apps/bench/results/general-run-3/optimizer --out "$out" "${cache[@]}" --backend node
