# Sourced by the other scripts: make .venv with Python 3.11+ and install the pinned
# requirements when they changed since the last install. Prints nothing when all is in place.
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
want=$(cat requirements*.txt | sha256sum | cut -c1-16)
if [ "$(cat .venv/.installed 2>/dev/null)" != "$want" ]; then
  echo "Installing requirements into .venv ..." >&2
  # Not quiet: a first install takes minutes, and a silent terminal looks like a hang.
  .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt >&2
  echo "$want" > .venv/.installed
fi
export PATH="$PWD/.venv/bin:$PATH"
