#!/usr/bin/env bash
# Sourced by the PostgreSQL benchmarks: starts a throw-away cluster of Debian's postgresql on a free loopback port
# (trust authentication, in a temp folder), sets PGPORT and PGSERVER (a postgresql:// URI of its postgres database),
# and stops and removes it when the script exits. Set PGSERVER beforehand to use a server of your own instead.
if [ -z "${PGSERVER:-}" ]; then
  pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$pgbin" ] || { echo "Debian's postgresql is not installed (apt-get install -y postgresql)" >&2; exit 1; }
  pgdir="$(mktemp -d)"
  PGPORT=56432
  while (echo > "/dev/tcp/127.0.0.1/$PGPORT") 2>/dev/null; do PGPORT=$((PGPORT + 1)); done
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres "$pgdir"
  as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  # The server's defaults, but for memory a small server would be given (a default install's 128 MB is for a laptop).
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
    -o "-p $PGPORT -k $pgdir -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=512MB -c max_wal_size=8GB" start >/dev/null
  # Scripts that set an EXIT trap of their own call pg_cluster_stop from it.
  pg_cluster_stop() { as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1; rm -rf "$pgdir"; }
  trap pg_cluster_stop EXIT
  PGSERVER="postgresql://postgres@127.0.0.1:$PGPORT/postgres"
fi
export PGSERVER
