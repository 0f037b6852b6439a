#!/usr/bin/env bash
# Scores every NAB-format *.csv under DATA_DIR with the detection engine, streaming, one pass per file, and writes
# RESULTS_DIR/<same relative path> with timestamp,value,anomaly_score,label (label = the engine's own decision).
# Evaluate with (from the repository root): python3 ../shared/tools/nab_score.py RESULTS_DIR
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: eng/nab.sh DATA_DIR RESULTS_DIR" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet run -c Release --project "$root/eng/AiDevOps.Nab" -- "$1" "$2"
