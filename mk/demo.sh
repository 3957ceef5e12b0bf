#!/usr/bin/env bash
# make demo: a guided tour of machxfer, run against a private machd and
# launchd in a temporary runtime directory (removed at the end).
#
#   bash mk/demo.sh [--trace]      (make demo, or make demo TRACE=1)
#
# Steps: xferd is found by name; 1 KiB echoes back inline; 64 MiB goes out
# and back out of line; a receive right with queued messages is handed to
# xferd; xferd hands a receive right to the client and events arrive on
# it; xferd is killed mid-stream and launchd relaunches it without losing
# a request or a stored byte.  Ends with one verdict line; exits 1 if any
# step failed.
set -u

trace=0
[ "${1-}" = "--trace" ] && trace=1

top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/build/bin"
cd "$top" || exit 1
make --no-print-directory all >/dev/null || { echo "demo: the build failed (run make)"; exit 1; }

run=$(mktemp -d /tmp/machxfer-demo.XXXXXX)
export HOME="$run/home" MACHD_SOCKET="$run/machd.sock" PATH="$bin:$PATH"
mkdir -p "$HOME"
machd_pid=""
failed=0
step_no=0
trace_seen=0

cleanup() {
	[ -n "$machd_pid" ] && kill "$machd_pid" 2>/dev/null && wait "$machd_pid" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
say() { printf '   %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
bad() { printf '   FAILED: %s\n' "$*"; failed=$((failed + 1)); }
step() { step_no=$((step_no + 1)); echo; bold "$step_no. $*"; }

# With --trace: machd's trace lines of this step, indented.
show_trace() {
	[ $trace = 1 ] || return 0
	local total
	total=$(grep -c 'machd: trace' "$run/machd.log" 2>/dev/null || echo 0)
	if [ "$total" -gt "$trace_seen" ]; then
		echo "   machd --trace:"
		grep 'machd: trace' "$run/machd.log" | tail -n +"$((trace_seen + 1))" | head -n 12 |
			sed -e 's/^machd: trace /     /'
		[ $((total - trace_seen)) -gt 12 ] && echo "     ... $((total - trace_seen - 12)) more"
	fi
	trace_seen=$total
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
xferd_pid() { launchctl list com.machxfer.xferd 2>/dev/null | awk -F'"' '/"PID"/ { print $0 }' |
	tr -dc '0-9'; }

bold "machxfer demo: Mach IPC on Linux, from launchd to out-of-line memory"
say "runtime directory $run"

step "Start machd (the Mach kernel) with launchd as its init task"
machd_args=(--socket "$MACHD_SOCKET" --launchd "$bin/launchd" --ready "$run/ready" --overrides "$run/overrides")
[ $trace = 1 ] && machd_args=(--trace "${machd_args[@]}")
"$bin/machd" "${machd_args[@]}" >"$run/machd.log" 2>&1 &
machd_pid=$!
for _ in $(seq 100); do [ -f "$run/ready" ] && break; sleep 0.05; done
if [ -f "$run/ready" ]; then ok "machd pid $machd_pid, launchd pid $(cat "$run/ready") serves the bootstrap port"
else bad "launchd did not start"; cat "$run/machd.log"; exit 1; fi

step "Load the LaunchAgent plist/com.machxfer.xferd.plist with launchctl"
if launchctl bootstrap "gui/$(id -u)" plist/com.machxfer.xferd.plist; then
	ok "launchd holds the receive right of com.machxfer.xferd and started xferd"
	launchctl list | sed -e 's/^/     /'
else bad "launchctl bootstrap"; fi
show_trace

step "Find the service by name (bootstrap_look_up) and echo 1 KiB inline"
kib=$(head -c 768 /dev/urandom | base64 -w0 | head -c 1024)
out=$(xfer -v echo "$kib" 2>"$run/err")
sed -e 's/^/   /' "$run/err"
if [ "$out" = "$kib" ]; then ok "1024 bytes came back identical"; else bad "the echo differs"; fi
show_trace

step "Send 64 MiB out of line and fetch it back"
head -c $((64 << 20)) /dev/urandom >"$run/big"
t0=$(now)
if xfer put big "$run/big" | sed -e 's/^/   /'; then
	t1=$(now)
	xfer -v get big "$run/big.back" 2>&1 | sed -e 's/^/   /'
	t2=$(now)
	if cmp -s "$run/big" "$run/big.back"; then
		ok "64 MiB out and back identical: put $(elapsed "$t0" "$t1") s, get $(elapsed "$t1" "$t2") s (including the files)"
	else bad "the 64 MiB came back different"; fi
else bad "xfer put big"; fi
show_trace

step "Hand a receive right with 8 queued messages to xferd"
if xfer handoff 8 | sed -e 's/^/   /'; then ok "xferd received the right, drained the queue, every checksum matches"
else bad "handoff"; fi
show_trace

step "xferd hands a receive right to the client; events arrive on it"
xfer watch -n 2 >"$run/watch" 2>&1 &
watch_pid=$!
sleep 0.5
echo "hello" | xfer put greeting - >/dev/null && xfer rm greeting >/dev/null
wait "$watch_pid"
sed -e 's/^/   /' "$run/watch"
if grep -q '^store greeting 6$' "$run/watch" && grep -q '^remove greeting 6$' "$run/watch"; then
	ok "events for the store and the removal arrived on the handed-over right"
else bad "events"; fi
show_trace

step "Kill xferd with SIGKILL in the middle of a stream of stores"
old=$(xferd_pid)
n=40
for i in $(seq 1 $n); do head -c $((i * 20000)) /dev/urandom >"$run/s$i"; done
(for i in $(seq 1 $n); do
	xfer -v put "stream-$i" "$run/s$i" >/dev/null 2>>"$run/stream.err" ||
		echo "put stream-$i failed" >>"$run/stream.failed"
	echo "$i" >"$run/stream.done"
done) &
stream=$!
# Kill it once a few stores are through, while the rest keep coming.
for _ in $(seq 200); do [ "$(cat "$run/stream.done" 2>/dev/null || echo 0)" -ge 5 ] && break; sleep 0.02; done
kill -9 "$old" 2>/dev/null && say "killed xferd pid $old after $(cat "$run/stream.done") of $n stores"
wait "$stream"
new=""
for _ in $(seq 200); do
	new=$(xferd_pid)
	[ -n "$new" ] && [ "$new" != "$old" ] && break
	sleep 0.05
done
grep -h 'sent again' "$run/stream.err" 2>/dev/null | sort -u | sed -e 's/^/   /'
say "launchd started xferd again: pid ${new:-none}"
lost=0
for i in $(seq 1 $n); do
	xfer get "stream-$i" "$run/s$i.back" 2>/dev/null && cmp -s "$run/s$i" "$run/s$i.back" || lost=$((lost + 1))
done
xfer get big "$run/big.again" 2>/dev/null && cmp -s "$run/big" "$run/big.again" || lost=$((lost + 1))
if [ -n "$new" ] && [ "$new" != "$old" ] && [ $lost = 0 ] && [ ! -f "$run/stream.failed" ]; then
	ok "$n of $n stores acknowledged and readable, and the 64 MiB from before the crash too"
else bad "xferd pid ${new:-none} after the kill; $lost stores missing or different"; fi
show_trace

echo
if [ $failed = 0 ]; then
	bold "verdict: all $step_no steps passed: rights, inline and out-of-line data, and launchd's crash recovery work"
	exit 0
fi
bold "verdict: $failed of $step_no steps FAILED"
exit 1
