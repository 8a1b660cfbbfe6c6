#!/usr/bin/env bash
# Times the README's two quickstart commands on a fresh clone, first and second run,
# beside a reference measured in the same run: a bare venv + pip install of the same
# lock file (what any Python project pays before running anything).
# Usage: bench/quickstart.sh [--no-pip-cache]
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d /tmp/cj-bench-XXXX)"
[ "${1:-}" = "--no-pip-cache" ] && export PIP_NO_CACHE_DIR=1
PORT=8765

now() { date +%s.%N; }
since() { echo "scale=1; ($(now) - $1)/1" | bc; }

wait_up() {  # seconds until the login page answers
  local start=$1
  for _ in $(seq 1 1200); do
    if curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/accounts/login/" | grep -q 200; then
      since "$start"; return
    fi
    sleep 0.1
  done
  echo "timeout"
}

demo_run() {
  local dir=$1 start
  start=$(now)
  (cd "$dir" && DEMO_ADDR="127.0.0.1:$PORT" setsid ./scripts/demo > "$dir/demo.log" 2>&1 &)
  wait_up "$start"
  pkill -f "runserver 127.0.0.1:$PORT" || true
  sleep 1
}

git clone -q "$SRC" "$WORK/ref"
start=$(now); (cd "$WORK/ref" && python3 -m venv .venv && .venv/bin/pip install -q -r requirements.lock)
ref=$(since "$start")

git clone -q "$SRC" "$WORK/demo"
demo1=$(demo_run "$WORK/demo"); demo2=$(demo_run "$WORK/demo")

git clone -q "$SRC" "$WORK/test"
start=$(now); (cd "$WORK/test" && ./scripts/test -q > "$WORK/test1.log" 2>&1); test1=$(since "$start")
start=$(now); (cd "$WORK/test" && ./scripts/test -q > "$WORK/test2.log" 2>&1); test2=$(since "$start")

echo "reference: venv + pip install -r requirements.lock   ${ref} s"
echo "scripts/demo until login page answers: first ${demo1} s, second ${demo2} s"
echo "scripts/test: first ${test1} s, second ${test2} s"
echo "suite (second run): $(tail -1 "$WORK/test2.log")"
rm -rf "$WORK"
