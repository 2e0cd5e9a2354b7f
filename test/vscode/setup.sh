#!/usr/bin/env bash
# Installs what the real-VS-Code suites need: Debian packages (chromium, ripgrep, libkrb5-dev) and
# code-server 4.100.3 + playwright-core + mocha + @vscode/vsce (packages the .vsix the packaged-extension suite installs)
# into test/vscode/node_modules. Idempotent: each step is
# skipped when already done. Works as root on a fresh clone (CI). Recipe: shared/notes/real-vscode.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

debs=(libkrb5-dev ripgrep chromium)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: apt-get install ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present"
fi

# Stamp = what was installed; skip npm when package.json + lockfile + Node major are unchanged.
stamp_file=node_modules/.pgmig-setup-stamp
stamp="$(cat package.json package-lock.json 2>/dev/null | sha1sum | cut -d' ' -f1) node$(node -p 'process.versions.node.split(".")[0]')"
if [ -x node_modules/.bin/code-server ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
  echo "setup: node_modules up to date"
else
  # @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache holds the archive: give it Debian's rg.
  tmp="${TMPDIR:-/tmp}"
  case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    *) echo "setup: no ripgrep cache recipe for $(uname -m); the install may try to download rg" >&2; rg_target="" ;;
  esac
  if [ -n "$rg_target" ]; then
    cache="$tmp/vscode-ripgrep-cache-1.15.11"
    archive="$cache/ripgrep-v13.0.0-10-$rg_target.tar.gz"
    if [ ! -s "$archive" ]; then
      mkdir -p "$cache"
      work="$(mktemp -d)"
      cp /usr/bin/rg "$work/rg"
      tar -czf "$archive" -C "$work" rg
      rm -rf "$work"
    fi
  fi
  export npm_config_unsafe_perm=true  # code-server's postinstall refuses root otherwise
  export npm_config_yes=true          # node-pty's postinstall runs npx node-gyp
  export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
  if [ -f package-lock.json ]; then npm ci --no-progress; else npm install --no-progress; fi
  # Recompute: npm install may have written the lockfile.
  stamp="$(cat package.json package-lock.json 2>/dev/null | sha1sum | cut -d' ' -f1) node$(node -p 'process.versions.node.split(".")[0]')"
  echo "$stamp" > "$stamp_file"
fi
echo "setup: code-server $(node -p 'require("./node_modules/code-server/package.json").version'), chromium $(dpkg-query -W -f='${Version}' chromium)"
echo "setup: done in $(elapsed) s"
