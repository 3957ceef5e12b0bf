#!/usr/bin/env bash
# make bench: benchmarks (tests/bench/). Not written yet.
# shellcheck disable=SC2016 # the backquotes are literal
echo 'make bench: not yet — the benchmarks land with their own issue; for now see `make test`.'
