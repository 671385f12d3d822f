#!/usr/bin/env bash
# Runs every benchmark of the project; each prints its own comparison against the reference tool.
# Usage: bench/run.sh [NAME ...]   (names: engine, swarm, and any other bench/NAME.sh; without
# names every one but swarm and sim)
set -euo pipefail
cd "$(dirname "$0")"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), $(date -u +%F)"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=()
  # swarm takes more than an hour (N up to 32, every method, several rounds), sim most of one (its
  # N = 1000 room): run them by name.
  for f in *.sh; do case "$f" in run.sh|swarm.sh|sim.sh) ;; *) names+=("${f%.sh}") ;; esac; done
fi
for name in "${names[@]}"; do
  echo "=== $name"
  bash "./$name.sh"
done
