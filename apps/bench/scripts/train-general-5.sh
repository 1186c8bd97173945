#!/usr/bin/env bash
# The general optimizer's fifth recipe (see train-general.sh): the scheduled Adam path with the per-tensor rate adaptation and a floor on the log meta-objective.
# Usage: bash apps/bench/scripts/train-general-5.sh [iterations=80] [out=apps/bench/results/general-run-5]
exec bash "$(dirname "$0")/train-general.sh" "${1:-80}" "${2:-apps/bench/results/general-run-5}" 5
