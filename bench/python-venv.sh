# shellcheck shell=bash
# ensure_venv VENV REQUIREMENTS: a private Python venv with the pinned packages of REQUIREMENTS,
# created once and recreated when that file changes. Source it; needs a `log` function.
ensure_venv() {
  local venv="$1" requirements="$2"
  if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$requirements" "$venv/.requirements.txt"; then
    log "creating $venv (pip install -r $requirements)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$requirements"
    cp "$requirements" "$venv/.requirements.txt"
  fi
}
