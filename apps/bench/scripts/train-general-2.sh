#!/usr/bin/env bash
# The general optimizer's second recipe (see train-general.sh).
# Usage: bash apps/bench/scripts/train-general-2.sh [iterations=80] [out=apps/bench/results/general-run-2]
exec bash "$(dirname "$0")/train-general.sh" "${1:-80}" "${2:-apps/bench/results/general-run-2}" 2
