#!/usr/bin/env bash
# Benchmarks of AiDevOps: eng/bench.sh <case>. Each case prints its measurements, then one JSON line, last.
#   agent     the Agent beside Prometheus in agent mode, same job, same run (BENCH_SECONDS, default 180)
#   storage   a day of 1,000 node_exporter-like series through the Brain's storage into dynalite
#   detect    ns per sample for the full detection ensemble and bytes of state per series
#   alert-noise  the NAB corpus (NAB_DIR, default ../shared/nab) on 8 hosts through detection and the alert pipeline:
#             what pages, what arrives silently, and how many labelled windows reached a person
#   alert-latency  node_exporter killed and restarted: AiDevOps (each topology) against Prometheus + Alertmanager (BENCH_REPS, default 5)
#   insights  incident explanations on 30+ cases (NAB findings of the ensemble, fault scenarios): required facts the
#             deterministic summary states, hallucinating model answers the grounding check rejects, length
#   ingest    remote_write into the Brain (on dynalite) and into Prometheus 2.42, same generator, same run: samples/s,
#             samples per server CPU-second, RSS, p50/p99, non-2xx at 10k x 1, 10k x 10 and 100k x 1; then anomalies
#             opened on a healthy fleet paced as from 15 s scrapes
#   scale     remote_write of six agents into 1 Brain, then into 3 Brains (one Orleans cluster on Redis) behind a
#             round-robin balancer, on one dynalite: samples/s and samples per Brain CPU-second; then the Brain running
#             the most agents' detection is SIGKILLed: seconds until every agent is served again, samples lost or doubled
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
  local status=$? i log
  if [ "$status" -ne 0 ] && [ -n "$work" ]; then # a failed case shows what its servers said
    for log in "$work"/*.log; do
      [ -s "$log" ] && { echo "--- last lines of $(basename "$log")"; tail -n 40 "$log"; } >&3
    done
  fi
  if [ -n "$step" ]; then stop "$step"; fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[i]}"; done
  if [ -n "$work" ]; then rm -rf "$work"; fi
}
# Quiet: bash would otherwise report each stopped job ("Terminated") after the JSON line; a failed case's server logs
# still reach the caller's stderr, through fd 3.
trap 'cleanup 3>&2 2>/dev/null' EXIT
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

  # The agent runs as its container image does: the native executable, with the settings built into it.
  (cd "$work/agent" && ASPNETCORE_URLS="http://127.0.0.1:$agent_port" DOTNET_ENVIRONMENT=Production \
    Agent__Id=bench Agent__ApiKey=bench Agent__BrainUrl="http://127.0.0.1:$target_port" Agent__Interval="$(printf '00:00:%02d' "$interval")" \
    Agent__Scrape__Targets__0__Url="http://127.0.0.1:$target_port/metrics" Agent__Scrape__Targets__0__Job=bench \
    Agent__Delivery__QueuePath="$work/agent-queue" Logging__LogLevel__Default=Warning \
    exec ./AiDevOps.Agent >"$work/agent.log" 2>&1) & pids+=($!)
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

dynalite_binary() { # the pinned dynalite the AppHost and the tests use, installed into .aidevops/tools on first use
  local folder=".aidevops/tools/dynalite-4.0.0"
  if [ ! -x "$folder/node_modules/.bin/dynalite" ]; then
    rm -rf "$folder" "$folder.installing-$$"
    npm install --prefix "$folder.installing-$$" --no-audit --no-fund --loglevel error dynalite@4.0.0 >&2
    mv "$folder.installing-$$" "$folder" 2>/dev/null || rm -rf "$folder.installing-$$" # another run installed it first
  fi
  echo "$PWD/$folder/node_modules/.bin/dynalite"
}

image_runtime_env() { # project: the DOTNET_* settings its container image sets, as NAME=value words
  dotnet msbuild "$1" -getItem:ContainerEnvironmentVariable -nologo | python3 -c 'import json, sys
items = json.load(sys.stdin)["Items"]["ContainerEnvironmentVariable"]
print(" ".join(i["Identity"] + "=" + i["Value"] for i in items if i["Identity"].startswith("DOTNET_")))'
}

publish() { # project: dotnet publish -c Release into $work/<project>
  run dotnet publish "$1" -c Release -o "$work/$1" -nologo -v quiet --disable-build-servers >"$work/publish.log" 2>&1 ||
    { cat "$work/publish.log" >&2; exit 1; }
}

bench_alert_latency() {
  # Defaults as shipped: a 15 s scrape and evaluation interval; Alertmanager's group_wait 30s, group_interval 5m.
  local interval=15 reps=${BENCH_REPS:-5} group_wait= group_interval=
  if [ "${BENCH_QUICK:-}" = 1 ]; then interval=2 reps=1 group_wait='group_wait: 1s' group_interval='group_interval: 2s'; fi
  local alertmanager node_exporter
  alertmanager=$(command -v prometheus-alertmanager || command -v alertmanager) &&
    node_exporter=$(command -v prometheus-node-exporter || command -v node_exporter) && command -v prometheus >/dev/null ||
    { echo "needs prometheus, prometheus-node-exporter and prometheus-alertmanager (apt-get install)" >&2; exit 1; }
  work=$(mktemp -d)
  local dynalite
  dynalite=$(dynalite_binary)
  publish AiDevOps.Brain; publish AiDevOps.Insights; publish AiDevOps.Agent

  local p exporter_port telegram_port dynalite_port insights_port brain_port am_port prom_c_port prom_b_port agent_a_port agent_b_port agent_c_port
  for p in exporter_port telegram_port dynalite_port insights_port brain_port am_port prom_c_port prom_b_port agent_a_port agent_b_port agent_c_port; do
    printf -v "$p" %s "$(free_port)"
  done
  local every
  every=$(printf '00:00:%02d' "$interval")
  local aidevops_chat=1001 alertmanager_chat=1002 token=123456:bench
  : >"$work/telegram.jsonl"
  python3 eng/bench/fake_telegram.py "$telegram_port" "$work/telegram.jsonl" & pids+=($!)
  "$dynalite" --host 127.0.0.1 --port "$dynalite_port" --createTableMs 0 >"$work/dynalite.log" 2>&1 & pids+=($!)
  wait_http "http://127.0.0.1:$telegram_port/botx/getMe"

  local insights_key=bench-insights
  (cd "$work/AiDevOps.Insights" && ASPNETCORE_URLS="http://127.0.0.1:$insights_port" DOTNET_ENVIRONMENT=Production \
    Insights__ApiKeySha256="$(printf %s "$insights_key" | sha256sum | cut -d' ' -f1)" \
    Logging__LogLevel__Default=Warning exec ./AiDevOps.Insights >"$work/insights.log" 2>&1) & pids+=($!)
  # One Brain, three agents (one per topology), each with its own key; the Telegram receiver is the fake Bot API.
  local runtime_env
  runtime_env=$(image_runtime_env AiDevOps.Brain) # the GC's settings, as the Brain's image runs it
  # shellcheck disable=SC2206 # NAME=value words
  local brain_env=($runtime_env ASPNETCORE_URLS="http://127.0.0.1:$brain_port" DOTNET_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
    ConnectionStrings__dynamodb="http://127.0.0.1:$dynalite_port" Storage__TablePrefix=bench
    Alerting__InsightsUrl="http://127.0.0.1:$insights_port" Alerting__InsightsApiKey="$insights_key" Detection__ModelPath="$work/models"
    Telegram__ApiBaseUrl="http://127.0.0.1:$telegram_port" Telegram__BotToken="$token" Telegram__ChatIds__0="$aidevops_chat")
  local i=0 topology
  for topology in scrape remote-write promql; do
    brain_env+=("Ingest__Agents__${i}__Id=$topology" "Ingest__Agents__${i}__KeySha256=$(printf %s "key-$topology" | sha256sum | cut -d' ' -f1)")
    i=$((i + 1))
  done
  (cd "$work/AiDevOps.Brain" && exec env "${brain_env[@]}" ./AiDevOps.Brain >"$work/brain.log" 2>&1) & pids+=($!)

  # Prometheus and Alertmanager with their defaults: rule `up == 0` without `for`, evaluated every scrape interval.
  cat >"$work/alertmanager.yml" <<YAML
route:
  receiver: telegram
  $group_wait
  $group_interval
receivers:
  - name: telegram
    telegram_configs:
      - api_url: http://127.0.0.1:$telegram_port
        bot_token: '$token'
        chat_id: $alertmanager_chat
        send_resolved: true
YAML
  cat >"$work/rules.yml" <<YAML
groups:
  - name: bench
    rules:
      - alert: TargetDown
        expr: up == 0
YAML
  prometheus_config() { # instance, then what else the config holds
    cat <<YAML
global:
  scrape_interval: ${interval}s
  scrape_timeout: $((interval < 10 ? interval : 10))s
  evaluation_interval: ${interval}s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$exporter_port']
        labels: {instance: '$1'}
$2
YAML
  }
  # (c) PromQL: this Prometheus is polled by the Agent and alerts through Alertmanager.
  prometheus_config bench-promql "rule_files: ['$work/rules.yml']
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:$am_port']" >"$work/prometheus-c.yml"
  # (b) remote_write into the Agent's receiver, configured as the README shows it.
  prometheus_config bench-remote-write "remote_write:
  - url: http://127.0.0.1:$agent_b_port/api/v1/write
    authorization:
      credentials: receiver-key" >"$work/prometheus-b.yml"
  prometheus --config.file="$work/prometheus-b.yml" --storage.tsdb.path="$work/prom-b" --web.listen-address="127.0.0.1:$prom_b_port" \
    --storage.remote.flush-deadline=5s >"$work/prometheus-b.log" 2>&1 & pids+=($!)
  # The driver runs the alerting pair and starts both afresh before each repetition: Prometheus re-sends a resolved
  # alert for 15 minutes, which keeps Alertmanager's group alive, and a new alert in a group that has already sent
  # waits for its next group_interval (up to 5 min) instead of group_wait. Fresh, every repetition measures what a
  # fault after a quiet spell gets, as a first fault does.
  python3 - "$work/alerting.json" <<PY
import json, sys
json.dump([
    {"argv": ["$alertmanager", "--config.file=$work/alertmanager.yml", "--storage.path=$work/am-data", "--cluster.listen-address=",
              "--web.listen-address=127.0.0.1:$am_port"], "log": "$work/alertmanager.log", "ready": "http://127.0.0.1:$am_port/-/ready"},
    {"argv": ["prometheus", "--config.file=$work/prometheus-c.yml", "--storage.tsdb.path=$work/prom-c",
              "--web.listen-address=127.0.0.1:$prom_c_port"], "log": "$work/prometheus-c.log", "ready": "http://127.0.0.1:$prom_c_port/-/ready"},
], open(sys.argv[1], "w"))
PY

  agent() { # topology, port, then settings of its sources; the agent runs as its container image does
    local name=$1 port=$2
    shift 2
    (cd "$work/AiDevOps.Agent" && exec env ASPNETCORE_URLS="http://127.0.0.1:$port" DOTNET_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
      Agent__Id="$name" Agent__ApiKey="key-$name" Agent__BrainUrl="http://127.0.0.1:$brain_port" Agent__Interval="$every" \
      Agent__Delivery__QueuePath="$work/queue-$name" "$@" ./AiDevOps.Agent >"$work/agent-$name.log" 2>&1) &
    pids+=($!)
  }
  agent scrape "$agent_a_port" Agent__Scrape__Targets__0__Url="http://127.0.0.1:$exporter_port/metrics" \
    Agent__Scrape__Targets__0__Job=node Agent__Scrape__Targets__0__Instance=bench-scrape
  agent remote-write "$agent_b_port" Agent__Receiver__KeySha256="$(printf %s receiver-key | sha256sum | cut -d' ' -f1)"
  agent promql "$agent_c_port" Agent__Prometheus__Url="http://127.0.0.1:$prom_c_port"

  for p in "$brain_port/health" "$insights_port/health" "$agent_a_port/health" "$agent_b_port/health" "$agent_c_port/health" \
    "$prom_b_port/-/ready"; do
    wait_http "http://127.0.0.1:$p"
  done

  echo "One node_exporter watched by AiDevOps in three topologies (Agent scraping it, Prometheus remote_write into the Agent,"
  echo "Agent polling Prometheus) and by Prometheus 2.42 + Alertmanager 0.25; scrape interval ${interval}s, $reps repetitions..."
  run python3 eng/bench/alert_latency.py "$work/telegram.jsonl" "$interval" "$reps" "$node_exporter" "127.0.0.1:$exporter_port" \
    "$aidevops_chat" "$alertmanager_chat" "$work/alerting.json" "$work/result.json" scrape=bench-scrape remote-write=bench-remote-write promql=bench-promql
  python3 - "$work/result.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
def median(values):
    arrived = [v for v in values if v is not None]
    return round(statistics.median(arrived), 2) if arrived else None
default = "promql"  # the AppHost's local topology: the Agent polls the Prometheus it starts
ours, theirs = median(r[default]["firing"]), median(r["alertmanager"]["firing"])
print(json.dumps({"bench": "alert-latency", "aidevops_s": ours, "alertmanager_s": theirs,
                  "ratio": round(ours / theirs, 3) if ours is not None and theirs else None,
                  "resolve_s": median(r[default]["resolve"])}, separators=(",", ":")))
PY
}

publish_brain_and_bench() { # the Brain published in Release into $work, and the bench harness built
  publish AiDevOps.Brain
  run dotnet build eng/AiDevOps.Bench -c Release -nologo -v quiet --disable-build-servers >"$work/bench-build.log" 2>&1 ||
    { cat "$work/bench-build.log" >&2; exit 1; }
}

bench_ingest() {
  # The Brain (Release, on dynalite) and Prometheus 2.42's remote_write receiver, the same generator, the same run.
  command -v prometheus >/dev/null || { echo "needs prometheus (apt-get install prometheus)" >&2; exit 1; }
  work=$(mktemp -d)
  local dynalite
  dynalite=$(dynalite_binary)
  publish_brain_and_bench

  local dynalite_port brain_port prom_port
  dynalite_port=$(free_port); brain_port=$(free_port); prom_port=$(free_port)
  "$dynalite" --host 127.0.0.1 --port "$dynalite_port" --createTableMs 0 >"$work/dynalite.log" 2>&1 & pids+=($!)
  local dynalite_pid=$!
  local runtime_env
  runtime_env=$(image_runtime_env AiDevOps.Brain) # the GC's settings, as the Brain's image runs it
  # Two agents: the load's, and the paced run's in a tenant of its own, so its anomalies are counted alone.
  (cd "$work/AiDevOps.Brain" && exec env ASPNETCORE_URLS="http://127.0.0.1:$brain_port" DOTNET_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Warning ConnectionStrings__dynamodb="http://127.0.0.1:$dynalite_port" Storage__TablePrefix=bench \
    Detection__ModelPath="$work/models" $runtime_env \
    Ingest__Agents__0__Id=load Ingest__Agents__0__KeySha256="$(printf %s key-load | sha256sum | cut -d' ' -f1)" \
    Ingest__Agents__1__Id=paced Ingest__Agents__1__Tenant=paced Ingest__Agents__1__KeySha256="$(printf %s key-paced | sha256sum | cut -d' ' -f1)" \
    ./AiDevOps.Brain >"$work/brain.log" 2>&1) & pids+=($!)
  local brain_pid=$!
  : >"$work/prometheus.yml" # nothing to scrape: it only receives
  prometheus --config.file="$work/prometheus.yml" --web.enable-remote-write-receiver --storage.tsdb.path="$work/prom" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 & pids+=($!)
  local prom_pid=$!
  wait_http "http://127.0.0.1:$brain_port/health"
  wait_http "http://127.0.0.1:$prom_port/-/ready"

  run dotnet run --no-build -c Release --project eng/AiDevOps.Bench -- ingest "http://127.0.0.1:$brain_port" key-load "$brain_pid" "$dynalite_pid" \
    "http://127.0.0.1:$prom_port" "$prom_pid" key-paced
}

bench_scale() {
  # 1 Brain, then 3 in one Orleans cluster (Redis from apt), the published Release build on one dynalite.
  command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)" >&2; exit 1; }
  work=$(mktemp -d)
  local dynalite
  dynalite=$(dynalite_binary)
  publish_brain_and_bench
  local dynalite_port redis_port
  dynalite_port=$(free_port); redis_port=$(free_port)
  "$dynalite" --host 127.0.0.1 --port "$dynalite_port" --createTableMs 0 >"$work/dynalite.log" 2>&1 & pids+=($!)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 & pids+=($!)
  wait_http "http://127.0.0.1:$dynalite_port/" || true
  run dotnet run --no-build -c Release --project eng/AiDevOps.Bench -- scale "$work/AiDevOps.Brain" "http://127.0.0.1:$dynalite_port" \
    "127.0.0.1:$redis_port" "$(image_runtime_env AiDevOps.Brain)"
}

case "${1:-}" in
  agent) bench_agent ;;
  alert-latency) bench_alert_latency ;;
  storage)
    # Write units, stored bytes, ingest throughput, 24 h range-query reads and latency (dynalite from npm on first use).
    dotnet run -c Release --project eng/AiDevOps.Bench --disable-build-servers -- storage
    ;;
  detect) dotnet run -c Release --project eng/AiDevOps.Bench --disable-build-servers -- detect ;;
  alert-noise)
    dotnet run -c Release --project eng/AiDevOps.Bench --disable-build-servers -- alert-noise "${NAB_DIR:-../shared/nab}"
    ;;
  ingest) bench_ingest ;;
  scale) bench_scale ;;
  insights)
    dotnet run -c Release --project eng/AiDevOps.Bench --disable-build-servers -- insights "${NAB_DIR:-../shared/nab}"
    ;;
  *) echo "usage: eng/bench.sh agent|storage|detect|alert-noise|alert-latency|insights|ingest|scale" >&2; exit 2 ;;
esac
