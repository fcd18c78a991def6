"""Run the benchmarks of bench/: every ``bench/<name>.py`` that has a ``main(scale)`` function.

``make bench [BENCH=<name>] [SCALE=<n>] [KEEP=1]`` calls ``python3 bench/run.py [--only NAME]
[--scale N]``. Without ``--scale`` each benchmark runs at its own ``DEFAULT_SCALE`` (or the
default of its ``main``). Benchmarks
print ``<metric>: <value> <unit>`` lines; the runner adds the wall time of each. Benchmarks are
never part of ``make test``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SKIP = {"run", "__init__", "conftest"}


def discover() -> list[str]:
    """Names of the benchmark modules (``bench/<name>.py``), sorted."""
    return sorted(
        path.stem
        for path in BENCH.glob("*.py")
        if path.stem not in SKIP and not path.stem.startswith("_")
    )


def load(name: str):
    """Import ``bench.<name>``; a module without a ``main`` function is not a benchmark."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    module = importlib.import_module(f"bench.{name}")
    if not callable(getattr(module, "main", None)):
        raise AttributeError(f"bench/{name}.py has no main(scale) function")
    return module


def parse_scale(text: str) -> int:
    """1000000, 1_000_000, 1e6 or 1M."""
    text = text.strip().replace("_", "").lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    if factor != 1:
        text = text[:-1]
    scale = int(float(text) * factor)
    if scale <= 0:
        raise argparse.ArgumentTypeError("the scale must be positive")
    return scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only these benchmarks (comma-separated names)")
    parser.add_argument("--scale", type=parse_scale, help="scale (e.g. number of accounts)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases (same as KEEP=1 in the env)"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.keep:
        os.environ["KEEP"] = "1"
    names = discover()
    if args.list:
        for name in names:
            try:
                module = load(name)
            except Exception as error:
                print(f"{name}: cannot be loaded ({error})")
                continue
            doc = (module.__doc__ or "").strip().splitlines()
            default = getattr(module, "DEFAULT_SCALE", None) or "of its main()"
            print(f"{name} (default scale {default}): {doc[0] if doc else ''}")
        return 0
    if args.only:
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in names]
        if unknown:
            print(
                f"unknown benchmark(s): {', '.join(unknown)}; "
                f"available: {', '.join(names) or 'none'}",
                file=sys.stderr,
            )
            return 2
        names = wanted
    failed = []
    for name in names:
        started = time.perf_counter()
        try:
            module = load(name)
            scale = args.scale or getattr(module, "DEFAULT_SCALE", None)
            print(f"== {name} (scale {scale or 'default'}) ==", flush=True)
            if scale is None:  # no DEFAULT_SCALE: the default of the benchmark's main()
                module.main()
            else:
                module.main(scale)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            print(f"{name}: FAILED", flush=True)
        print(f"wall_seconds: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"failed benchmarks: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
