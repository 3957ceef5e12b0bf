#!/usr/bin/env bash
# Run machxfer's test programs, each under a timeout, and count them.
#
#   tests/run-tests.sh BUILD_DIR [PROGRAM...]
#
# Without PROGRAMs it runs every BUILD_DIR/tests/*/test_* : the unit tests
# (kernel) first, then the integration tests (libmach), then any other
# directory. Each program gets MACHD and MACHXFER_BUILD in its environment
# and runs from the project root under `timeout ${TEST_TIMEOUT:-300}`.
# The last line is "N passed, N failed"; the exit status is 0 only if at
# least one program ran and none failed.
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [PROGRAM...]" >&2
	exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "$0: no build dir $1" >&2; exit 2; }
shift
cd "$(dirname "$0")/.." || exit 2

progs=("$@")
if [ ${#progs[@]} -eq 0 ]; then
	shopt -s nullglob
	for d in "$build"/tests/kernel "$build"/tests/libmach "$build"/tests/*; do
		case " ${seen-} " in *" $d "*) continue ;; esac
		seen="${seen-} $d"
		for t in "$d"/test_*; do
			[ -f "$t" ] && [ -x "$t" ] && progs+=("$t")
		done
	done
fi

export MACHD="$build/bin/machd"
export MACHXFER_BUILD="$build"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
timeout_s="${TEST_TIMEOUT:-300}"

passed=0
failed=0
failures=()
for t in ${progs[@]+"${progs[@]}"}; do
	name=tests/${t##*/tests/}
	echo "=== $name"
	timeout -k 10 "$timeout_s" "$t"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "=== $name: PASS"
		passed=$((passed + 1))
	else
		case $rc in
		124) why="timed out after ${timeout_s}s" ;;
		12[5-7]) why="could not run: status $rc" ;;
		*) if [ $rc -gt 128 ]; then why="killed by signal $((rc - 128))"
		   else why="exit status $rc"; fi ;;
		esac
		echo "=== $name: FAIL ($why)"
		failed=$((failed + 1))
		failures+=("$name")
	fi
done

echo
[ $failed -gt 0 ] && echo "failed: ${failures[*]}"
[ $((passed + failed)) -eq 0 ] && echo "no test programs found under $build/tests"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
