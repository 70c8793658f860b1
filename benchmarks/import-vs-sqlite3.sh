#!/usr/bin/env bash
# Import speed, side by side in one run on this machine:
#   ClickInsights.Cli import of a simulated SendGrid file (parsing, storing with dedupe, classifying every click)
#   vs. the sqlite3 shell's .import of the same events written as CSV (one column per field) into one table.
# Wall time and peak memory (max RSS) of each come from /usr/bin/time.
#   benchmarks/import-vs-sqlite3.sh                    # ~1.5 million events, ~0.8 million clicks (70,000 contacts at
#                                                      # businesses behind link scanners, 4 campaigns of 8 links)
#   CONTACTS=10000 benchmarks/import-vs-sqlite3.sh     # a quicker run
set -euo pipefail
CONTACTS=${CONTACTS:-70000}
CAMPAIGNS=${CAMPAIGNS:-4}
BUSINESS=${BUSINESS:-1}
LINKS=${LINKS:-8}
WORK=${WORK:-/tmp/clickinsights-import-bench}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
mkdir -p "$WORK"
rm -f "$WORK"/*.db "$WORK"/*.db-*

# The CLI as it would be shipped: published with ReadyToRun code, so the run is not spent compiling EF Core and the
# classifier (about 0.9 s of a new database's start). READY_TO_RUN=false measures a plain build instead.
if [ "${READY_TO_RUN:-true}" = true ]; then
  dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -m:1 -v q -nologo \
    -o "$WORK/cli" ClickInsights.Cli/ClickInsights.Cli.csproj >/dev/null
  CLI=("$WORK/cli/ClickInsights.Cli")
else
  dotnet build -c Release -m:1 -v q -nologo ClickInsights.Cli/ClickInsights.Cli.csproj >/dev/null
  CLI=(dotnet "$ROOT/ClickInsights.Cli/bin/Release/net10.0/ClickInsights.Cli.dll")
fi
dotnet build -c Release -m:1 -v q -nologo benchmarks/ClickInsights.Benchmarks/ClickInsights.Benchmarks.csproj >/dev/null

JSON="$WORK/sendgrid-$CONTACTS-$CAMPAIGNS-$BUSINESS-$LINKS.json"
CSV="$WORK/sendgrid-$CONTACTS-$CAMPAIGNS-$BUSINESS-$LINKS.csv"
[ -s "$JSON" ] || "${CLI[@]}" demo --out "$JSON" --contacts "$CONTACTS" --campaigns "$CAMPAIGNS" --business-share "$BUSINESS" --links "$LINKS"
[ -s "$CSV" ] || dotnet "$ROOT/benchmarks/ClickInsights.Benchmarks/bin/Release/net10.0/ClickInsights.Benchmarks.dll" sendgrid-to-csv "$JSON" "$CSV"
# Both read their input from the page cache, not the disk.
cat "$JSON" "$CSV" > /dev/null

/usr/bin/time -f "%e %M" -o "$WORK/sqlite3.time" sqlite3 "$WORK/sqlite3.db" -cmd ".mode csv" ".import $CSV events"
/usr/bin/time -f "%e %M" -o "$WORK/import.time" "${CLI[@]}" import "$JSON" --db "$WORK/clickinsights.db" > "$WORK/import.out" 2> "$WORK/import.err"

read -r SQ_S SQ_KB < "$WORK/sqlite3.time"
read -r CI_S CI_KB < "$WORK/import.time"
EVENTS=$(sqlite3 "$WORK/sqlite3.db" "SELECT count(*) FROM events")
CLICKS=$(sqlite3 "$WORK/sqlite3.db" "SELECT count(*) FROM events WHERE event = 'click'")
STORED=$(sqlite3 "$WORK/clickinsights.db" "SELECT count(*) FROM Events")
VERDICTS=$(sqlite3 "$WORK/clickinsights.db" "SELECT count(*) FROM ClickVerdicts")
echo "events: $EVENTS ($CLICKS clicks) in $(du -h "$JSON" | cut -f1) of JSON, $(du -h "$CSV" | cut -f1) of CSV"
echo "sqlite3 .import (CSV, one table, no index):           ${SQ_S} s, peak ${SQ_KB} KB"
echo "ClickInsights.Cli import (JSON, dedupe, classified):  ${CI_S} s, peak ${CI_KB} KB ($STORED events stored, $VERDICTS clicks classified)"
awk -v a="$CI_S" -v b="$SQ_S" 'BEGIN { printf "ratio import / sqlite3: %.2f\n", a / b }'
tail -n 1 "$WORK/import.out"

# SQLite's own share of the import, without parsing, binding or classifying: a copy of the stored events and verdicts
# into new tables of the same shape, and their indexes, with the bulk import's settings. This is the least any import
# storing this shape (one indexed row per event and per verdict) can take on this machine; FLOOR=false skips it.
if [ "${FLOOR:-true}" = true ]; then
  cp "$WORK/clickinsights.db" "$WORK/floor.db"
  /usr/bin/time -f "%e" -o "$WORK/floor.time" sqlite3 "$WORK/floor.db" >/dev/null \
    "PRAGMA synchronous = OFF; PRAGMA cache_size = -16384; PRAGMA threads = 2;
     CREATE TABLE e2 AS SELECT * FROM Events;
     CREATE INDEX e2_hash ON e2 (WorkspaceId, IdHash);
     CREATE INDEX e2_campaign ON e2 (CampaignId, Type, OccurredAtMs);
     CREATE INDEX e2_recipient ON e2 (RecipientId, OccurredAtMs);
     CREATE TABLE v2 (EventId INTEGER PRIMARY KEY, CampaignId INTEGER, Verdict INTEGER, Score INTEGER, ReasonSet INTEGER);
     INSERT INTO v2 SELECT EventId, CampaignId, Verdict, Score, ReasonSet FROM ClickVerdicts;
     CREATE INDEX v2_campaign ON v2 (CampaignId, Verdict);"
  read -r FLOOR_S < "$WORK/floor.time"
  rm -f "$WORK/floor.db" "$WORK"/floor.db-*
  echo "SQLite alone, storing the same rows and indexes (no parsing, binding or classifying): ${FLOOR_S} s"
  awk -v a="$FLOOR_S" -v b="$SQ_S" 'BEGIN { printf "ratio SQLite alone / sqlite3 .import: %.2f\n", a / b }'
fi
