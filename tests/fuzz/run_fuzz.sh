#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run one libFuzzer target for a bounded time over its seed corpus.
#
#   run_fuzz.sh TARGET SEED_CORPUS_DIR [ARTIFACT_DIR]
#
# libFuzzer writes new inputs only into the first corpus directory, so that
# one is a scratch dir (removed on exit) and the seeds in the source tree
# are read, never written. Crashing inputs go to ARTIFACT_DIR (default: a
# fuzz-artifacts dir under the current directory) and survive the run.
# TP_FUZZ_SECONDS sets the run time (default 30).
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 TARGET SEED_CORPUS_DIR [ARTIFACT_DIR]" >&2
	exit 2
fi
target=$1
seeds=$2
artifacts=${3:-$PWD/fuzz-artifacts}
seconds=${TP_FUZZ_SECONDS:-30}

case $seconds in
''|*[!0-9]*)
	echo "TP_FUZZ_SECONDS must be a whole number of seconds" >&2
	exit 2 ;;
esac
if [ ! -d "$seeds" ]; then
	echo "no seed corpus at $seeds" >&2
	exit 2
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tp-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir -p "$artifacts" "$scratch/corpus" "$scratch/tmp"
# A target's own temporary files (fuzz_conf writes each input to a file)
# go with the scratch dir, even when the target dies.
export TMPDIR="$scratch/tmp"

# Recoverable UBSan checks in the codec must fail the run, not just print.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"

echo "fuzzing $(basename "$target") for ${seconds}s; seeds $seeds;" \
     "crashes to $artifacts/"
# libFuzzer exits 77 on a crash and 70 on a timeout by default; 77 is
# what meson takes for "skipped", so a crash would pass as a skip. Any
# finding is exit 1: a failed test.
"$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" \
	"$scratch/corpus" "$seeds"
