"""Per-page uncached timings, the research mix and the scale curve (used by bench/run.py).

Uncached: each page rendered in this process with the page cache off and every other cache the
app keeps emptied before each request, so the figure is what the first researcher to ask for
that URL waits for. For each page: the median total of 5 renderings, the time spent in SQL
(summed over its queries, as Django's cursor measured it) and in Python (the rest: view,
serializer, template), its query count, and its slowest statement with the plan PostgreSQL
actually ran (EXPLAIN ANALYZE).
"""

import json
import os
import statistics
import subprocess
import time
from pathlib import Path

PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
# Targets at 100,000 encounters (p50 of the uncached page, ms); the rest of the pages: 50 ms.
TARGET_MS = {"common": 100, "timeline": 100, "api": 15}
DEFAULT_TARGET_MS = 50


def pages(fx):
    """(key, label, path) of every page the uncached table times."""
    three = "level=cabinet&kind=meeting&date_after=2015-01-01"
    leader_topic = f"level=leader&topic={fx['topic']}"
    return [
        ("list", "list, unfiltered", "/encounters/"),
        ("list3", "list, three filters", f"/encounters/?{three}"),
        ("common", f"search, common word “{fx['common']}”", f"/encounters/?q={fx['common']}"),
        ("rare", f"search, rare word “{fx['rare']}”", f"/encounters/?q={fx['rare']}"),
        ("page1000", "list, page 1,000", "/encounters/?page=1000"),
        ("timeline", "timeline, unfiltered", "/timeline/"),
        ("timeline_f", "timeline, leader level and a topic", f"/timeline/?{leader_topic}"),
        ("people", "people list", "/people/"),
        ("person", "person page (busiest)", f"/people/{fx['person']}/"),
        ("topic", f"topic page ({fx['topic']})", f"/topics/{fx['topic']}/"),
        ("detail", "detail page", f"/encounters/{fx['detail']}/"),
        ("api", "API list", "/api/v1/encounters/"),
        ("api_detail", "API detail", f"/api/v1/encounters/{fx['detail']}/"),
    ]


def clear_app_caches():
    """Empty every cache the app reads outside the page cache, for a cold measurement."""
    from django.core.cache import caches

    for alias in ("default",):
        caches[alias].clear()


def render(client, path, cold=True):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if cold:
        clear_app_caches()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path, headers=PROXY_HEADERS)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
        total = (time.perf_counter() - started) * 1000
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured]
    return response.status_code, total, queries


