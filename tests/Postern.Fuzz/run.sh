#!/usr/bin/env bash
# Runs one bounded afl++ campaign on one fuzz target:
#
#   tests/Postern.Fuzz/run.sh TARGET SECONDS
#
# Builds Postern.Fuzz in Release into a scratch folder, instruments the Postern assemblies there
# with the sharpfuzz tool (.config/dotnet-tools.json; the build tree and the replay tests keep
# their uninstrumented copies), runs afl-fuzz for SECONDS on Corpus/TARGET, and prints afl's
# summary: executions per second, paths (queue entries), crashes and hangs, with where the
# inputs are. Needs afl++ (Debian package afl++). POSTERN_FUZZ_WORK moves the scratch folder
# (default /tmp/postern-fuzz); an existing campaign output for TARGET is replaced.
set -euo pipefail

if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 TARGET SECONDS   (targets: the folders of $(dirname "$0")/Corpus)" >&2
    exit 2
fi

target=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=$here/Corpus/$target
if [[ ! -d $corpus ]]; then
    echo "no corpus for target '$target' ($corpus); targets: $(ls "$here/Corpus" | tr '\n' ' ')" >&2
    exit 2
fi

if ! command -v afl-fuzz > /dev/null; then
    echo "afl-fuzz is not installed: apt-get install -y afl++" >&2
    exit 2
fi

base=${POSTERN_FUZZ_WORK:-/tmp/postern-fuzz}
work=$base/$target
bin=$work/bin
out=$work/out
rm -rf "$bin" "$out" "$work/exceptions.log"
mkdir -p "$work"

# One incremental Release build serves every target; each target instruments its own copy.
echo "== building Postern.Fuzz (Release) into $base/build" >&2
dotnet build "$here/Postern.Fuzz.csproj" -c Release -o "$base/build" -v quiet -nologo > "$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; exit 1; }
cp -r "$base/build" "$bin"

echo "== instrumenting the Postern assemblies" >&2
(cd "$root" && dotnet tool restore > /dev/null)
# Only Postern's own code is instrumented: its branches are what afl should learn. MimeKit is
# added for the mime target, whose parsing happens almost entirely inside MimeKit.
assemblies=(postern.dll Postern.Net.dll Postern.Storage.dll Postern.Smtp.dll Postern.Imap.dll Postern.Pop3.dll Postern.Web.dll)
[[ $target == mime ]] && assemblies+=(MimeKit.dll)
for dll in "${assemblies[@]}"; do
    (cd "$root" && dotnet tool run sharpfuzz "$bin/$dll") > /dev/null
done

# dotnet is not an afl-instrumented binary (SharpFuzz reports coverage itself), the machine is
# shared (no CPU pinning, no frequency check), and crashes are .NET exceptions, not core dumps.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export POSTERN_FUZZ_LOG=$work/exceptions.log
export AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=${AFL_FORKSRV_INIT_TMOUT:-30000}
echo "== afl-fuzz on $target for $seconds s (output in $out)" >&2
# -t 1000: an input that takes over 1 s is a hang. -m none: the .NET runtime reserves far more
# address space than afl's default limit. -V: stop after SECONDS.
afl-fuzz -i "$corpus" -o "$out" -t 1000 -m none -V "$seconds" -- dotnet "$bin/Postern.Fuzz.dll" "$target" > "$work/afl.log" 2>&1 \
    || { tail -40 "$work/afl.log" >&2; exit 1; }

stats=$out/default/fuzzer_stats
value() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
echo "target:        $target"
echo "run time:      $(value run_time) s"
echo "executions:    $(value execs_done)"
echo "execs/sec:     $(value execs_per_sec)"
echo "paths:         $(value corpus_count) (found $(value corpus_found))"
echo "crashes:       $(value saved_crashes)  ($out/default/crashes)"
echo "hangs:         $(value saved_hangs)  ($out/default/hangs)"
[[ -s $work/exceptions.log ]] && echo "exceptions:    $work/exceptions.log"
echo "CAMPAIGN.md:   | $(date -u +%Y-%m-%d) | $target | $(value run_time) | $(value execs_per_sec) | $(value corpus_count) | $(value saved_crashes) | $(value saved_hangs) | |"
exit 0
