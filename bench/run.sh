#!/usr/bin/env bash
# Runs every benchmark of the project; each prints its own comparison against the reference tool.
# Usage: bench/run.sh [NAME ...]   (names: engine, and any other bench/NAME.sh)
set -euo pipefail
cd "$(dirname "$0")"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), $(date -u +%F)"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=()
  for f in *.sh; do [ "$f" = run.sh ] || names+=("${f%.sh}"); done
fi
for name in "${names[@]}"; do
  echo "=== $name"
  bash "./$name.sh"
done
