#!/usr/bin/env bash
# The general suite's MNIST convnet row (apps/bench/results/general-convnet): the general optimizer
# against Adam tuned at 1,000 steps (grid 1e-3..1e-1, extended past any edge), on 2 held-out
# problems, on the node backend. One 1,000-step convnet run takes ~4 min on this 2-core machine
# (shared), so the row runs apart from the rest of the suite: 32 min here.
# Usage: bash apps/bench/scripts/general-convnet.sh [out=apps/bench/results/general-convnet] [cache dir]
set -euo pipefail
cd "$(dirname "$0")/../../.."
out="${1:-apps/bench/results/general-convnet}"
cache=(); if [ -n "${2:-}" ]; then cache=(--cache "$2"); fi
exec node apps/bench/dist/bin.js general --tasks mnist-convnet --horizons 1000 --learned general --baselines adam --grid=-3,-1,2 --problems 2 \
  --optimizer apps/bench/results/general-run-3/optimizer --out "$out" "${cache[@]}" --backend node
