#!/bin/sh
# First start: initialise PGDATA from POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB and run
# /docker-entrypoint-initdb.d; then run the server. The initialisation server listens on a
# private socket only, so `pg_isready` (a Compose healthcheck) answers only for the real one.
set -eu
# initdb --no-sync: a throwaway database for checks and tests; fsync only slows its first start.
if [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  method=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$method" != trust ]; then
    echo 'Error: Database is uninitialized and superuser password is not specified.' >&2
    echo '       Set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust).' >&2
    exit 1
  fi
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb --no-sync --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host="$method" -D "$PGDATA" >/dev/null
    rm -f "$pwfile"
  else
    initdb --no-sync --username="$user" --auth-local=trust --auth-host=trust -D "$PGDATA" >/dev/null
  fi
  echo "host all all all $method" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"

  sock=$(mktemp -d)
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k $sock" -w start >/dev/null
  if [ "$db" != postgres ]; then
    psql -h "$sock" -U "$user" -d postgres -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE \"$db\""
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) echo "running $f"; psql -h "$sock" -U "$user" -d "$db" -v ON_ERROR_STOP=1 -q -f "$f" ;;
      *.sh) echo "running $f"; . "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  rmdir "$sock" 2>/dev/null || true
  echo 'PostgreSQL init process complete; ready for start up.'
fi
exec "$@"
