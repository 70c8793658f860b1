#!/usr/bin/env bash
# Server time of the dashboard's pages with about 10 million clicks in one workspace, on PostgreSQL and on SQLite,
# side by side in one run. One simulated SendGrid file (several large campaigns) is imported into a new database of
# each store with the CLI; then the dashboard is started on each and every page is fetched with curl (the first
# answer of a page is rendered on the server with its data, so curl's total time is the server's time on loopback),
# warm: each page once to warm up, then RUNS times, median reported.
# (Seven campaigns two weeks apart from 2026-09-01: later ones would be sent more than a week after today, which the
# importer refuses as times from the future.)
#   benchmarks/pages-at-scale.sh                             # 500,000 contacts x 7 campaigns: ~10 M clicks, ~19 M events
#   CONTACTS=20000 CAMPAIGNS=4 benchmarks/pages-at-scale.sh  # a quick run
# A throw-away PostgreSQL cluster is started (benchmarks/pg-cluster.sh) unless PGSERVER names a server.
set -euo pipefail
CONTACTS=${CONTACTS:-500000}
CAMPAIGNS=${CAMPAIGNS:-7}
LINKS=${LINKS:-8}
RUNS=${RUNS:-5}
WORK=${WORK:-/tmp/clickinsights-pages-bench}
PORT=${PORT:-5097}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
mkdir -p "$WORK"
source "$ROOT/benchmarks/pg-cluster.sh"
PGDB="${PGSERVER%/*}/bench_pages"

dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -m:1 -v q -nologo -o "$WORK/cli" ClickInsights.Cli/ClickInsights.Cli.csproj >/dev/null
dotnet publish -c Release -r linux-x64 --self-contained false -m:1 -v q -nologo -o "$WORK/web" ClickInsights.Web/ClickInsights.Web.csproj >/dev/null
JSON="$WORK/sendgrid-$CONTACTS-$CAMPAIGNS-$LINKS.json"
[ -s "$JSON" ] || "$WORK/cli/ClickInsights.Cli" demo --out "$JSON" --contacts "$CONTACTS" --campaigns "$CAMPAIGNS" --business-share 1 --links "$LINKS"

if [ "${REIMPORT:-true}" = true ]; then
  rm -f "$WORK"/pages.db*
  psql -q "$PGSERVER" -c "DROP DATABASE IF EXISTS bench_pages" -c "CREATE DATABASE bench_pages"
  /usr/bin/time -f "%e s, peak %M KB" -o "$WORK/import-sqlite.time" "$WORK/cli/ClickInsights.Cli" import "$JSON" --db "$WORK/pages.db" --workspace Scale > "$WORK/import-sqlite.out" 2> "$WORK/import-sqlite.err"
  /usr/bin/time -f "%e s, peak %M KB" -o "$WORK/import-pg.time" "$WORK/cli/ClickInsights.Cli" import "$JSON" --db "$PGDB" --workspace Scale > "$WORK/import-pg.out" 2> "$WORK/import-pg.err"
  psql -q "$PGDB" -c 'VACUUM ANALYZE'
fi
echo "import into SQLite: $(cat "$WORK/import-sqlite.time"); into PostgreSQL: $(cat "$WORK/import-pg.time")"
CLICKS=$(sqlite3 "$WORK/pages.db" 'SELECT count(*) FROM ClickVerdicts')
echo "clicks in the workspace: $CLICKS (SQLite), $(psql -tA "$PGDB" -c 'SELECT count(*) FROM "ClickVerdicts"') (PostgreSQL)"

# The pages of the largest campaign, its most clicked domain and one of that domain's recipients.
WS=$(sqlite3 "$WORK/pages.db" "SELECT Id FROM Workspaces WHERE Name = 'Scale'")
CAMPAIGN=$(sqlite3 "$WORK/pages.db" "SELECT CampaignId FROM CampaignSummaries ORDER BY Clicks DESC LIMIT 1")
DOMAIN=$(sqlite3 "$WORK/pages.db" "SELECT Key FROM CampaignBreakdowns WHERE CampaignId = $CAMPAIGN AND Kind = 3 ORDER BY BotClicks DESC LIMIT 1")
RECIPIENT=$(sqlite3 "$WORK/pages.db" "SELECT Id FROM Recipients WHERE WorkspaceId = $WS AND Domain = '$DOMAIN' LIMIT 1")
PAGES=(
  "Overview|/w/$WS"
  "Campaign|/campaigns/$CAMPAIGN"
  "Campaign, bots of one domain|/campaigns/$CAMPAIGN?verdict=bot&domain=$DOMAIN"
  "Domains|/w/$WS/domains"
  "One domain|/w/$WS/domains/$DOMAIN"
  "A recipient|/recipients/$RECIPIENT"
  "The report|/campaigns/$CAMPAIGN/report"
)

time_pages() { # store name, then the dashboard's settings
  local name=$1; shift
  env "$@" ClickInsights__SeedDemo=false ASPNETCORE_ENVIRONMENT=Production "$WORK/web/ClickInsights.Web" --urls "http://127.0.0.1:$PORT" > "$WORK/web-$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" -m 1 && break; curl -s -o /dev/null "http://127.0.0.1:$PORT/" -m 5 && break; sleep 1; done
  for page in "${PAGES[@]}"; do
    local label=${page%%|*} path=${page#*|}
    curl -s -o "$WORK/page.html" -w "%{http_code}" "http://127.0.0.1:$PORT$path" -m 120 > "$WORK/status"
    local times=()
    for _ in $(seq "$RUNS"); do times+=("$(curl -s -o /dev/null -w "%{time_total}" "http://127.0.0.1:$PORT$path" -m 120)"); done
    local median; median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    printf '%s|%s|%s|%.0f\n' "$name" "$label" "$(cat "$WORK/status")" "$(awk -v s="$median" 'BEGIN { print s * 1000 }')" >> "$WORK/results"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

: > "$WORK/results"
time_pages PostgreSQL ClickInsights__Storage__Provider=PostgreSQL ClickInsights__Storage__ConnectionString="$PGDB" ClickInsights__Storage__LocalFolder="$WORK/local"
time_pages SQLite ClickInsights__Storage__DatabasePath="$WORK/pages.db"

echo
echo "| page (median of $RUNS, warm, ms) | PostgreSQL | SQLite |"
echo "|---|---|---|"
for page in "${PAGES[@]}"; do
  label=${page%%|*}
  pg=$(awk -F'|' -v l="$label" '$1 == "PostgreSQL" && $2 == l { print $4 " (" $3 ")" }' "$WORK/results")
  sq=$(awk -F'|' -v l="$label" '$1 == "SQLite" && $2 == l { print $4 " (" $3 ")" }' "$WORK/results")
  echo "| $label | $pg | $sq |"
done
