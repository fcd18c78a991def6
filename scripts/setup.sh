#!/usr/bin/env bash
# Prepare this machine for MoBill-TKO: operating-system packages, Odoo 17.0, the Python
# requirements, the core package and a PostgreSQL server that answers.
#
#   scripts/setup.sh           everything `make run` needs
#   scripts/setup.sh --test    the same plus what `make test` needs (Chromium for browser tests)
#
# Idempotent: a second run only checks. It installs operating-system packages with apt-get
# when it runs as root on Debian/Ubuntu; otherwise it says exactly what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

WANT_TEST=0
[ "${1:-}" = "--test" ] && WANT_TEST=1
PYTHON=${PYTHON:-python3}
ODOO_SOURCE=${ODOO_SOURCE:-https://nightly.odoo.com/17.0/nightly/src/odoo_17.0.latest.tar.gz}

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# --- operating-system packages -------------------------------------------------------------
missing=()
command -v "$PYTHON" >/dev/null || die "python3 (3.10 or newer) is required. Install it, e.g. 'apt-get install python3 python3-pip'."
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || die "python3 is $("$PYTHON" -V 2>&1); Odoo 17.0 needs 3.10 to 3.12."
"$PYTHON" -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
command -v pg_config >/dev/null || missing+=(libpq-dev)
command -v gcc >/dev/null || missing+=(build-essential)
[ -d /usr/lib/postgresql ] || missing+=(postgresql)
command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ "$WANT_TEST" = 1 ]; then
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
    || command -v google-chrome >/dev/null || missing+=(chromium)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing operating-system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get could not install: ${missing[*]}"
  else
    die "missing operating-system packages: ${missing[*]}. Install them (e.g. 'sudo apt-get install ${missing[*]}') and run the command again."
  fi
fi

# --- Odoo 17.0 -------------------------------------------------------------------------------
odoo_ok() { (cd / && "$PYTHON" -c 'import odoo.release as r, sys; sys.exit(r.serie != "17.0")') >/dev/null 2>&1; }
pip_install() {
  # pip's own output, less its noise; the exit code is pip's.
  local log rc=0
  log=$(mktemp)
  "$PYTHON" -m pip install -q --disable-pip-version-check --no-warn-script-location "$@" >"$log" 2>&1 || rc=$?
  grep -v -E "Running pip as the 'root' user|^WARNING: Skipping|dependency resolver|requires .*, but you have|^WARNING: Location|^$" "$log" || true
  rm -f "$log"
  return $rc
}


# --- Python requirements (a pinned lock: installed as listed, no resolver surprises) -------------
stamp=var/.requirements.sha
mkdir -p var
want=$(cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)$(cd / && "$PYTHON" -c 'import sys; print(sys.prefix)' | sha256sum | cut -c1-8)$(pwd | sha256sum | cut -c1-8)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing the pinned Python requirements (requirements.txt)"
  pip_install --no-deps -r requirements.txt || die "the Python requirements could not be installed (see above)."
  say "installing the MoBill-TKO core package (pyproject.toml)"
  pip_install --no-deps --no-build-isolation -e . || die "the core package could not be installed (see above)."
  echo "$want" > "$stamp"
fi
# The core must be imported from this checkout (another clone may have re-pointed it).
core_here=$(cd / && "$PYTHON" -c 'import mobill_tko_core, os; print(os.path.dirname(mobill_tko_core.__file__))' 2>/dev/null || true)
if [ "$core_here" != "$(pwd)/src/mobill_tko_core" ]; then
  say "installing the MoBill-TKO core package from this checkout (pyproject.toml)"
  pip_install --no-deps --no-build-isolation -e . || die "the core package could not be installed (see above)."
fi

# Odoo itself is installed after the requirements (its build needs the pinned setuptools/wheel).
if ! odoo_ok; then
  say "Odoo 17.0 is not importable by $PYTHON; installing it from ODOO_SOURCE=$ODOO_SOURCE"
  pip_install --no-deps --no-build-isolation "$ODOO_SOURCE" || true
  odoo_ok || die "Odoo 17.0 could not be installed from '$ODOO_SOURCE'.
  Get an Odoo 17.0 community source tree or archive (for instance the official nightly
  odoo_17.0.latest.tar.gz) and run:  make run ODOO_SOURCE=/path/to/odoo-17.0-source
  or install it yourself so that '$PYTHON -c \"import odoo.release\"' works: a regular
  (non-editable) 'pip install /path/to/odoo' is safest, because OCA add-on wheels create
  site-packages/odoo/addons, which hides an editable install of Odoo."
fi

# --- PostgreSQL -------------------------------------------------------------------------------
if ! pg_isready -q 2>/dev/null; then
  say "starting PostgreSQL"
  if [ "$(id -u)" = 0 ]; then
    if command -v pg_lsclusters >/dev/null && [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
      ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
      pg_createcluster "$ver" main >/dev/null
    fi
    service postgresql start >/dev/null 2>&1 || pg_ctlcluster "$(ls /usr/lib/postgresql | sort -n | tail -1)" main start
  else
    die "no PostgreSQL server answers on this machine. Start it (e.g. 'sudo service postgresql start') and run the command again."
  fi
  for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
  pg_isready -q || die "PostgreSQL did not start; see /var/log/postgresql/."
fi
me=$(id -un)
if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    say "creating the PostgreSQL role '$me'"
    su postgres -c "createuser --superuser '$me'" \
      || die "could not create the PostgreSQL role '$me'"
  else
    die "PostgreSQL has no role for '$me'. Run: sudo -u postgres createuser --createdb '$me'"
  fi
fi
say "ready: $(cd / && "$PYTHON" -c 'import odoo.release as r; print("Odoo", r.version)'), $(psql -d postgres -tAc 'show server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /')"
