#!/usr/bin/env bash
# The general optimizer's third recipe (see train-general.sh): the scheduled Adam path.
# Usage: bash apps/bench/scripts/train-general-3.sh [iterations=80] [out=apps/bench/results/general-run-3]
exec bash "$(dirname "$0")/train-general.sh" "${1:-80}" "${2:-apps/bench/results/general-run-3}" 3
