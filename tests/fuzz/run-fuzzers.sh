#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the libFuzzer targets for a given time each, from the seed corpora in
# tests/fuzz/corpus/, with AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   tests/fuzz/run-fuzzers.sh SECONDS [FORMAT...]     (formats: idx png csv modelfile safetensors lesson session)
#
# Needs clang and libclang-rt-14-dev (Debian 12). Builds in build-libfuzzer (created when
# absent). Inputs the fuzzers find go to build-libfuzzer/fuzz-work/FORMAT/corpus, never into
# the seed corpus; a crash, leak, timeout or out-of-memory is written to
# build-libfuzzer/fuzz-work/FORMAT/ (crash-*, leak-*, timeout-*, oom-*), and the script then
# exits with 1. To keep such an input as a regression test, minimise it
#   build-libfuzzer/tests/fuzz/fuzz-FORMAT -minimize_crash=1 -runs=10000 FILE
# and copy the result into tests/fuzz/corpus/FORMAT/.
set -u
cd "$(dirname "$0")/../.."

if [ $# -lt 1 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
  echo "usage: $0 SECONDS [idx|png|csv|modelfile|safetensors|lesson|session ...]" >&2
  exit 2
fi
seconds=$1
shift
formats=("$@")
[ ${#formats[@]} -gt 0 ] || formats=(idx png csv modelfile safetensors lesson session)

build=build-libfuzzer
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dbuildtype=debugoptimized -Db_sanitize=address,undefined \
    -Db_lundef=false -Dgui=disabled || exit 1
fi
for format in "${formats[@]}"; do
  ninja -C "$build" "tests/fuzz/fuzz-$format" || exit 1
done

# The largest input each format needs to reach every branch: a few small images or rows,
# a model or safetensors file of a few tensors. Longer inputs only slow the search.
max_len_of () {
  case $1 in
    idx) echo 4096 ;;
    png) echo 8192 ;;
    csv) echo 2048 ;;
    modelfile) echo 4096 ;;
    safetensors) echo 4096 ;;
    lesson) echo 4096 ;;
    session) echo 2048 ;;
    *) echo "unknown format: $1" >&2; exit 2 ;;
  esac
}

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for format in "${formats[@]}"; do
  work=$build/fuzz-work/$format
  mkdir -p "$work/corpus"
  dict=()
  [ -f "tests/fuzz/$format.dict" ] && dict=("-dict=tests/fuzz/$format.dict")
  seeds=("tests/fuzz/corpus/$format")
  # the bundled lessons are the best seeds a lesson fuzzer can have
  [ "$format" = lesson ] && seeds+=(resources/lessons)
  echo "== fuzz-$format: $seconds s"
  "$build/tests/fuzz/fuzz-$format" \
    -max_total_time="$seconds" -max_len="$(max_len_of "$format")" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$work/" "${dict[@]}" \
    "$work/corpus" "${seeds[@]}" 2>"$work/log"
  rc=$?
  grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::|Done )' "$work/log"
  if [ $rc -ne 0 ]; then
    echo "fuzz-$format FAILED (exit $rc); log: $work/log"
    grep -A30 -E '^==[0-9]+==ERROR|runtime error|fuzz check failed|ERROR: libFuzzer' "$work/log" | head -60
    status=1
  fi
done
exit $status
