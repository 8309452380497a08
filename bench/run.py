"""`make bench`: measure the app under gunicorn on a 100,000-encounter database.

1. Starts a PostgreSQL of its own (engagements/infrastructure/localdb.py with its data in
   .pgdata/bench/, database `engagements_bench`), so the development and test databases are
   never touched.
2. Migrates it and, only when .pgdata/bench/dataset.json does not match the seed, count and
   generator version below, (re)builds the data set: the curated seed plus BENCH_COUNT synthetic
   encounters (generate_encounters), then VACUUM ANALYZE. Later runs reuse it.
3. Runs the app as in production: DJANGO_ENV=production (DEBUG off, the manifest static storage,
   production middleware) with a throwaway secret key and local hosts, gunicorn with two gthread
   workers of four threads (gunicorn.conf.py's defaults). Worker recycling
   (max_requests) is turned off: at benchmark rates it would restart workers every few seconds
   and measure Django's start-up instead of the pages.
4. Loads each URL from outside the process with wrk (installed from Debian if missing), on
   127.0.0.1 only, for BENCH_DURATION seconds each; downloads the CSV export once while polling
   the workers' memory; times the full-text and list queries in the database; counts each page's
   SQL queries with Django's test client against the same database.
5. Prints one table (also written to .pgdata/bench/last-run.md) with each figure's ratio to the
   ceiling: bench/urls.py's /bench/ceiling/, a view with no database access behind the same
   middleware as every page.

Endpoints that do not exist yet are listed as "n/a (not on main yet)".
Environment: BENCH_COUNT (100000), BENCH_SEED (20261128), BENCH_DURATION (8 seconds per URL),
BENCH_MIX_URLS (3000), BENCH_MIX_DURATION (30 seconds), BENCH_REPEATS (5 uncached renderings),
BENCH_EXPORT (1; 0 leaves the CSV export out).
"""

import contextlib
import datetime
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
COUNT = int(os.environ.get("BENCH_COUNT", "100000"))
# One database per size, so that the 10,000, 100,000 and 1,000,000 runs are each built once.
BENCH_DIR = BASE_DIR / ".pgdata" / ("bench" if COUNT == 100000 else f"bench-{COUNT}")
SEED = int(os.environ.get("BENCH_SEED", "20261128"))
DURATION = int(os.environ.get("BENCH_DURATION", "8"))
MIX_SIZE = int(os.environ.get("BENCH_MIX_URLS", "3000"))
MIX_DURATION = int(os.environ.get("BENCH_MIX_DURATION", "30"))
MIX_CONNECTIONS = 4
MIX_LUA = Path(__file__).resolve().parent / "mix.lua"
WORKERS = 2
THREADS = 4  # gunicorn.conf.py's gthread default
CONNECTIONS = 2  # one per worker: latency without queueing behind the other connection
LUA = Path(__file__).resolve().parent / "report.lua"
NOT_ON_MAIN = "n/a (not on main yet)"

# The bench's own database server and database (read by infrastructure/localdb.py at import).
os.environ["LOCALDB_PGDATA"] = str(BENCH_DIR / "data")
os.environ["LOCALDB_NAME"] = "engagements_bench"

import psutil  # noqa: E402

from bench import uncached  # noqa: E402
from engagements.infrastructure import localdb  # noqa: E402

LOAD_AT_START = os.getloadavg()[0]


def say(message):
    print(message, file=sys.stderr, flush=True)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    say("Installing wrk from Debian (apt-get install wrk)…")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"]
    if os.geteuid() != 0:
        install.insert(0, "sudo")
    if subprocess.run(install, env=env).returncode != 0:
        update = (
            ["apt-get", "update", "-qq"] if os.geteuid() == 0 else ["sudo", "apt-get", "update"]
        )
        subprocess.run(update, env=env, check=True)
        subprocess.run(install, env=env, check=True)


