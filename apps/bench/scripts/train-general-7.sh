#!/usr/bin/env bash
# The general optimizer's seventh recipe (see train-general.sh): recipe 6 with the MLP's term at the Adam path's scale (stepMult 0.03), 60 iterations.
# Usage: bash apps/bench/scripts/train-general-7.sh [iterations=60] [out=apps/bench/results/general-run-7]
exec bash "$(dirname "$0")/train-general.sh" "${1:-60}" "${2:-apps/bench/results/general-run-7}" 7
