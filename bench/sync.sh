#!/usr/bin/env bash
# Sync against a real PostgreSQL with botdesk's Supabase migrations (issue 8's goal: 10,000
# changed rows pushed in <= 3 s; the issue names no peer). Starts a throwaway cluster on a free
# port of 127.0.0.1 (Debian's server binaries; as the postgres user when run as root), applies
# tests/it/fixtures/supabase_auth.sql and supabase/migrations/, runs
# `botdesk-bench sync --rows N`, and removes the cluster.
#   bench/sync.sh [ROWS=10000]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$bin/postgres" ] || { echo "PostgreSQL server binaries are missing (apt-get install postgresql)" >&2; exit 1; }
dir=$(mktemp -d /tmp/botdesk-bench-pg-XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; as_pg=(runuser -u postgres --); fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >/dev/null
# Durable as a server would be (fsync on): the figure includes the server's commits.
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null
export PGOPTIONS="-c client_min_messages=warning"
psql_() { psql -h 127.0.0.1 -p "$port" -U postgres -X -q -v ON_ERROR_STOP=1 -d postgres "$@" >/dev/null; }
psql_ -f tests/it/fixtures/supabase_auth.sql
for f in supabase/migrations/*.sql; do psql_ -f "$f"; done
owner=11111111-1111-4111-8111-111111111111
psql_ -c "INSERT INTO public.users (id, display_name, role) VALUES ('$owner', 'Owner', 'owner')"
cargo build --locked --release -p botdesk-bench 2>&1 | tail -1
echo "== botdesk ($rows rows)"
ours=$(target/release/botdesk-bench sync --rows "$rows" --database-url "host=127.0.0.1 port=$port user=postgres dbname=postgres" --user-id "$owner" --json)
echo "$ours"
python3 - "$ours" <<'PY'
import json, sys
o = json.loads(sys.argv[1])
print(f"\n{'':<44}{'botdesk':>10}  goal")
print(f"{'push of ' + str(o['rows']) + ' changed rows (s)':<44}{o['push_s']:>10.2f}  <= 3 {'met' if o['push_s'] <= 3 else 'MISSED'}")
print(f"{'pull of them on a new device (s)':<44}{o['pull_s']:>10.2f}")
PY
