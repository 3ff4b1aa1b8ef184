#!/usr/bin/env bash
# Benchmark (not part of mvn test): builds the lake from a generated data set held in S3Proxy, with the S3A
# magic committer and with the default rename-based committer, alternating, and prints the medians.
# Usage: bench/s3-committers.sh [SONGS=15000] [EVENTS=100000] [RUNS=3]    work files go to target/bench/
set -euo pipefail
cd "$(dirname "$0")/.."
songs="${1:-15000}"; events="${2:-100000}"; runs="${3:-3}"

# The runnable jar, its lib/, the test classes (S3ProxyServer) and the S3Proxy jar.
mvn -q -DskipTests package
cp="target/sparkify-lake.jar:target/test-classes:target/lib/*"
mkdir -p target/bench
# Java runs the single-file benchmark straight from its source.
exec java -cp "$cp" bench/S3CommitterBench.java target/bench "$songs" "$events" "$runs"