def app_environment(database_url):
    return {
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_DEBUG": "false",
        # wrk speaks plain HTTP to 127.0.0.1: no redirect to HTTPS (the production default).
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": str(WORKERS),
        # As behind the TLS-terminating proxy: requests say they came over HTTPS, so the
        # production HTTPS redirect lets them through (wrk and the test client send the header).
        "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    }


PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


# --------------------------------------------------------------------------------------------
# The data set


def ensure_dataset():
    from django.core.management import call_command
    from django.db import connection

    from engagements.devtools import synthetic
    from engagements.models import Encounter

    call_command("migrate", interactive=False, verbosity=0)
    marker = BENCH_DIR / "dataset.json"
    wanted = {"seed": SEED, "count": COUNT, "generator": synthetic.VERSION}
    try:
        recorded = json.loads(marker.read_text())
    except (FileNotFoundError, ValueError):
        recorded = None
    present = Encounter.objects.filter(provenance=Encounter.Provenance.SYNTHETIC).count()
    call_command("load_seed", verbosity=0)
    if recorded == wanted and present == COUNT:
        say(f"Reusing the bench database: {COUNT:,} synthetic encounters, seed {SEED}.")
        return
    say(f"Building the bench database: {COUNT:,} synthetic encounters, seed {SEED}…")
    marker.unlink(missing_ok=True)
    call_command("generate_encounters", count=COUNT, seed=SEED, clear=True, verbosity=1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    marker.write_text(json.dumps(wanted))


# --------------------------------------------------------------------------------------------
# What to measure


class Endpoint:
    def __init__(self, key, label, path, target="", cookie=None, optional=False, connections=2):
        self.key, self.label, self.path, self.target = key, label, path, target
        self.cookie, self.optional = cookie, optional
        # Latency targets (one editor, one researcher) are measured with one connection.
        self.connections = connections
        self.status = None
        self.queries = None
        self.result = None  # wrk figures
        self.uncached_ms = None  # in-process, page cache off
        self.note = ""


def choose_fixtures():
    from django.contrib.postgres.search import SearchQuery
    from django.db.models import Count

    from engagements.devtools.synthetic import PREFIX
    from engagements.models import SEARCH_CONFIG, Encounter, Person, Topic

    published = Encounter.objects.published()
    detail = (
        published.filter(provenance="synthetic", sessions__isnull=False, quotes__isnull=False)
        .order_by("slug")
        .first()
    )
    person = (
        Person.objects.filter(slug__startswith=PREFIX)
        .annotate(n=Count("participations"))
        .order_by("-n", "slug")
        .first()
    )

    def matches(word):
        query = SearchQuery(word, search_type="websearch", config=SEARCH_CONFIG)
        return published.filter(search_vector=query).count()

    topic = Topic.objects.with_published_counts().order_by("-encounter_count", "slug").first()
    return {
        "detail": detail.slug,
        "topic": topic.slug,
        "person": person.slug,
        "person_encounters": person.n,
        "common": "trade",
        "common_matches": matches("trade"),
        "rare": "gallium",
        "rare_matches": matches("gallium"),
        "published": published.count(),
    }


def endpoints(fx, admin_cookie):
    three = "level=cabinet&kind=meeting&date_after=2015-01-01"
    return [
        Endpoint("ceiling", "ceiling: view without database", "/bench/ceiling/"),
        Endpoint("healthz", "/healthz", "/healthz", optional=True),
        Endpoint("list", "list, unfiltered", "/encounters/"),
        Endpoint("list3", "list, three filters", f"/encounters/?{three}", "≥ 40% of ceiling"),
        Endpoint("page1000", "list, page 1,000", "/encounters/?page=1000", "≤ 2× page 1"),
        Endpoint(
            "common",
            f"search, common word “{fx['common']}” ({fx['common_matches']:,} hits)",
            f"/encounters/?q={fx['common']}",
        ),
        Endpoint(
            "rare",
            f"search, rare word “{fx['rare']}” ({fx['rare_matches']:,} hits)",
            f"/encounters/?q={fx['rare']}",
        ),
        Endpoint("detail", "detail page", f"/encounters/{fx['detail']}/", "≥ 40% of ceiling"),
        Endpoint(
            "timeline",
            "timeline, level=leader (1 connection)",
            "/timeline/?level=leader",
            "p50 < 200 ms",
            optional=True,
            connections=1,
        ),
        Endpoint(
            "person",
            f"person page (busiest: {fx['person_encounters']:,} encounters)",
            f"/people/{fx['person']}/",
        ),
        Endpoint("api", "API list", "/api/v1/encounters/", optional=True),
        Endpoint("stats", "contact statistics", "/stats/", optional=True),
        Endpoint("stats_csv", "statistics CSV (gaps)", "/stats/gaps.csv", optional=True),
        Endpoint("map", "map of places", "/map/", optional=True),
        Endpoint("network", "who meets whom", "/people/network/", optional=True),
        Endpoint(
            "timeline_kind", "timeline, lanes by kind", "/timeline/?lanes=kind", optional=True
        ),
        Endpoint(
            "admin",
            "admin changelist, logged in (1 connection)",
            "/admin/engagements/encounter/",
            "p50 < 300 ms",
            cookie=admin_cookie,
            connections=1,
        ),
    ]


def admin_session():
    """A logged-in superuser's test client and its session cookie (for wrk)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return client, f"{name}={client.cookies[name].value}"


def uncached_time(client, path, repeats=5):
    """Median ms of rendering the page in this process, where the page cache is off."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        client.get(path, headers=PROXY_HEADERS)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def count_queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, headers=PROXY_HEADERS)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
    return response.status_code, len(captured)


# --------------------------------------------------------------------------------------------
# Load from outside: gunicorn and wrk


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env, port):
    log = (BENCH_DIR / "gunicorn.log").open("w")
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "engagements.infrastructure.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        f"--threads={THREADS}",
        "--max-requests=0",
    ]
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_PAGE_CACHE_SECONDS"}
    process = subprocess.Popen(
        command, cwd=BASE_DIR, env={**environment, **env}, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                ready = urllib.request.Request(
                    f"http://127.0.0.1:{port}/bench/ceiling/", headers=PROXY_HEADERS
                )
                urllib.request.urlopen(ready, timeout=5)
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {log.name}")
            time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def warm_up(url, headers, requests=10):
    for _ in range(requests):
        request = urllib.request.Request(url, headers={**PROXY_HEADERS, **headers})
        with contextlib.suppress(urllib.error.URLError):
            urllib.request.urlopen(request, timeout=60).read()


def run_wrk(url, cookie=None, connections=CONNECTIONS):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{DURATION}s", "--timeout", "30s"]
    command += ["-s", str(LUA), "-H", "X-Forwarded-Proto: https"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=DURATION + 120
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["p50_ms"] = data["p50"] / 1000
    data["p99_ms"] = data["p99"] / 1000
    return data


def measure_export(url, master):
    """Download the export once; its time, size and the workers' peak resident memory."""
    workers = master.children()
    baseline = max(w.memory_info().rss for w in workers)
    peak = [baseline]
    done = threading.Event()

    def poll():
        while not done.is_set():
            for worker in workers:
                with contextlib.suppress(psutil.Error):
                    peak[0] = max(peak[0], worker.memory_info().rss)
            time.sleep(0.005)

    poller = threading.Thread(target=poll)
    poller.start()
    started = time.monotonic()
    first_byte, size, lines, cut = None, 0, 0, None
    try:
        request = urllib.request.Request(url, headers=PROXY_HEADERS)
        with urllib.request.urlopen(request, timeout=600) as response:
            while chunk := response.read(1 << 16):
                first_byte = first_byte or time.monotonic() - started
                size += len(chunk)
                lines += chunk.count(b"\n")
    except (http.client.HTTPException, OSError) as error:
        # E.g. gunicorn's worker timeout killing a long response: report what arrived.
        cut = f"cut short after {time.monotonic() - started:.0f} s ({error.__class__.__name__})"
    finally:
        done.set()
        poller.join()
    return {
        "cut": cut,
        "seconds": time.monotonic() - started,
        "first_byte": first_byte or 0,
        "bytes": size,
        "lines": lines,
        "baseline_mb": baseline / 2**20,
        "peak_mb": peak[0] / 2**20,
    }


# --------------------------------------------------------------------------------------------
# In the database


def backend():
    """The PostgreSQL server process serving this connection (to read its CPU time)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return psutil.Process(cursor.fetchone()[0])


def cpu_seconds(process):
    times = process.cpu_times()
    return times.user + times.system


def timed(run, repeats, server=None):
    """Wall-clock p50/p95 in ms and, with `server`, its mean CPU ms per run.

    On a busy machine wall time includes waiting for a core; the server's CPU time does not.
    """
    run()  # warm
    times = []
    cpu_before = cpu_seconds(server) if server else 0
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    # The kernel counts CPU time in ticks, so the mean over all runs, not each run's.
    cpu = (cpu_seconds(server) - cpu_before) * 1000 / repeats if server else None
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * len(times)) - 1)],
        "cpu": cpu,
    }


def search_queryset(word):
    from django.http import QueryDict

    try:
        from engagements.domain.filters import filter_encounters
    except ImportError:  # before the FilterSet landed
        from django.contrib.postgres.search import SearchQuery

        from engagements.models import SEARCH_CONFIG, Encounter

        query = SearchQuery(word, search_type="websearch", config=SEARCH_CONFIG)
        return Encounter.objects.published().filter(search_vector=query)
    return filter_encounters(QueryDict(f"q={word}"))[1]


def explain(queryset):
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def database_timings(fx, repeats=40):
    """p50/p95 in ms of what the list runs in the database: the ranked page of rows, its count."""
    from engagements.models import Encounter

    results = {}
    server = backend()
    for key in ("rare", "common"):
        queryset = search_queryset(fx[key])
        page = queryset[:25]
        # .all(): a fresh query each time, never the rows cached by the first run.
        timing = timed(lambda page=page: list(page.all()), repeats, server)
        timing["gin"] = "encounter_search_vector" in explain(page)
        results[key] = timing
        results[key + "_count"] = timed(queryset.count, repeats, server)
    listing = Encounter.objects.published().newest_first()  # the list's order and index
    results["page1"] = timed(lambda: list(listing[:25]), repeats, server)
    results["page1000"] = timed(lambda: list(listing[24975:25000]), repeats, server)
    return results


# --------------------------------------------------------------------------------------------
# The table


def machine():
    from django.db import connection

    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{os.cpu_count()} CPUs ({model}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"PostgreSQL {postgres}; commit {commit or '?'}; load average {LOAD_AT_START:.1f} at the "
        f"start, {os.getloadavg()[0]:.1f} at the end (other work on the machine slows every "
        f"figure; compare ratios)"
    )


def verdict(ok):
    return "yes" if ok else "**NO**"


def table(eps, export, db, fx, info):
    by_key = {e.key: e for e in eps}
    ceiling = by_key["ceiling"].result["rps"]
    lines = [
        f"`make bench`, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {info}.",
        f"Data: {fx['published']:,} published of {COUNT:,} synthetic + curated encounters "
        f"(seed {SEED}); gunicorn {WORKERS} workers × {THREADS} threads (gthread), "
        "production settings; "
        f"wrk -t1 -c{CONNECTIONS} -d{DURATION}s per URL unless noted. The ceiling was measured "
        f"first ({by_key['ceiling'].first_rps:,.0f} req/s) and last "
        f"({by_key['ceiling'].last_rps:,.0f} req/s); ratios use the higher.",
        "",
        "| what | req/s | × ceiling | p50 ms | p99 ms | uncached ms | SQL queries | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for e in eps:
        if e.result is None:
            lines.append(f"| {e.label} | {e.note} | | | | | | {e.target} | |")
            continue
        r = e.result
        met = ""
        if e.key in ("list3", "detail"):
            met = verdict(r["rps"] >= 0.4 * ceiling)
        # Latency targets are judged on the page as rendered (a cache miss) and on wrk's p50.
        elif e.key == "timeline":
            met = verdict(max(r["p50_ms"], e.uncached_ms) < 200)
        elif e.key == "admin":
            met = verdict(max(r["p50_ms"], e.uncached_ms) < 300)
        elif e.key == "page1000" and by_key["list"].result:
            met = verdict(e.uncached_ms <= 2 * by_key["list"].uncached_ms)
        errors = (
            f" ({r['non2xx']} non-2xx, {r['errors']} errors)" if r["non2xx"] or r["errors"] else ""
        )
        lines.append(
            f"| {e.label}{errors} | {r['rps']:,.1f} | {r['rps'] / ceiling:.1%} | "
            f"{r['p50_ms']:,.1f} | {r['p99_ms']:,.1f} | {e.uncached_ms:,.1f} | {e.queries} | "
            f"{e.target} | {met} |"
        )
    if export is None:
        left_out = os.environ.get("BENCH_EXPORT", "1") == "0"
        why = "left out (BENCH_EXPORT=0)" if left_out else NOT_ON_MAIN
        lines.append(f"| CSV export of all rows | {why} | | | | | | streams, < 150 MB | |")
    elif "error" in export:
        lines.append(f"| CSV export of all rows | {export['error']} | | | | | | | **NO** |")
    else:
        lines.append(
            # Lines, not rows: a quoted field may hold a newline, so a complete export has at
            # least one line per published encounter; fewer means the download was cut short.
            f"| CSV export, {export['lines'] - 1:,} lines for {fx['published']:,} published "
            f"encounters, {export['bytes'] / 2**20:.1f} MB: {export['seconds']:.1f} s (first byte "
            f"{export['first_byte'] * 1000:.0f} ms), worker peak RSS {export['peak_mb']:.0f} MB "
            f"(idle {export['baseline_mb']:.0f} MB){'; ' + export['cut'] if export['cut'] else ''}"
            f" | | | | | | {export['queries']} | "
            f"complete, peak < 150 MB | "
            f"{verdict(export['peak_mb'] < 150 and export['lines'] - 1 >= fx['published'])} |"
        )
    lines += [
        "",
        "req/s, p50 and p99 come from wrk against gunicorn, where public pages are served from "
        "the production page cache after their first request; “uncached ms” is the page "
        "rendered with the cache off (in-process test client, median of 5), i.e. what a "
        "visitor waits for on a cache miss and what an editor always waits for.",
        "",
        "In the database (wall-clock ms over 40 runs, from this process on the same socket):",
        "",
        "| query | p50 ms | p95 ms | server CPU ms | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for key, limit in (("rare", 50), ("common", 200)):
        t, count = db[key], db[key + "_count"]
        gin = "GIN index used" if t["gin"] else "GIN index NOT used"
        lines.append(
            f"| full text, {key} word “{fx[key]}” ({fx[key + '_matches']:,} hits): 25 rows by "
            f"relevance ({gin}) | {t['p50']:.1f} | {t['p95']:.1f} | {t['cpu']:.0f} | "
            f"p95 < {limit} ms | "
            f"{verdict(t['p95'] < limit and t['gin'])} |"
        )
        lines.append(
            f"| … and its count (for the pager) | {count['p50']:.1f} | {count['p95']:.1f} | "
            f"{count['cpu']:.0f} | | |"
        )
    ratio = db["page1000"]["p50"] / db["page1"]["p50"]
    lines.append(
        f"| list page 1 (rows only) | {db['page1']['p50']:.1f} | {db['page1']['p95']:.1f} | "
        f"{db['page1']['cpu']:.0f} | | |"
    )
    lines.append(
        f"| list page 1,000 (rows only) | {db['page1000']['p50']:.1f} | "
        f"{db['page1000']['p95']:.1f} | {db['page1000']['cpu']:.0f} | "
        f"({ratio:.1f}× page 1 in the database) | |"
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------


# How much of each statement --queries prints (SQL_CHARS=0: all of it).
SQL_SHOWN = int(os.environ.get("SQL_CHARS", "400")) or None


def show_queries(paths, explain=False):
    """`bench/run.py --queries PATH…`: each SQL query a page runs, slowest first, with its time;
    `--explain PATH…` adds the plan of each page's slowest statement, run again with ANALYZE.

    @detail and @person stand for the detail and person pages the benchmark loads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _cookie = admin_session()
    fx = choose_fixtures()
    aliases = {"@detail": f"/encounters/{fx['detail']}/", "@person": f"/people/{fx['person']}/"}
    for path in (aliases.get(path, path) for path in paths):
        client.get(path, headers=PROXY_HEADERS)  # warm the process, not the data
        uncached.clear_app_caches()  # every query of an uncached rendering, counts included
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, headers=PROXY_HEADERS)
            total = (time.perf_counter() - started) * 1000
        print(f"{path}: HTTP {response.status_code}, {total:.0f} ms, {len(captured)} queries")
        slowest_first = sorted(captured, key=lambda q: -float(q["time"]))
        for query in slowest_first:
            print(f"  {float(query['time']) * 1000:8.1f} ms  {query['sql'][:SQL_SHOWN]}")
        if explain and slowest_first:
            print_plan(connection, slowest_first[0]["sql"])


def print_plan(connection, sql):
    """EXPLAIN (ANALYZE, BUFFERS) of a captured statement, as PostgreSQL prints it."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        print("\n".join(row[0] for row in cursor.fetchall()))


def profile_python(paths):
    """`bench/run.py --profile PATH…`: where each page's Python time goes (cProfile, top 25)."""
    import cProfile
    import pstats

    from django.test import Client

    client = Client()
    for path in paths:
        client.get(path, headers=PROXY_HEADERS)  # warm
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(path, headers=PROXY_HEADERS)
        profiler.disable()
        print(f"== {path}")
        order = os.environ.get("PROFILE_SORT", "cumulative")
        pstats.Stats(profiler).sort_stats(order).print_stats(25)


def mix_sample(args):
    """`bench/run.py --mix-sample [N]`: N (100) URLs of the research mix rendered uncached, one
    by one: the spread of their times and the slowest, with their SQL and Python time and their
    slowest statement; what the mix's req/s and p95 are made of."""
    from django.test import Client

    size = int(args[0]) if args else 100
    mix_file, _ = uncached.write_mix(BENCH_DIR, MIX_SIZE, SEED)
    paths = mix_file.read_text().split()[:size]
    client = Client()
    uncached.render(client, paths[0])  # warm the process (imports, templates), not the data
    rows = []
    for path in paths:
        status, total, queries = uncached.render(client, path)
        sql_ms = sum(t for t, _ in queries)
        slowest = max(queries, default=(0.0, ""))
        rows.append((total, sql_ms, status, path, slowest))
    totals = sorted(row[0] for row in rows)
    p95 = totals[min(len(totals) - 1, int(len(totals) * 0.95))]
    sql_share = sum(row[1] for row in rows) / sum(totals)
    print(
        f"{len(rows)} mix URLs uncached: p50 {statistics.median(totals):.0f} ms, p95 {p95:.0f} ms, "
        f"mean {statistics.mean(totals):.0f} ms, SQL {sql_share:.0%} of the time"
    )
    if os.environ.get("MIX_SAMPLE_TSV"):  # every URL's times, for a breakdown by kind of URL
        Path(os.environ["MIX_SAMPLE_TSV"]).write_text(
            "".join(
                f"{total:.1f}\t{sql_ms:.1f}\t{status}\t{path}\n"
                for total, sql_ms, status, path, _ in rows
            )
        )
    for total, sql_ms, status, path, (slow_ms, slow_sql) in sorted(rows, reverse=True)[:15]:
        print(f"{total:7.0f} ms  SQL {sql_ms:5.0f}  {status}  {path}")
        print(f"          slowest {slow_ms:.0f} ms: {uncached.short_sql(slow_sql, 160)}")


def print_uncached():
    """`bench/run.py --uncached`: only the uncached table and plans (no gunicorn, no wrk)."""
    from django.test import Client

    fx = choose_fixtures()
    profiles = uncached.uncached_profiles(fx, Client())
    print(f"{COUNT:,} encounters; load average {os.getloadavg()[0]:.1f}")
    print("\n".join(uncached.uncached_table(profiles, COUNT) + uncached.plans_section(profiles)))


def main():
    if sys.argv[1:2] == ["--scale"]:
        return print(uncached.scale_table(BASE_DIR / ".pgdata"))
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database_url = localdb.ensure_running()
    localdb.hold()
    try:
        env = app_environment(database_url)
        os.environ.update(env)
        # This process counts queries and times pages as rendered: no page cache here (gunicorn
        # gets production's).
        os.environ["DJANGO_PAGE_CACHE_SECONDS"] = "0"
        import django

        django.setup()
        import logging

        # This process's own requests (query counts, probes of missing URLs) need no access log.
        for name in ("engagements.access", "django.request"):
            logging.getLogger(name).setLevel(logging.ERROR)
        from django.core.management import call_command

        ensure_dataset()
        if sys.argv[1:2] == ["--build"]:
            return None
        call_command("collectstatic", interactive=False, verbosity=0)
        if sys.argv[1:2] == ["--queries"]:
            return show_queries(sys.argv[2:])
        if sys.argv[1:2] == ["--explain"]:
            return show_queries(sys.argv[2:], explain=True)
        if sys.argv[1:2] == ["--mix-sample"]:
            return mix_sample(sys.argv[2:])
        if sys.argv[1:2] == ["--uncached"]:
            return print_uncached()
        if sys.argv[1:2] == ["--profile"]:
            return profile_python(sys.argv[2:])
        ensure_wrk()
        fx = choose_fixtures()
        admin_client, admin_cookie = admin_session()
        from django.test import Client

        client = Client()
        eps = endpoints(fx, admin_cookie)
        for e in eps:
            status, e.queries = count_queries(admin_client if e.cookie else client, e.path)
            e.status = status
            if status == 404 and e.optional:
                e.note = NOT_ON_MAIN
            elif status != 200:
                e.note = f"HTTP {status}"
            else:
                e.uncached_ms = uncached_time(admin_client if e.cookie else client, e.path)
        export_path = "/encounters.csv"
        # BENCH_EXPORT=0 leaves out the CSV export (at 1,000,000 encounters it is a gigabyte).
        export_status, export_queries = 404, 0
        if os.environ.get("BENCH_EXPORT", "1") != "0":
            export_status, export_queries = count_queries(client, export_path)
        say("Rendering each page uncached…")
        profiles = uncached.uncached_profiles(fx, client)
        mix_file, mix_size = uncached.write_mix(BENCH_DIR, MIX_SIZE, SEED)
        say("Timing queries in the database…")
        db = database_timings(fx)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with gunicorn(env, port) as master:
            for e in eps:
                if e.note:
                    say(f"  {e.label}: {e.note}")
                    continue
                headers = {"Cookie": e.cookie} if e.cookie else {}
                warm_up(base + e.path, headers)
                e.result = run_wrk(base + e.path, e.cookie, e.connections)
                say(
                    f"  {e.label}: {e.result['rps']:,.1f} req/s, p50 {e.result['p50_ms']:.1f} ms,"
                    f" p99 {e.result['p99_ms']:.1f} ms, {e.queries} queries"
                )
            # The ceiling again, last: the machine's load drifts; ratios use the higher figure.
            ceiling = eps[0]
            again = run_wrk(base + ceiling.path)
            ceiling.first_rps = ceiling.result["rps"]
            if again["rps"] > ceiling.result["rps"]:
                ceiling.result = again
            ceiling.last_rps = again["rps"]
            say(f"  research mix: {mix_size:,} URLs, {MIX_DURATION} s…")
            mix = uncached.run_mix(base, mix_file, MIX_DURATION, MIX_CONNECTIONS, MIX_LUA)
            say(f"  research mix: {mix['rps']:,.1f} req/s, p95 {mix['p95_ms']:.1f} ms")
            export = None
            if export_status == 200:
                say("  CSV export of every row…")
                try:
                    export = measure_export(base + export_path, psutil.Process(master.pid))
                    export["queries"] = export_queries
                except (urllib.error.URLError, OSError) as error:
                    export = {"error": f"failed: {error}"}
            elif export_status != 404:
                export = {"error": f"HTTP {export_status}"}
        report = table(eps, export, db, fx, machine())
        ceiling_rps = eps[0].result["rps"]
        report += "\n\n" + "\n".join(
            [
                "Research mix (bench/mix.py), measured after the ceiling in the same run:",
                "",
                *uncached.mix_lines(mix, ceiling_rps, mix_size, COUNT),
                "",
                "Uncached pages (page cache off, app caches emptied before each request; median "
                f"of {uncached.REPEATS}):",
                "",
                *uncached.uncached_table(profiles, COUNT),
                *uncached.plans_section(profiles),
            ]
        )
        uncached.save_results(BENCH_DIR, COUNT, profiles, mix, ceiling_rps, LOAD_AT_START)
        report += "\n\nScale curve (every size run so far; `make bench-scale` runs them all):\n\n"
        report += uncached.scale_table(BASE_DIR / ".pgdata")
        (BENCH_DIR / "last-run.md").write_text(report + "\n")
        print(report)
    finally:
        localdb.release()


if __name__ == "__main__":
    main()
