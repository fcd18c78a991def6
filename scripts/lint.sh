#!/usr/bin/env bash
# Code quality: ruff (style and common bugs, the whole tree) and pylint-odoo (the OCA checks for
# manifests, fields, translations and SQL, on the add-ons). Exit code non-zero on any finding.
set -uo pipefail
cd "$(dirname "$0")/.."
rc=0
ruff check . || rc=1
ruff format --check --quiet . || { echo "ruff format: files above need 'ruff format .'"; rc=1; }
python3 scripts/gen_readme.py --check || rc=1
addons=$(ls -d addons/*/ 2>/dev/null | tr '\n' ' ')
if [ -n "$addons" ]; then
  python3 -m pylint --rcfile=.pylintrc $addons || rc=1
fi
[ $rc = 0 ] && echo "lint: clean"
exit $rc
