#!/usr/bin/env bash
# The general optimizer's fourth recipe (see train-general.sh): the scheduled Adam path with the per-tensor rate adaptation.
# Usage: bash apps/bench/scripts/train-general-4.sh [iterations=80] [out=apps/bench/results/general-run-4]
exec bash "$(dirname "$0")/train-general.sh" "${1:-80}" "${2:-apps/bench/results/general-run-4}" 4
