# Shared set-up for scripts/demo and scripts/test. Sourced, not run.
# Idempotent: a second run finds everything in place and takes a few seconds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

apt_install_missing() {
  # Install Debian packages that are missing, only when we can (root + apt).
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "==> 安装系统软件包：${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "!! 缺少系统软件包：${missing[*]}（需要 root 权限安装）" >&2
  fi
}

setup_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> 创建虚拟环境 .venv"
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.requirements.sha256"
  local want
  want="$(sha256sum requirements.lock | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> 安装 Python 依赖（requirements.lock）"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r requirements.lock
    echo "$want" > "$stamp"
  fi
}

setup_frontend() {
  # Third-party front-end packages (Leaflet, ECharts) come from npm at set-up time.
  command -v npm >/dev/null || apt_install_missing nodejs npm
  local stamp="$ROOT/node_modules/.package-lock.sha256"
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> 安装前端依赖（package-lock.json）"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    echo "$want" > "$stamp"
  fi
}
