"""Run the benchmarks: every bench/<name>.py that exposes `run(ctx)`.

    .venv/bin/python bench/run.py                                  # SQLite, --scale 100000
    .venv/bin/python bench/run.py --backend both --scale 20000     # SQLite then PostgreSQL
    .venv/bin/python bench/run.py --backend postgresql --only device_list
    JIFANG_BENCH_PG_URL=postgres://postgres@127.0.0.1:55432 .venv/bin/python bench/run.py --backend postgresql

The database is seeded once per (backend, scale, seed) and reused (see bench/common.py); `--fresh`
rebuilds it. Results go to bench/results/<time>-<backend>-<scale>.json and are printed as the
markdown table docs/benchmarks.md uses.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import DEFAULT_PG_URL, BenchContext, markdown_table, write_results  # noqa: E402

NOT_BENCHMARKS = {"__init__", "common", "run"}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--scale", type=int, default=100_000, help="sites in the seeded city (default 100000)")
    parser.add_argument("--seed", type=int, default=116)
    parser.add_argument("--only", nargs="*", default=None, help="module names, e.g. device_list scan")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case (default 200)")
    parser.add_argument("--fresh", action="store_true", help="drop and re-seed the cached database")
    parser.add_argument("--pg-url", default=os.environ.get("JIFANG_BENCH_PG_URL", DEFAULT_PG_URL),
                        help="PostgreSQL server URL without a database name")
    return parser.parse_args(argv)


def var_dir(args) -> Path:
    return REPO / "var" / "bench" / f"{args.backend}-{args.scale}-{args.seed}"


def pg_database(args) -> str:
    return f"jf_bench_{args.scale}_{args.seed}"


def prepare_postgresql(args) -> None:
    """Create (or with --fresh, recreate) the bench database on the server; point Django at it."""
    import psycopg

    name = pg_database(args)
    with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
        if exists and args.fresh:
            conn.execute(f'drop database "{name}" with (force)')
            exists = None
        if not exists:
            conn.execute(f'create database "{name}"')
    os.environ["JIFANG_DATABASE_URL"] = f"{args.pg_url}/{name}"


def prepare_environment(args) -> None:
    directory = var_dir(args)
    if args.fresh and args.backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (directory / f"jifang.sqlite3{suffix}").unlink(missing_ok=True)
        (directory / "demo-manifest.json").unlink(missing_ok=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["JIFANG_VAR_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jifang.settings")
    if args.backend == "postgresql":
        prepare_postgresql(args)
    else:
        os.environ.pop("JIFANG_DATABASE_URL", None)


def ensure_seeded(args) -> tuple[dict, float | None]:
    """Migrate, then seed unless this database already holds the city for (scale, seed)."""
    from django.core.management import call_command

    from jifang.core.demo import manifest_path
    from jifang.registry.models import Unit

    call_command("migrate", verbosity=0, interactive=False)
    path = manifest_path()
    if path.exists() and Unit.objects.exists():
        manifest = json.loads(path.read_text())
        if manifest.get("scale") == args.scale and manifest.get("seed") == args.seed:
            return manifest, None
    start = time.perf_counter()
    call_command("seed", scale=args.scale, seed=args.seed)
    seconds = round(time.perf_counter() - start, 1)
    analyze()
    return json.loads(path.read_text()), seconds


def analyze() -> None:
    """Planner statistics after a bulk load, as autovacuum (PostgreSQL) would gather them in time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def modules(only) -> list[str]:
    names = sorted(p.stem for p in (REPO / "bench").glob("*.py") if p.stem not in NOT_BENCHMARKS)
    return [n for n in names if only is None or n in only]


def run_one_backend(args) -> int:
    prepare_environment(args)
    import django

    django.setup()
    manifest, seed_seconds = ensure_seeded(args)
    if seed_seconds is not None:
        print(f"seeded scale {args.scale} on {args.backend} in {seed_seconds} s")
    ctx = BenchContext(backend=args.backend, scale=args.scale, seed=args.seed, manifest=manifest,
                       requests=args.requests)
    for name in modules(args.only):
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "run"):
            continue
        ctx.current = name
        print(f"== {name} ({args.backend}, scale {args.scale})", flush=True)
        module.run(ctx)
    path = write_results(ctx, seed_seconds)
    print(markdown_table(ctx.results))
    print(f"results: {path.relative_to(REPO)}")
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.backend != "both":
        return run_one_backend(args)
    # Django's settings are fixed per process, so each backend runs in its own.
    status = 0
    for backend in ("sqlite", "postgresql"):
        cmd = [sys.executable, __file__, "--backend", backend, "--scale", str(args.scale), "--seed", str(args.seed),
               "--pg-url", args.pg_url]
        cmd += ["--only", *args.only] if args.only else []
        cmd += ["--fresh"] if args.fresh else []
        cmd += ["--requests", str(args.requests)]
        status |= subprocess.call(cmd)
    return status


if __name__ == "__main__":
    sys.exit(main())
