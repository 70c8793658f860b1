#!/usr/bin/env bash
# Webhooks under load (issue 16): two dashboard instances on one PostgreSQL database (a throw-away cluster, see
# pg-cluster.sh), and signed SendGrid batches of 500 events from 32 senders for 60 s, alternating between the two.
# Loopback only; stops by itself. Prints events stored per second, p50/p99 acknowledgement latency, and events lost or
# stored twice. Usage: benchmarks/webhook-load.sh [SENDERS] [SECONDS] [BATCH]
# GROUP_LOG=Debug KEEP_LOGS=DIR: each instance logs every group commit (batches, events, milliseconds) into DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
senders="${1:-32}"; seconds="${2:-60}"; batch="${3:-500}"
source benchmarks/pg-cluster.sh
database="webhook_load_$$"
psql "$PGSERVER" -qc "CREATE DATABASE $database" >/dev/null
target="${PGSERVER%/*}/$database"

out="$(mktemp -d)"
cleanup_instances() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP_LOGS:-}" ] && cp "$out"/*.log "$KEEP_LOGS"/ 2>/dev/null; rm -rf "$out"; }
trap 'cleanup_instances; psql "$PGSERVER" -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true; if type pg_cluster_stop >/dev/null 2>&1; then pg_cluster_stop; fi' EXIT
dotnet publish ClickInsights.Web -c Release -o "$out/web" >/dev/null
dotnet build benchmarks/ClickInsights.Benchmarks -c Release >/dev/null

port_a=5181; port_b=5182
for name in a b; do
  port=$([ "$name" = a ] && echo $port_a || echo $port_b)
  ClickInsights__Storage__Provider=PostgreSQL ClickInsights__Storage__ConnectionString="$target" \
  ClickInsights__Storage__LocalFolder="$out/$name" ClickInsights__InstanceName="$name" ClickInsights__SeedDemo=false \
  ClickInsights__Sync__Enabled=false ClickInsights__Webhooks__CallsPerMinute=1000000 ClickInsights__Webhooks__BodiesAtOnce=64 ClickInsights__Jobs__Enabled="${JOBS:-true}" \
  ASPNETCORE_URLS="http://127.0.0.1:$port" Logging__LogLevel__Default=Warning \
  env "Logging__LogLevel__ClickInsights.Core.Providers.Webhooks.WebhookGroupCommit=${GROUP_LOG:-Warning}" \
    dotnet "$out/web/ClickInsights.Web.dll" >"$out/$name.log" 2>&1 &
  # One after the other: the first migrates the database.
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "instance $name did not become ready:"; tail -20 "$out/$name.log"; exit 1; }
done

dotnet run -c Release --no-build --project benchmarks/ClickInsights.Benchmarks -- webhook-load "$target" \
  "http://127.0.0.1:$port_a,http://127.0.0.1:$port_b" "$senders" "$seconds" "$batch"