def explain_analyze(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def profile(client, path, repeats=REPEATS):
    render(client, path)  # warm the process (imports, templates), not the data
    runs = [render(client, path) for _ in range(repeats)]
    status = runs[-1][0]
    totals = [run[1] for run in runs]
    sql = [sum(t for t, _ in run[2]) for run in runs]
    slowest_time, slowest_sql = max(runs[-1][2], default=(0.0, ""))
    result = {
        "status": status,
        "total_ms": statistics.median(totals),
        "sql_ms": statistics.median(sql),
        "queries": len(runs[-1][2]),
        "slowest_ms": slowest_time,
        "slowest_sql": slowest_sql,
        "plan": explain_analyze(slowest_sql)
        if slowest_sql.lstrip().upper().startswith(("SELECT", "WITH"))
        else "",
    }
    result["python_ms"] = max(0.0, result["total_ms"] - result["sql_ms"])
    # The same URL again with the app's caches as the cold run left them (counts and facets
    # kept for this data version): what the next page, sort or view of these filters costs.
    warm = [render(client, path, cold=False)[1] for _ in range(min(3, repeats))]
    result["warm_ms"] = statistics.median(warm)
    return result


def uncached_profiles(fx, client):
    results = {}
    for key, label, path in pages(fx):
        result = profile(client, path)
        result.update(label=label, path=path)
        results[key] = result
    return results


def target_of(key):
    return TARGET_MS.get(key, DEFAULT_TARGET_MS)


def short_sql(sql, limit=110):
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def uncached_table(results, count):
    judged = count == 100000
    lines = [
        "| page (uncached) | status | total ms | SQL ms | Python ms | queries | slowest SQL ms "
        "| slowest statement | counts kept: ms | target (100k) | met |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---|---|",
    ]
    for key, r in results.items():
        target = target_of(key)
        met = ("yes" if r["total_ms"] <= target else "**NO**") if judged else ""
        lines.append(
            f"| {r['label']} | {r['status']} | {r['total_ms']:,.1f} | {r['sql_ms']:,.1f} | "
            f"{r['python_ms']:,.1f} | {r['queries']} | {r['slowest_ms']:,.1f} | "
            f"`{short_sql(r['slowest_sql']).replace('|', '¦')}` | {r['warm_ms']:,.1f} | "
            f"≤ {target} ms | {met} |"
        )
    return lines


def plans_section(results):
    lines = ["", "Plans of each page's slowest statement (EXPLAIN ANALYZE, run once more):", ""]
    for r in results.values():
        if not r["plan"]:
            continue
        lines += [
            f"#### {r['label']}: {r['path']}",
            "",
            "```",
            short_sql(r["slowest_sql"], 2000),
            "",
            r["plan"],
            "```",
            "",
        ]
    return lines


# --------------------------------------------------------------------------------------------
# The mix


def write_mix(bench_dir, count, seed):
    from bench.mix import mix_urls

    urls = mix_urls(count, seed)
    target = bench_dir / "mix-urls.txt"
    target.write_text("\n".join(urls) + "\n")
    return target, len(urls)


def run_mix(base, urls_file, duration, connections, lua):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s"]
    command += ["-s", str(lua), "-H", "X-Forwarded-Proto: https", base]
    env = {"MIX_URLS": str(urls_file), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 180, env=env
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    for p in ("p50", "p95", "p99"):
        data[p + "_ms"] = data[p] / 1000
    return data


def mix_lines(mix, ceiling, urls, count):
    statuses = ", ".join(f"{n:,} × {s}" for s, n in sorted(mix["statuses"].items()))
    ratio = mix["rps"] / ceiling
    judged = count == 100000
    met = ""
    if judged:
        met = "yes" if ratio >= 0.05 and mix["p95_ms"] <= 150 else "**NO**"
    elif count >= 1000000:
        met = "yes" if mix["p95_ms"] <= 500 else "**NO**"
    return [
        "| research mix | req/s | × ceiling | p50 ms | p95 ms | p99 ms | answers by status "
        "| target | met |",
        "|---|---:|---:|---:|---:|---:|---|---|---|",
        f"| {urls:,} distinct URLs at random, {MIX_CONNECTIONS_NOTE} | {mix['rps']:,.1f} | "
        f"{ratio:.2%} | {mix['p50_ms']:,.1f} | {mix['p95_ms']:,.1f} | {mix['p99_ms']:,.1f} | "
        f"{statuses} | ≥ 5% of ceiling, p95 ≤ 150 ms (100k); p95 ≤ 500 ms (1M) | {met} |",
    ]


MIX_CONNECTIONS_NOTE = "wrk -t2 -c4, page cache on"


# --------------------------------------------------------------------------------------------
# The scale curve: the uncached figures of every size run so far, side by side.


def save_results(bench_dir, count, results, mix, ceiling, load):
    data = {
        "count": count,
        "load": load,
        "ceiling": ceiling,
        "mix": mix,
        "pages": {
            k: {f: v[f] for f in ("label", "total_ms", "sql_ms", "queries")}
            for k, v in results.items()
        },
    }
    (bench_dir / "last-run.json").write_text(json.dumps(data, indent=1))


def scale_table(pgdata):
    runs = []
    for path in sorted(Path(pgdata).glob("bench*/last-run.json")):
        runs.append(json.loads(path.read_text()))
    runs.sort(key=lambda run: run["count"])
    if not runs:
        return "No bench runs yet: run `make bench` (BENCH_COUNT=10000, 1000000 for the others)."
    header = "| page (uncached ms) | " + " | ".join(f"{r['count']:,}" for r in runs) + " |"
    lines = [header, "|---|" + "---:|" * len(runs)]
    keys = list(runs[-1]["pages"])
    for key in keys:
        label = runs[-1]["pages"][key]["label"]
        cells = [f"{r['pages'][key]['total_ms']:,.0f}" if key in r["pages"] else "" for r in runs]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for name, field in (("mix p50 ms", "p50_ms"), ("mix p95 ms", "p95_ms")):
        cells = [f"{r['mix'][field]:,.0f}" if r.get("mix") else "" for r in runs]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = [
        f"{r['mix']['rps'] / r['ceiling']:.2%}" if r.get("mix") and r.get("ceiling") else ""
        for r in runs
    ]
    lines.append("| mix × ceiling | " + " | ".join(cells) + " |")
    lines.append("| load average (start) | " + " | ".join(f"{r['load']:.1f}" for r in runs) + " |")
    return "\n".join(lines)
