#!/usr/bin/env bash
# Starts (or stops: `peers.sh stop`) the Dovecot+Postfix reference peers with the shared scripts.
# Performance login mode and SHA512-CRYPT passwords: the fairer comparison (Postern hashes with
# PBKDF2; Dovecot's default PLAIN scheme would skip hashing entirely).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
peers="$here/../../shared/peers"                 # relative to the repo (worktree layouts differ)
[[ -f "$peers/setup.sh" ]] || peers="$here/../shared/peers"
[[ -f "$peers/setup.sh" ]] || peers=/work/shared/peers
if [[ "${1:-start}" == stop ]]; then exec bash "$peers/stop.sh"; fi
DOVECOT_LOGIN_MODE="${DOVECOT_LOGIN_MODE:-performance}" PASS_SCHEME="${PASS_SCHEME:-SHA512-CRYPT}" bash "$peers/setup.sh"
