#!/usr/bin/env bash
# Benchmarks of AiDevOps: eng/bench.sh <case>. Each case prints its measurements, then one JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  storage)
    # A day of 1,000 node_exporter-like series at 15 s through the Brain's storage into dynalite (installed from
    # npm on first use): write units, stored bytes, ingest throughput, 24 h range-query reads and latency.
    dotnet run --project eng/StorageBench -c Release -nologo -clp:ErrorsOnly
    ;;
  *)
    echo "usage: eng/bench.sh storage" >&2
    exit 2
    ;;
esac
