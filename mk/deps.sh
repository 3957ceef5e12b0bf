#!/usr/bin/env bash
# Check the build dependencies of machxfer. Quiet and fast when all are
# present. Otherwise install them with apt-get when running as root on
# Debian, or print the command to run and fail.
#
#   mk/deps.sh          what make, make test and make asan need
#   mk/deps.sh bench    that, plus what make bench compares against and
#                       draws with: dbus-daemon, libdbus-1-dev, gnuplot
set -u
mode=${1:-build}

missing=()	# Debian package names
need() { case " ${missing[*]-} " in *" $1 "*) ;; *) missing+=("$1") ;; esac; }

check() {
	missing=()
	command -v "${CC:-cc}" >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 ||
		need build-essential
	command -v make >/dev/null 2>&1 || need build-essential
	command -v timeout >/dev/null 2>&1 || need coreutils
	if command -v pkg-config >/dev/null 2>&1; then
		pkg-config --exists cmocka || need libcmocka-dev
		pkg-config --exists libxml-2.0 || need libxml2-dev
	else
		need pkg-config
		[ -f /usr/include/cmocka.h ] || need libcmocka-dev
		[ -f /usr/include/libxml2/libxml/parser.h ] || need libxml2-dev
	fi
	[ "$mode" = bench ] && check_bench
}

check_bench() {
	command -v dbus-daemon >/dev/null 2>&1 || need dbus-daemon
	if command -v pkg-config >/dev/null 2>&1; then
		pkg-config --exists dbus-1 || need libdbus-1-dev
	else
		[ -f /usr/include/dbus-1.0/dbus/dbus.h ] || need libdbus-1-dev
	fi
	command -v gnuplot >/dev/null 2>&1 || need gnuplot-nox
}

check
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "machxfer: installing missing build dependencies: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -q &&
	       apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null; }; then
		echo "machxfer: apt-get failed" >&2
		exit 1
	fi
	check
	[ ${#missing[@]} -eq 0 ] && exit 0
	echo "machxfer: still missing after apt-get: ${missing[*]}" >&2
	exit 1
fi

echo "machxfer: missing build dependencies; run: sudo apt-get install -y ${missing[*]}" >&2
exit 1
