#!/usr/bin/env bash
# Performance benchmarks, one subcommand each; the last line printed is one JSON object.
#   detect   ns per sample for the full detection ensemble and bytes of state per series
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-}" in
  detect)
    dotnet run -c Release --project "$root/eng/AiDevOps.Bench" -- detect
    ;;
  *)
    echo "usage: eng/bench.sh detect" >&2
    exit 2
    ;;
esac
