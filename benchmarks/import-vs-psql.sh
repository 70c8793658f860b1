#!/usr/bin/env bash
# Import speed on PostgreSQL, side by side in one run on this machine:
#   ClickInsights.Cli import of a simulated SendGrid file into a new PostgreSQL database (parsing, storing with dedupe
#   through binary COPY, classifying every click)
#   vs. psql's \copy of the same events written as one flat CSV (one column per field) into one unindexed table of
#   the same server.
# Wall time and peak memory (max RSS) of each client come from /usr/bin/time.
#   benchmarks/import-vs-psql.sh                    # ~1.5 million events, ~0.8 million clicks (as import-vs-sqlite3.sh)
#   CONTACTS=10000 benchmarks/import-vs-psql.sh     # a quicker run
# A throw-away cluster is started (benchmarks/pg-cluster.sh) unless PGSERVER names a server.
set -euo pipefail
CONTACTS=${CONTACTS:-70000}
CAMPAIGNS=${CAMPAIGNS:-4}
BUSINESS=${BUSINESS:-1}
LINKS=${LINKS:-8}
WORK=${WORK:-/tmp/clickinsights-import-bench}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
mkdir -p "$WORK"
source "$ROOT/benchmarks/pg-cluster.sh"
db_uri() { echo "${PGSERVER%/*}/$1"; }

dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -m:1 -v q -nologo \
  -o "$WORK/cli" ClickInsights.Cli/ClickInsights.Cli.csproj >/dev/null
CLI=("$WORK/cli/ClickInsights.Cli")
dotnet build -c Release -m:1 -v q -nologo benchmarks/ClickInsights.Benchmarks/ClickInsights.Benchmarks.csproj >/dev/null

JSON="$WORK/sendgrid-$CONTACTS-$CAMPAIGNS-$BUSINESS-$LINKS.json"
CSV="$WORK/sendgrid-$CONTACTS-$CAMPAIGNS-$BUSINESS-$LINKS.csv"
[ -s "$JSON" ] || "${CLI[@]}" demo --out "$JSON" --contacts "$CONTACTS" --campaigns "$CAMPAIGNS" --business-share "$BUSINESS" --links "$LINKS"
[ -s "$CSV" ] || dotnet "$ROOT/benchmarks/ClickInsights.Benchmarks/bin/Release/net10.0/ClickInsights.Benchmarks.dll" sendgrid-to-csv "$JSON" "$CSV"
cat "$JSON" "$CSV" > /dev/null

psql -q "$PGSERVER" -c "DROP DATABASE IF EXISTS bench_copy" -c "DROP DATABASE IF EXISTS bench_import" -c "CREATE DATABASE bench_copy" -c "CREATE DATABASE bench_import"
COLUMNS=$(head -1 "$CSV" | tr ',' '\n' | sed 's/.*/"&" text/' | paste -sd, -)
psql -q "$(db_uri bench_copy)" -c "CREATE TABLE events ($COLUMNS)"
/usr/bin/time -f "%e %M" -o "$WORK/psql.time" psql -q "$(db_uri bench_copy)" -c "\\copy events FROM '$CSV' CSV HEADER"
/usr/bin/time -f "%e %M" -o "$WORK/pgimport.time" "${CLI[@]}" import "$JSON" --db "$(db_uri bench_import)" > "$WORK/pgimport.out" 2> "$WORK/pgimport.err"

read -r PS_S PS_KB < "$WORK/psql.time"
read -r CI_S CI_KB < "$WORK/pgimport.time"
EVENTS=$(psql -tA "$(db_uri bench_copy)" -c "SELECT count(*) FROM events")
STORED=$(psql -tA "$(db_uri bench_import)" -c 'SELECT count(*) FROM "Events"')
VERDICTS=$(psql -tA "$(db_uri bench_import)" -c 'SELECT count(*) FROM "ClickVerdicts"')
echo "events: $EVENTS in $(du -h "$JSON" | cut -f1) of JSON, $(du -h "$CSV" | cut -f1) of CSV"
echo "psql \\copy (CSV, one table, no index):                  ${PS_S} s, peak ${PS_KB} KB"
echo "ClickInsights.Cli import (JSON, dedupe, classified):     ${CI_S} s, peak ${CI_KB} KB ($STORED events stored, $VERDICTS clicks classified)"
awk -v a="$CI_S" -v b="$PS_S" 'BEGIN { printf "ratio import / psql \\copy: %.2f\n", a / b }'
tail -n 1 "$WORK/pgimport.out"
