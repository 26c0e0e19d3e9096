#!/usr/bin/env bash
# One command: build, start the peers, start Postern, populate both from the same corpus,
# run every workload against both, write bench/RESULTS.md, stop Postern (by its pid).
# The Dovecot/Postfix peers are LEFT RUNNING (other helpers share them); `bench/peers.sh stop` stops them.
# Knobs: SMALL (10000) BIG (100000, 0 = skip) IDLE (2000) REPS (5) LOGIN_SECONDS (10) STOP_PEERS (0)
# Needs root (peers, /srv/peers-mail, doveadm).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
SMALL="${SMALL:-10000}"; BIG="${BIG:-100000}"; IDLE="${IDLE:-2000}"; REPS="${REPS:-5}"; LOGIN_SECONDS="${LOGIN_SECONDS:-10}"; IDLE_SECONDS="${IDLE_SECONDS:-300}"
WORK="${BENCH_WORK:-/var/tmp/postern-bench}"       # Postern data + logs; reused between runs (population is skipped when done)
MAILROOT=/srv/peers-mail
command_line="$(printf '%q ' "$0" "$@" | sed 's/ $//')"
for v in SMALL BIG IDLE IDLE_SECONDS REPS LOGIN_SECONDS; do command_line="$v=${!v} $command_line"; done
t0=$(date +%s)
log() { echo "[run $(( $(date +%s) - t0 ))s] $*"; }

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
mkdir -p "$WORK"

log "build"
dotnet build -c Release "$repo/src/Postern" -v q -nologo >/dev/null
dotnet build -c Release "$here/Postern.Bench" -v q -nologo >/dev/null
POSTERN="$repo/src/Postern/bin/Release/net10.0/postern"
BENCH="$here/Postern.Bench/bin/Release/net10.0/Postern.Bench"

log "peers"
bash "$here/peers.sh" > "$WORK/peers.log" 2>&1 || { cat "$WORK/peers.log"; exit 1; }
dovecot_pid=$(cat /run/dovecot/master.pid)

log "postern data folder $WORK/data"
data="$WORK/data"
if [[ ! -f "$data/postern.json" ]]; then
    "$POSTERN" init --data "$data" --hostname localhost --domain mail.test > "$WORK/init.log"
fi
existing="$("$POSTERN" user list --data "$data" || true)"
for u in $("$BENCH" users); do
    grep -qwF -- "$u" <<<"$existing" || echo pass-long-enough | "$POSTERN" user add --data "$data" "$u" >/dev/null
done

log "populate (same corpus; Postern via the store API, Dovecot as Maildir files)"
"$BENCH" populate-postern --data "$data" --user bench-small@mail.test --count "$SMALL"
"$BENCH" populate-maildir --maildir "$MAILROOT/mail.test/user91/Maildir" --user user91@mail.test --count "$SMALL"
if (( BIG > 0 )); then
    "$BENCH" populate-postern --data "$data" --user bench-big@mail.test --count "$BIG"
    "$BENCH" populate-maildir --maildir "$MAILROOT/mail.test/user92/Maildir" --user user92@mail.test --count "$BIG"
fi
chown -R vmail:vmail "$MAILROOT/mail.test"
for u in user91 $( (( BIG > 0 )) && echo user92 ); do
    doveadm force-resync -u "$u@mail.test" INBOX
    doveadm index -u "$u@mail.test" INBOX
done

log "start postern"
"$POSTERN" serve --data "$data" --port-offset 10000 --bind 127.0.0.1 \
    --Limits:MaxConnectionsPerAddress=5000 --Limits:MaxConnections=10000 \
    > "$WORK/serve.out" 2> "$WORK/serve.err" &
postern_pid=$!
trap 'kill "$postern_pid" 2>/dev/null || true; wait "$postern_pid" 2>/dev/null || true' EXIT
for i in $(seq 1 100); do
    ss -Hltn "sport = :10993" | grep -q 127.0.0.1:10993 && break
    kill -0 "$postern_pid" 2>/dev/null || { cat "$WORK/serve.err"; exit 1; }
    sleep 0.2
done
ss -Hltn "sport = :10993" | grep -q 127.0.0.1:10993 || { echo "postern did not listen on 10993"; cat "$WORK/serve.err"; exit 1; }

log "run workloads"
notes="$WORK/notes.md"
{
    echo "## Setup"
    echo
    echo "- Postern: \`$(git -C "$repo" rev-parse --short HEAD)\` ($(git -C "$repo" branch --show-current)), Release build, one process, SQLite store + body files under $data; serve --port-offset 10000 --bind 127.0.0.1 --Limits:MaxConnectionsPerAddress=5000. Passwords PBKDF2-SHA256 (100,000 iterations)."
    echo "- Dovecot: $(dovecot --version 2>/dev/null | head -1), shared peers/setup.sh with DOVECOT_LOGIN_MODE=performance, PASS_SCHEME=SHA512-CRYPT, Maildir under $MAILROOT, indexed (doveadm force-resync + index) before the run."
    echo "- Corpus: $SMALL (and $BIG) deterministic MimeKit messages, 2-50 KB (70% 2-8 KB), 20% multipart with a base64 attachment; same bytes for both (CRLF for Postern, LF in Maildir)."
    echo "- Machine: $(nproc) cores shared with the client and with other work; $(free -g | awk '/Mem:/{print $2}') GiB RAM. Client = the bench process (MailKit), whose CPU time is reported."
} > "$notes"
set +e
"$BENCH" run --postern-pid "$postern_pid" --dovecot-pid "$dovecot_pid" --small "$SMALL" --big "$BIG" --idle "$IDLE" \
    --reps "$REPS" --login-seconds "$LOGIN_SECONDS" --idle-seconds "$IDLE_SECONDS" --out "$here/RESULTS.md" --notes-file "$notes" \
    --command "$command_line" ${BENCH_ARGS:-}
rc=$?
set -e
log "stop postern (pid $postern_pid)"
kill "$postern_pid" 2>/dev/null || true
wait "$postern_pid" 2>/dev/null || true
trap - EXIT
if [[ "${STOP_PEERS:-0}" == 1 ]]; then bash "$here/peers.sh" stop; log "peers stopped"; else log "peers left running (bench/peers.sh stop stops them)"; fi
log "done (bench exit $rc; 1 = some workload failed, see RESULTS.md)"
exit 0
