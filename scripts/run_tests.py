"""`make test`: lint, the core suite (pytest) and the Odoo suite, with one closing line.

The Odoo suite installs every MoBill module in a throw-away database with tests enabled
(at_install and post_install tests, browser tours in headless Chromium), then drops the
database. The closing line is ``N passed, N failed`` over both suites; the exit code is
non-zero when any test fails, when a suite could not run, or when a browser test was skipped.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time

from common import MOBILL_MODULES, ROOT, env, odoo_command

SUMMARY_RE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
SKIP_RE = re.compile(r"odoo\.tests\.\w+: skipped (.*)")
LOG_LINE_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) \S+ (\S+): (.*)")


def run_lint() -> tuple[int, int]:
    print("== lint: ruff and pylint-odoo", flush=True)
    rc = subprocess.call(["bash", str(ROOT / "scripts" / "lint.sh")], cwd=ROOT)
    return (1, 0) if rc == 0 else (0, 1)


def run_core() -> tuple[int, int]:
    print("== core suite: pytest tests/", flush=True)
    junit = ROOT / "var" / "pytest.xml"
    junit.parent.mkdir(exist_ok=True)
    rc = subprocess.call(
        [sys.executable, "-m", "pytest", "tests", "-p", "no:cacheprovider", f"--junitxml={junit}"],
        cwd=ROOT,
        env=env(),
    )
    if not junit.exists():
        print("core suite could not run")
        return 0, 1
    text = junit.read_text()
    m = re.search(
        r'<testsuite [^>]*errors="(\d+)" failures="(\d+)" skipped="(\d+)" tests="(\d+)"', text
    )
    if not m:
        return 0, 1
    errors, failures, skipped, tests = map(int, m.groups())
    failed = errors + failures
    passed = tests - failed - skipped
    if rc not in (0, 1, 5):  # 5: nothing collected; anything else is a crash
        failed += 1
    return passed, failed


def free_port() -> int:
    """A TCP port nobody listens on now, so that two test runs on one machine do not collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


IDLE_SOCKET = "Request timed out: TimeoutError"


def run_odoo(keep_db: bool, tags: str | None) -> tuple[int, int]:
    db = f"mobill_test_{os.getpid()}"
    log_path = ROOT / "var" / "odoo-tests.log"
    print(f"== Odoo suite: {', '.join(MOBILL_MODULES)} in the throw-away database {db}", flush=True)
    test_tags = tags or ",".join(f"/{m}" for m in MOBILL_MODULES)
    cmd = odoo_command(
        "-d",
        db,
        "-i",
        ",".join(MOBILL_MODULES),
        "--test-enable",
        f"--test-tags={test_tags}",
        "--stop-after-init",
        "--log-level=test",
        "--http-interface=127.0.0.1",
        f"--http-port={free_port()}",
        f"--gevent-port={free_port()}",
        "--max-cron-threads=0",
        "--workers=0",
    )
    start = time.time()
    failed_lines: list[str] = []
    skipped: list[str] = []
    summary = None
    errors_outside_tests = []
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert proc.stdout
        for line in proc.stdout:
            log.write(line)
            m = LOG_LINE_RE.match(line)
            level, logger = (m.group(1), m.group(2)) if m else (None, None)
            if level in ("ERROR", "CRITICAL") and logger == "werkzeug" and IDLE_SOCKET in line:
                # Chromium opens spare connections it may never use; in tests Odoo closes them
                # after 5 s and the standard library logs that as an error. A request the
                # browser really made and that timed out fails its tour by itself.
                log.write("(above: an idle spare connection of the browser, not a failure)\n")
            elif level in ("ERROR", "CRITICAL"):
                failed_lines.append(line.rstrip())
                print(line, end="", flush=True)
                if not (logger or "").startswith("odoo.addons.mobill") and "tests" not in (
                    logger or ""
                ):
                    errors_outside_tests.append(line.rstrip())
            elif level in ("INFO", "RUNBOT") and logger and "FAIL" in line:
                print(line, end="", flush=True)
            if m and logger and (sm := SKIP_RE.search(line)):
                skipped.append(sm.group(1))
            if sm2 := SUMMARY_RE.search(line):
                summary = tuple(map(int, sm2.groups()))
        rc = proc.wait()
    if not keep_db:
        subprocess.call(["dropdb", "--if-exists", db], env=env())
        subprocess.call(["rm", "-rf", str(ROOT / "var" / "data" / "filestore" / db)])
    print(f"Odoo suite finished in {time.time() - start:.0f} s (log: {log_path})")
    if summary is None:
        print("The Odoo suite could not run: no test summary in the log.")
        return 0, 1
    fails, errors, total = summary
    for s in skipped:
        print(f"skipped: {s}")
    failed = fails + errors
    passed = total - failed - len(skipped)
    browser_skips = [s for s in skipped if "chrome" in s.lower() or "browser" in s.lower()]
    if browser_skips:
        print("A browser test was skipped (Chromium did not start): counted as a failure.")
        failed += len(browser_skips)
    if errors_outside_tests and not failed:
        print("Errors were logged outside the tests (see above): counted as a failure.")
        failed += 1
    if rc and not failed:
        failed += 1
    return passed, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-lint", action="store_true")
    parser.add_argument("--no-core", action="store_true")
    parser.add_argument("--no-odoo", action="store_true")
    parser.add_argument("--keep-db", action="store_true", help="keep the Odoo test database")
    parser.add_argument("--tags", help="Odoo --test-tags (default: all MoBill modules)")
    args = parser.parse_args()
    results = {}
    if not args.no_lint:
        results["lint"] = run_lint()
    if not args.no_core:
        results["core"] = run_core()
    if not args.no_odoo:
        results["odoo"] = run_odoo(args.keep_db, args.tags)
    print()
    for name, (p, f) in results.items():
        print(f"{name}: {p} passed, {f} failed")
    passed = sum(p for p, _ in results.values())
    failed = sum(f for _, f in results.values())
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
