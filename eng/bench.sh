#!/usr/bin/env bash
# Benchmarks of AiDevOps: eng/bench.sh <case>. Each case prints its measurements, then one JSON line, last.
#   agent     the Agent beside Prometheus in agent mode, same job, same run (BENCH_SECONDS, default 180)
#   storage   a day of 1,000 node_exporter-like series through the Brain's storage into dynalite
#   detect    ns per sample for the full detection ensemble and bytes of state per series
#   alert-noise  the NAB corpus (NAB_DIR, default ../shared/nab) on 8 hosts through detection and the alert pipeline:
#             what pages, what arrives silently, and how many labelled windows reached a person
#   insights  incident explanations on 30+ cases (NAB findings of the ensemble, fault scenarios): required facts the
#             deterministic summary states, hallucinating model answers the grounding check rejects, length
# BENCH_QUICK=1 shrinks every case to seconds of work (tests/AiDevOps.Bench.Tests): the numbers then mean nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# What a case starts in the background, the step it is waiting for, and its scratch folder. Global on purpose: the
# EXIT trap runs after the case's function has returned, when the function's locals are gone.
pids=()
step=
work=

stop() { # pid: SIGTERM, SIGKILL if it still runs 20 s later, then reap it
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 200); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

cleanup() { # newest first, so the sink outlives the Agent's and Prometheus's last deliveries
  local i
  if [ -n "$step" ]; then stop "$step"; fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[i]}"; done
  if [ -n "$work" ]; then rm -rf "$work"; fi
}
# Quiet: bash would otherwise report each stopped job ("Terminated") after the JSON line.
trap 'cleanup 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run() { # command...: a long step in the foreground that SIGTERM still interrupts (bash delays traps until a
  # foreground command ends, but not a wait)
  local status=0
  "$@" & step=$!
  wait "$step" || status=$?
  step=
  return "$status"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_http() { # url
  for _ in $(seq 1 300); do curl -fs --max-time 2 -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "not ready: $1" >&2; return 1
}

bench_agent() {
  local seconds=${BENCH_SECONDS:-180} series=10000 interval=10 warmup=30
  if [ "${BENCH_QUICK:-}" = 1 ]; then seconds=${BENCH_SECONDS:-3} series=500 interval=1 warmup=2; fi
  command -v prometheus >/dev/null || { echo "needs prometheus (apt-get install prometheus)" >&2; exit 1; }
  work=$(mktemp -d)

  run dotnet publish AiDevOps.Agent -c Release -o "$work/agent" -nologo -v quiet --disable-build-servers >"$work/publish.log" ||
    { cat "$work/publish.log" >&2; exit 1; }

  local target_port agent_port prom_port
  target_port=$(free_port); agent_port=$(free_port); prom_port=$(free_port)
  python3 eng/bench/target_and_sink.py "$series" "$target_port" & pids+=($!)
  wait_http "http://127.0.0.1:$target_port/metrics"

  cat > "$work/prometheus.yml" <<YAML
global:
  scrape_interval: ${interval}s
scrape_configs:
  - job_name: bench
    static_configs:
      - targets: ['127.0.0.1:$target_port']
remote_write:
  - url: http://127.0.0.1:$target_port/api/v1/write
YAML
  prometheus --enable-feature=agent --config.file="$work/prometheus.yml" --storage.agent.path="$work/prom-wal" \
    --web.listen-address="127.0.0.1:$prom_port" --storage.remote.flush-deadline=5s >"$work/prometheus.log" 2>&1 & pids+=($!)
  local prom_pid=$!

  # The agent runs as its container image does (the same GC setting, see AiDevOps.Agent.csproj).
  (cd "$work/agent" && ASPNETCORE_URLS="http://127.0.0.1:$agent_port" DOTNET_ENVIRONMENT=Production \
    Agent__Id=bench Agent__ApiKey=bench Agent__BrainUrl="http://127.0.0.1:$target_port" Agent__Interval="$(printf '00:00:%02d' "$interval")" \
    Agent__Scrape__Targets__0__Url="http://127.0.0.1:$target_port/metrics" Agent__Scrape__Targets__0__Job=bench \
    Agent__Delivery__QueuePath="$work/agent-queue" Logging__LogLevel__Default=Warning \
    DOTNET_GCgen0size=0x400000 exec ./AiDevOps.Agent >"$work/agent.log" 2>&1) & pids+=($!)
  local agent_pid=$!
  wait_http "http://127.0.0.1:$agent_port/alive"
  wait_http "http://127.0.0.1:$prom_port/-/ready"

  echo "Scraping $series series every ${interval}s into one sink; warming up $warmup s, then measuring ${seconds}s..."
  run sleep "$warmup"
  run python3 eng/bench/measure.py "$seconds" agent="$agent_pid" prometheus="$prom_pid" >"$work/measure.json"
  local result
  result=$(<"$work/measure.json")
  echo "$result"
  python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
a, p = r["agent"], r["prometheus"]
print(f"agent:      RSS mean {a['rss_mean_mb']} MB (max {a['rss_max_mb']}), CPU {a['cpu_percent']} %")
print(f"prometheus: RSS mean {p['rss_mean_mb']} MB (max {p['rss_max_mb']}), CPU {p['cpu_percent']} %  (2.42, --enable-feature=agent)")
print(json.dumps({"bench": "agent",
                  "rss_ratio": round(a["rss_mean_mb"] / p["rss_mean_mb"], 3),
                  "cpu_ratio": round(a["cpu_percent"] / max(p["cpu_percent"], 0.01), 3)}))
PY
}

case "${1:-}" in
  agent) bench_agent ;;
  storage)
    # Write units, stored bytes, ingest throughput, 24 h range-query reads and latency (dynalite from npm on first use).
    dotnet run -c Release --project eng/AiDevOps.Bench --disable-build-servers -- storage
    ;;
  detect) dotnet run -c Release --project eng/AiDevOps.Bench --disable-build-servers -- detect ;;
  alert-noise)
    dotnet run -c Release --project eng/AiDevOps.Bench --disable-build-servers -- alert-noise "${NAB_DIR:-../shared/nab}"
    ;;
  insights)
    dotnet run -c Release --project eng/AiDevOps.Bench --disable-build-servers -- insights "${NAB_DIR:-../shared/nab}"
    ;;
  *) echo "usage: eng/bench.sh agent|storage|detect|alert-noise|insights" >&2; exit 2 ;;
esac
