"""Monitor benchmark driver (standard library only): creates the monitors, waits until every
one has run, then measures for a while: scheduler lag, checks done against checks due, the
health grid's and a 100-component status page's latency, and the server's memory."""
import http.client, http.cookiejar, json, re, sqlite3, statistics, sys, threading, time, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor

base, token, count, target, measure, db_path, pid, password = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6], sys.argv[7], sys.argv[8]
host, port = urllib.parse.urlparse(base).hostname, urllib.parse.urlparse(base).port
local = threading.local()

def api(method, path, body=None):
    if not hasattr(local, "conn"):
        local.conn = http.client.HTTPConnection(host, port, timeout=30)
    local.conn.request(method, "/api/0/" + path, body=json.dumps(body) if body is not None else None,
                       headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    response = local.conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {data[:200]}")
    return json.loads(data) if data else None

def rss_mb(field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) // 1024

started = time.time()
def create(i):
    return api("POST", "organizations/default/monitors/", {"name": f"api-{i:05d}", "type": "http", "url": target,
               "component": f"Service {i:03d}" if i < 100 else "Fleet", "interval_seconds": 60, "timeout_seconds": 10})["id"]
with ThreadPoolExecutor(8) as pool:
    ids = list(pool.map(create, range(count)))
print(f"created {count} HTTP monitors in {time.time() - started:.1f} s (interval 60 s, target {target})")
api("POST", "organizations/default/status-pages/", {"slug": "bench", "title": "Bench", "monitors": ids[:100]})

# Signed-in session for the dashboard's health grid.
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
login = opener.open(base + "/login").read().decode()
csrf = re.search(r'name="_csrf" value="([0-9a-f]+)"', login).group(1)
opener.open(base + "/login", data=urllib.parse.urlencode({"email": "admin@telltale.local", "password": password, "_csrf": csrf}).encode())

def timed(path, use_opener):
    begin = time.perf_counter()
    if use_opener:
        opener.open(base + path).read()
    else:
        urllib.request.urlopen(base + path).read()
    return (time.perf_counter() - begin) * 1000

# Every monitor's first check falls somewhere in its first interval.
print("warming up: 65 s, until every monitor has run once")
time.sleep(65)
window_start = time.time()
grid, status, lags, readyz = [], [], [], []
while time.time() - window_start < measure:
    grid.append(timed("/organizations/default/health/", True))
    status.append(timed("/status/bench", False))
    readyz.append(json.loads(urllib.request.urlopen(base + "/readyz").read()).get("scheduler_lag_seconds", 0))
    time.sleep(0.5)
window_end = time.time()
peak = rss_mb("VmHWM")
now_rss = rss_mb("VmRSS")

db = sqlite3.connect(db_path, timeout=30)
lo, hi = int(window_start * 1000), int(window_end * 1000)
done = db.execute("select count(*) from monitor_results where checked_at >= ? and checked_at < ?", (lo, hi)).fetchone()[0]
per_monitor = [row[0] for row in db.execute("select count(*) from monitor_results where checked_at >= ? and checked_at < ? group by monitor_id", (lo, hi))]
failed = db.execute("select count(*) from monitor_results where checked_at >= ? and checked_at < ? and verdict = 'down'", (lo, hi)).fetchone()[0]
expected = count * (window_end - window_start) / 60
metrics = urllib.request.urlopen(base + "/metrics").read().decode()
buckets = [(float(m.group(1)), int(float(m.group(2)))) for m in re.finditer(r'telltale_monitor_check_lag_bucket\{le="([0-9.e+-]+)"\} ([0-9.e+]+)', metrics)]
skipped = re.search(r"^telltale_monitor_skipped_checks(?:\{[^}]*\})? ([0-9.e+]+)", metrics, re.M)
total = buckets[-1][1] if buckets else 0
p99 = next((le for le, n in buckets if total and n >= 0.99 * total), float("nan"))

def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]

print(f"measured {window_end - window_start:.0f} s: checks done {done}, due {expected:.0f} ({100 * done / expected:.1f} %), failed {failed}")
print(f"checks per monitor in the window: min {min(per_monitor)} max {max(per_monitor)} (monitors seen {len(per_monitor)} of {count})")
print(f"check lag p99 <= {p99 * 1000:.0f} ms (histogram bucket bound), scheduler lag at /readyz: max {max(readyz) * 1000:.0f} ms")
print(f"skipped slots: {int(float(skipped.group(1))) if skipped else 0}")
print(f"health grid: p50 {pct(grid, 0.5):.1f} ms p99 {pct(grid, 0.99):.1f} ms over {len(grid)} loads")
print(f"status page (100 components): p50 {pct(status, 0.5):.1f} ms p99 {pct(status, 0.99):.1f} ms over {len(status)} loads")
print(f"rss_mb={now_rss} peak_rss_mb={peak}")
