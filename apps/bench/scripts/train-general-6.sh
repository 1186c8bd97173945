#!/usr/bin/env bash
# The general optimizer's sixth recipe (see train-general.sh): the scheduled Adam path with the per-tensor rate adaptation, a floor on the log meta-objective, 32 pairs and a lower meta-lr.
# Usage: bash apps/bench/scripts/train-general-6.sh [iterations=40] [out=apps/bench/results/general-run-6]
exec bash "$(dirname "$0")/train-general.sh" "${1:-40}" "${2:-apps/bench/results/general-run-6}" 6
