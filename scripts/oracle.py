#!/usr/bin/env python3
"""Independent reference implementation of `escape-report metrics --json`.

Written from /work/shared/SPEC.md (sections 1, 2.1, 2.3, 2.4, 3, 4) and the
team's conventions, without looking at the Rust sources, so that tests can check
the Rust engine figure by figure.  Standard library only; built-in default
configuration only (an hourly rate may be given with --hourly-rate); native CSV
input only (deployments too).

Usage:
  python3 scripts/oracle.py FILE.csv [FILE2.csv ...] [--period P] [--deployments D.csv]
                            [--hourly-rate R]
      print the metrics JSON object computed by the oracle
  python3 scripts/oracle.py FILE.csv ... [--period P] --compare OURS.json
      compare with the Rust output; every figure the oracle computes must be in
      OURS.json with an equal value (numbers within 1e-9 relative or absolute).
      Prints `path: oracle=... ours=...` per mismatch and exits 1, or prints
      `oracle: N figures agree` and exits 0.  Keys only in OURS.json are
      ignored, and so is data_quality.findings.
  python3 scripts/oracle.py --self-test
      run the hand-worked self-checks
"""

import csv
import datetime as _dt
import io
import json
import math
import os
import re
import sys
import tempfile

# --------------------------------------------------------------------------
# Default configuration (SPEC §3 + team conventions)
# --------------------------------------------------------------------------

STAGES = ["review", "unit", "integration", "system", "uat", "staging", "production"]
BOUNDARY = "production"
STAGE_SYNONYMS = {
    "code review": "review", "code-review": "review",
    "unit test": "unit", "unit-test": "unit", "component": "unit",
    "integration test": "integration", "integration-test": "integration",
    "system test": "system", "system-test": "system", "qa": "system",
    "acceptance": "uat", "user acceptance": "uat",
    "pre-production": "staging", "preprod": "staging", "stage": "staging",
    "prod": "production", "live": "production",
}

TYPES = ["code", "infra", "integration", "regression", "unclassified"]
TYPE_SYNONYMS = {
    "bug": "code", "defect": "code",
    "infrastructure": "infra", "configuration": "infra", "config": "infra",
    "environment": "infra",
    "contract": "integration", "interface": "integration",
    "post-deployment regression": "regression",
    "deployment regression": "regression",
    "unknown": "unclassified", "other": "unclassified",
}

SEVERITIES = ["P0", "P1", "P2", "P3", "P4"]
SEVERITY_SYNONYMS = {
    "critical": "P0", "blocker": "P0", "highest": "P0",
    "high": "P1", "major": "P1",
    "medium": "P2", "minor": "P2",
    "low": "P3", "trivial": "P3",
    "lowest": "P4",
}
SEVERITY_WEIGHTS = {"P0": 8.0, "P1": 4.0, "P2": 2.0, "P3": 1.0, "P4": 1.0}
NO_SEVERITY_WEIGHT = 1.0

COST_MODEL = {"code": 5.5, "infra": 10.0, "integration": 12.0,
              "regression": 8.5, "unclassified": 8.0}

MECHANISMS = ["no_test", "ineffective_test", "unrepresentative_data",
              "environment_mismatch", "requirement_ambiguity",
              "review_missed", "flaky_or_skipped"]

BOOL_TRUE = {"true", "yes", "1"}
BOOL_FALSE = {"false", "no", "0"}

WILSON_Z = 1.959963984540054
TREND_THRESHOLD = 0.20
QUARTERS_BEFORE = 4

# Column names after normalisation (lowercase, no space / '-' / '_').
COLUMNS = ["id", "title", "type", "toverify", "foundstage", "originstage",
           "severity", "release", "component", "team", "source", "detectedat",
           "introducedat", "resolvedat", "costhours", "devhours", "qahours",
           "devopshours", "pmhours", "downtimeminutes", "customersaffected",
           "escapemechanism", "reopened"]
ROLE_COLUMNS = ["devhours", "qahours", "devopshours", "pmhours"]

# Deployments (SPEC 2.3).  Which environments are production is configurable;
# these are the defaults `escape-report init` writes.  An empty environment
# means production.  The attribution window is unlimited by default.
PRODUCTION_ENVIRONMENTS = {"production", "prod", "live"}
DEPLOY_STATUS_FAILED = {"success": False, "": False, "failed": True, "rolled_back": True}


def norm_header(name):
    return re.sub(r"[ \-_]", "", name.strip().lower())


# --------------------------------------------------------------------------
# Value parsing
# --------------------------------------------------------------------------

def parse_stage(value):
    v = value.strip().lower()
    if v in STAGES:
        return v
    return STAGE_SYNONYMS.get(v)


def parse_type(value):
    v = value.strip().lower()
    if v in TYPES:
        return v
    return TYPE_SYNONYMS.get(v)


def parse_severity(value):
    v = value.strip().lower()
    if re.fullmatch(r"p[0-4]", v):
        return v.upper()
    return SEVERITY_SYNONYMS.get(v)


def parse_bool(value):
    v = value.strip().lower()
    if v in BOOL_TRUE:
        return True
    if v in BOOL_FALSE:
        return False
    return None


def parse_mechanism(value):
    v = value.strip().lower().replace("-", "_").replace(" ", "_")
    return v if v in MECHANISMS else None


_NUM_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def parse_hours(value):
    """A valid hour figure: finite and >= 0; anything else is None."""
    v = value.strip()
    if not v or not _NUM_RE.fullmatch(v):
        return None
    x = float(v)
    if not math.isfinite(x) or x < 0:
        return None
    return x


_TS_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(Z|z|[+-]\d{2}:\d{2})?)?")


class Instant:
    """A UTC instant as integer nanoseconds since 0001-01-01 (proleptic)."""

    __slots__ = ("ns",)

    def __init__(self, ns):
        self.ns = ns

    @property
    def date(self):
        return _dt.date.fromordinal(self.ns // (86400 * 10**9) + 1)

    def hours_since(self, other):
        return (self.ns - other.ns) / 3.6e12


def parse_timestamp(value):
    v = value.strip()
    m = _TS_RE.fullmatch(v)
    if not m:
        return None
    y, mo, d, hh, mi, ss, frac, off = m.groups()
    try:
        day = _dt.date(int(y), int(mo), int(d))
    except ValueError:
        return None
    h = int(hh) if hh is not None else 0
    mn = int(mi) if mi is not None else 0
    s = int(ss) if ss is not None else 0
    if h > 23 or mn > 59 or s > 59:
        return None
    frac_ns = int((frac or "")[:9].ljust(9, "0")) if frac else 0
    offset = 0
    if off and off not in ("Z", "z"):
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            return None
        offset = (oh * 3600 + om * 60) * (1 if off[0] == "+" else -1)
    secs = (day.toordinal() - 1) * 86400 + h * 3600 + mn * 60 + s - offset
    if secs < 0:
        return None
    return Instant(secs * 10**9 + frac_ns)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------

class Problem:
    __slots__ = ("id", "stage", "stage_idx", "detected", "date", "escaped",
                 "type", "to_verify", "severity", "component", "team",
                 "release", "mechanism", "introduced", "resolved", "cost",
                 "estimated", "deployed")


csv.field_size_limit(2**31 - 1)  # titles may be long; never refuse a field


def detect_delimiter(header_line):
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts.values())
    if best == 0:
        return ","
    for d in (",", ";", "\t"):
        if counts[d] == best:
            return d
    return ","


def read_text(path):
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


class DataQuality:
    def __init__(self):
        self.rows_read = 0
        self.rows_used = 0
        self.rows_skipped = 0
        self.duplicates = 0


def load(paths, dq):
    """Return the used problems of all files, in input order."""
    seen = set()
    problems = []
    boundary_idx = STAGES.index(BOUNDARY)
    for path in paths:
        text = read_text(path)
        header_line = text.split("\n", 1)[0].rstrip("\r")
        delim = detect_delimiter(header_line)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        header = None
        for row in reader:
            if not row:  # blank line: not a record
                continue
            if header is None:
                header = {}
                for i, name in enumerate(row):
                    key = norm_header(name)
                    if key not in header:
                        header[key] = i
                continue
            dq.rows_read += 1

            def get(col):
                i = header.get(col)
                if i is None or i >= len(row):
                    return ""
                return row[i]

            pid = get("id").strip()
            stage = parse_stage(get("foundstage"))
            detected = parse_timestamp(get("detectedat"))
            if not pid or stage is None or detected is None:
                dq.rows_skipped += 1
                continue
            if pid in seen:
                dq.duplicates += 1
                continue
            seen.add(pid)
            dq.rows_used += 1

            p = Problem()
            p.id = pid
            p.stage = stage
            p.stage_idx = STAGES.index(stage)
            p.detected = detected
            p.date = detected.date
            p.escaped = p.stage_idx >= boundary_idx
            p.severity = parse_severity(get("severity"))
            p.component = get("component").strip() or "(none)"
            p.team = get("team").strip() or "(none)"
            p.release = get("release").strip() or "(none)"
            p.introduced = parse_timestamp(get("introducedat"))
            p.deployed = None
            p.resolved = parse_timestamp(get("resolvedat"))
            if p.escaped:
                p.type = parse_type(get("type")) or "unclassified"
                p.to_verify = parse_bool(get("toverify")) is True
                p.mechanism = parse_mechanism(get("escapemechanism"))
                cost = parse_hours(get("costhours"))
                estimated = False
                if cost is None:
                    roles = [parse_hours(get(c)) for c in ROLE_COLUMNS]
                    roles = [r for r in roles if r is not None]
                    if roles:
                        cost = sum(roles)
                    else:
                        cost = COST_MODEL[p.type]
                        estimated = True
                p.cost = cost
                p.estimated = estimated
            else:
                p.type = None
                p.to_verify = False
                p.mechanism = None
                p.cost = 0.0
                p.estimated = False
            problems.append(p)
    return problems


class Deployment:
    __slots__ = ("release", "at", "failed", "blamed")


def _csv_rows(path):
    """(normalised header -> index, rows) of one CSV file."""
    text = read_text(path)
    header_line = text.split("\n", 1)[0].rstrip("\r")
    rows = [r for r in csv.reader(io.StringIO(text, newline=""),
                                  delimiter=detect_delimiter(header_line)) if r]
    if not rows:
        return {}, []
    header = {}
    for i, name in enumerate(rows[0]):
        header.setdefault(norm_header(name), i)
    return header, rows[1:]


def load_deployments(paths):
    """The production deployments of all files, oldest first."""
    out = []
    for path in paths:
        header, rows = _csv_rows(path)
        for row in rows:
            def get(col):
                i = header.get(col)
                return row[i] if i is not None and i < len(row) else ""
            release = get("release").strip()
            at = parse_timestamp(get("deployedat"))
            env = get("environment").strip().lower()
            status = get("status").strip().lower()
            if not release or at is None or status not in DEPLOY_STATUS_FAILED:
                continue
            if env and env not in PRODUCTION_ENVIRONMENTS:
                continue
            d = Deployment()
            d.release, d.at, d.failed, d.blamed = release, at, DEPLOY_STATUS_FAILED[status], False
            out.append(d)
    out.sort(key=lambda d: (d.at.ns, d.release))
    return out


def attribute(problems, deployments):
    """SPEC 2.3: an escaped problem naming a release is blamed on that release's
    deployment (its latest one at or before detection, else its first); one
    without a release on the latest production deployment at or before its
    detection, whose release it then carries.  `deployed` is the blamed
    deployment's instant when it is not after the detection: where time to
    detect starts when `introduced_at` is missing (SPEC 4)."""
    for p in problems:
        if not p.escaped:
            continue
        t = p.detected.ns
        if p.release != "(none)":
            own = [d for d in deployments if d.release == p.release]
            shipped = [d for d in own if d.at.ns <= t]
            blamed = shipped[-1] if shipped else (own[0] if own else None)
        else:
            shipped = [d for d in deployments if d.at.ns <= t]
            blamed = shipped[-1] if shipped else None
            if blamed is not None:
                p.release = blamed.release
        if blamed is not None:
            blamed.blamed = True
            if blamed.at.ns <= t:
                p.deployed = blamed.at


def release_counts(deployments, start, end):
    """(production deployments dated start..end, change failure rate), or (None, None)
    without a deployments file."""
    if deployments is None:
        return None, None
    inside = [d for d in deployments if start is not None and start <= d.at.date <= end]
    failed = sum(1 for d in inside if d.failed or d.blamed)
    return len(inside), ratio(failed, len(inside))


# --------------------------------------------------------------------------
# Periods and quarters
# --------------------------------------------------------------------------

class PeriodError(ValueError):
    pass


def quarter_of(d):
    return (d.year, (d.month - 1) // 3 + 1)


def quarter_bounds(q):
    y, n = q
    start = _dt.date(y, 3 * (n - 1) + 1, 1)
    if n == 4:
        end = _dt.date(y, 12, 31)
    else:
        end = _dt.date(y, 3 * n + 1, 1) - _dt.timedelta(days=1)
    return start, end


def quarter_add(q, k):
    idx = q[0] * 4 + (q[1] - 1) + k
    return (idx // 4, idx % 4 + 1)


def quarter_label(q):
    return "%04d-Q%d" % q


def parse_date(s):
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        raise PeriodError("bad date %r" % s)
    try:
        return _dt.date(int(s[:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        raise PeriodError("bad date %r" % s)


def parse_period(text):
    s = text.strip()
    m = re.fullmatch(r"(\d{4})-[Qq]([1-4])", s)
    if m:
        start, end = quarter_bounds((int(m.group(1)), int(m.group(2))))
        return text, start, end
    m = re.fullmatch(r"(\d{4})-[Ww](\d{2})", s)
    if m:
        try:
            start = _dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise PeriodError("bad ISO week %r" % text)
        return text, start, start + _dt.timedelta(days=6)
    m = re.fullmatch(r"(\d{4})-(\d{2})", s)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise PeriodError("bad month %r" % text)
        start = _dt.date(y, mo, 1)
        nxt = _dt.date(y + 1, 1, 1) if mo == 12 else _dt.date(y, mo + 1, 1)
        return text, start, nxt - _dt.timedelta(days=1)
    if ".." in s:
        a, b = s.split("..", 1)
        start, end = parse_date(a.strip()), parse_date(b.strip())
        if start > end:
            raise PeriodError("period %r ends before it starts" % text)
        return text, start, end
    raise PeriodError("unknown period %r" % text)


def default_period(problems):
    latest = max(p.date for p in problems)
    q = quarter_of(latest)
    if quarter_bounds(q)[1] > latest:
        q = quarter_add(q, -1)
    start, end = quarter_bounds(q)
    return quarter_label(q), start, end


# --------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------

def wilson(k, n, z=WILSON_Z):
    if n == 0:
        return None, None
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def band(rate):
    if rate is None:
        return None
    if rate < 0.10:
        return "excellent"
    if rate < 0.20:
        return "good"
    if rate <= 0.40:
        return "concerning"
    return "broken"


def quantile(sorted_values, q):
    n = len(sorted_values)
    pos = q * (n - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, n - 1)
    frac = pos - lo
    return sorted_values[lo] + frac * (sorted_values[hi] - sorted_values[lo])


def ratio(a, b):
    return None if b == 0 else a / b


def direction(a, b):
    if a < 5 and b < 5:
        return "too few to call"
    base = a if a > 0 else 1
    r = (b - a) / base
    if r >= TREND_THRESHOLD:
        return "rising"
    if r <= -TREND_THRESHOLD:
        return "dropping"
    return "steady"


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------

def compute(paths, period_text=None, deployment_paths=None, hourly_rate=None):
    dq = DataQuality()
    problems = load(paths, dq)
    deployments = None
    if deployment_paths:
        deployments = load_deployments(deployment_paths)
        attribute(problems, deployments)

    data_quality = {
        "rows_read": dq.rows_read,
        "rows_used": dq.rows_used,
        "rows_skipped": dq.rows_skipped,
        "duplicates": dq.duplicates,
        "unclassified": sum(1 for p in problems if p.escaped and p.type == "unclassified"),
        "to_verify": sum(1 for p in problems if p.escaped and p.to_verify),
        "estimated_costs": sum(1 for p in problems if p.escaped and p.estimated),
    }

    if period_text is not None:
        label, start, end = parse_period(period_text)
    elif problems:
        label, start, end = default_period(problems)
    else:
        # No usable row and no period given: there is no period; its members
        # are null (stable key shapes), every figure is that of an empty
        # period, and no quarter is shown.
        label = start = end = None

    if start is None:
        in_period = []
    else:
        in_period = [p for p in problems if start <= p.date <= end]
    escaped = [p for p in in_period if p.escaped]
    n, k = len(in_period), len(escaped)

    rate = ratio(k, n)
    lo, hi = wilson(k, n)
    w_all = sum(SEVERITY_WEIGHTS.get(p.severity, NO_SEVERITY_WEIGHT) for p in in_period)
    w_esc = sum(SEVERITY_WEIGHTS.get(p.severity, NO_SEVERITY_WEIGHT) for p in escaped)
    totals = {
        "problems": n,
        "escaped": k,
        "escape_rate": rate,
        "ci95_low": lo,
        "ci95_high": hi,
        "weighted_escape_rate": (w_esc / w_all) if n else None,
        "band": band(rate),
        "detection_rate": (1 - rate) if rate is not None else None,
        "cost_hours": sum(p.cost for p in escaped),
    }
    totals["releases"], totals["change_failure_rate"] = release_counts(deployments, start, end)

    by_type = []
    for t in TYPES:
        ps = [p for p in escaped if p.type == t]
        by_type.append({
            "type": t,
            "escaped": len(ps),
            "share": ratio(len(ps), k),
            "cost_hours": sum(p.cost for p in ps),
            "estimated_hours": sum(p.cost for p in ps if p.estimated),
            "cost_money": (sum(p.cost for p in ps) * hourly_rate
                           if hourly_rate is not None else None),
        })

    def grouped(keyf):
        groups = {}
        for p in in_period:
            g = groups.setdefault(keyf(p), [0, 0])
            g[0] += 1
            g[1] += 1 if p.escaped else 0
        return [{"key": key, "problems": g[0], "escaped": g[1],
                 "escape_rate": ratio(g[1], g[0])}
                for key, g in sorted(groups.items())]

    stages = []
    for i, s in enumerate(STAGES):
        at = sum(1 for p in in_period if p.stage_idx == i)
        after = sum(1 for p in in_period if p.stage_idx > i)
        stages.append({"stage": s, "found": at, "leakage": ratio(after, at + after)})

    # Quarters shown in trends: the quarter holding the period's last day is
    # always shown; of the up to 4 before it, none before the earliest
    # quarter that holds a used row.
    shown = []
    if end is not None:
        last_q = quarter_of(end)
        earliest = min(quarter_of(p.date) for p in problems) if problems else last_q
        shown = [quarter_add(last_q, -j) for j in range(QUARTERS_BEFORE, 0, -1)]
        shown = [q for q in shown if q >= earliest] + [last_q]
    quarters = []
    for q in shown:
        qs, qe = quarter_bounds(q)
        ps = [p for p in problems if qs <= p.date <= qe]
        es = [p for p in ps if p.escaped]
        releases, cfr = release_counts(deployments, qs, qe)
        quarters.append({
            "releases": releases,
            "change_failure_rate": cfr,
            "label": quarter_label(q),
            "problems": len(ps),
            "escaped": len(es),
            "escape_rate": ratio(len(es), len(ps)),
            "cost_hours": sum(p.cost for p in es),
            "by_type": {t: {"escaped": sum(1 for p in es if p.type == t),
                            "cost_hours": sum(p.cost for p in es if p.type == t)}
                        for t in TYPES},
        })

    trends = []
    for t in TYPES:
        counts = [qq["by_type"][t]["escaped"] for qq in quarters]
        costs = [qq["by_type"][t]["cost_hours"] for qq in quarters]
        entry = {"type": t,
                 "direction": direction(counts[0] if counts else 0,
                                        counts[-1] if counts else 0)}
        if len(quarters) >= 2:
            e0, e1 = counts[-2], counts[-1]
            c0, c1 = costs[-2], costs[-1]
            entry.update({
                "qoq_escaped_delta": e1 - e0,
                "qoq_escaped_change": ratio(e1 - e0, e0),
                "qoq_cost_delta": c1 - c0,
                "qoq_cost_change": None if c0 == 0 else (c1 - c0) / c0,
            })
        else:
            entry.update({"qoq_escaped_delta": None, "qoq_escaped_change": None,
                          "qoq_cost_delta": None, "qoq_cost_change": None})
        trends.append(entry)

    def durations(pairf):
        out = {}
        for t in TYPES:
            vals = []
            for p in escaped:
                if p.type != t:
                    continue
                v = pairf(p)
                if v is not None:
                    vals.append(v)
            if vals:
                vals.sort()
                out[t] = {"median": quantile(vals, 0.5), "p90": quantile(vals, 0.9)}
        return out

    def ttd(p):
        start = p.introduced
        if start is None or start.ns > p.detected.ns:
            start = p.deployed
        if start is None:
            return None
        return p.detected.hours_since(start)

    def ttr(p):
        if p.resolved is None or p.resolved.ns < p.detected.ns:
            return None
        return p.resolved.hours_since(p.detected)

    mech = {}
    for p in escaped:
        if p.mechanism:
            mech[p.mechanism] = mech.get(p.mechanism, 0) + 1
    mechanisms = [{"mechanism": m, "escaped": c}
                  for m, c in sorted(mech.items(), key=lambda kv: (-kv[1], kv[0]))]

    return {
        "schema_version": 1,
        "period": {"label": label,
                   "start": start.isoformat() if start else None,
                   "end": end.isoformat() if end else None},
        "boundary": BOUNDARY,
        "totals": totals,
        "by_type": by_type,
        "by_severity": grouped(lambda p: p.severity or "none"),
        "by_component": grouped(lambda p: p.component),
        "by_team": grouped(lambda p: p.team),
        "by_release": grouped(lambda p: p.release),
        "stages": stages,
        "quarters": quarters,
        "trends": trends,
        "time_to_detect_hours": durations(ttd),
        "time_to_resolve_hours": durations(ttr),
        "mechanisms": mechanisms,
        "data_quality": data_quality,
    }


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

SKIP_PATHS = {"data_quality.findings"}
_MISSING = object()


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _show(x):
    if x is _MISSING:
        return "<missing>"
    return json.dumps(x, ensure_ascii=False)


def compare(oracle, ours, label="oracle"):
    """Return (number of leaf figures compared, list of mismatch lines); `label` names
    the reference side in those lines."""
    mismatches = []
    count = [0]

    def walk(o, u, path):
        if path in SKIP_PATHS:
            return
        if isinstance(o, dict):
            if not isinstance(u, dict):
                count[0] += 1
                mismatches.append("%s: %s=<object> ours=%s" % (path, label, _show(u)))
                return
            for key, ov in o.items():
                sub = "%s.%s" % (path, key) if path else key
                if sub in SKIP_PATHS:
                    continue
                walk(ov, u.get(key, _MISSING), sub)
            return
        if isinstance(o, list):
            if not isinstance(u, list):
                count[0] += 1
                mismatches.append("%s: %s=<array of %d> ours=%s" % (path, label, len(o), _show(u)))
                return
            if len(o) != len(u):
                count[0] += 1
                mismatches.append("%s: %s=<array of %d> ours=<array of %d>"
                                  % (path, label, len(o), len(u)))
            for i in range(min(len(o), len(u))):
                walk(o[i], u[i], "%s[%d]" % (path, i))
            return
        count[0] += 1
        if u is _MISSING:
            ok = False
        elif _is_number(o) and _is_number(u):
            diff = abs(o - u)
            ok = diff <= 1e-9 or diff <= 1e-9 * max(abs(o), abs(u))
        elif _is_number(o) or _is_number(u):
            ok = False
        else:
            ok = (o == u) and type(o) is type(u)
        if not ok:
            mismatches.append("%s: %s=%s ours=%s" % (path, label, _show(o), _show(u)))

    walk(oracle, ours, "")
    return count[0], mismatches


# --------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------

def _write(tmpdir, name, text, encoding="utf-8"):
    path = os.path.join(tmpdir, name)
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)
    return path


def _approx(a, b, tol=1e-9):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol or abs(a - b) <= tol * max(abs(a), abs(b))


def self_test():
    failures = []
    checks = [0]

    def check(name, got, want, tol=1e-9):
        checks[0] += 1
        if _is_number(want) and _is_number(got):
            ok = _approx(got, want, tol)
        else:
            ok = got == want
        if not ok:
            failures.append("%s: got %r, want %r" % (name, got, want))

    # --- Wilson interval, against the worked example (4 decimals) --------
    lo, hi = wilson(8, 38)
    check("wilson 8/38 low", lo, 0.1107, 5e-5)
    check("wilson 8/38 high", hi, 0.3635, 5e-5)
    lo, hi = wilson(3, 38)
    check("wilson 3/38 low", lo, 0.0272, 5e-5)
    check("wilson 3/38 high", hi, 0.2080, 5e-5)
    lo, hi = wilson(0, 10)
    check("wilson 0/10 low", lo, 0.0)
    check("wilson 0/10 high", hi, 0.2775, 5e-5)
    # exact closed form for k = 0: z²/(n+z²)
    z2 = WILSON_Z ** 2
    check("wilson 0/10 high exact", hi, z2 / (10 + z2))
    lo, hi = wilson(10, 10)
    check("wilson 10/10 high", hi, 1.0)
    check("wilson 10/10 low", lo, 10 / (10 + z2))

    # --- bands (SPEC §3: 10.0 % good, 20.0 % concerning, 40.0 % concerning)
    for r, b in [(0.0, "excellent"), (0.0999, "excellent"), (0.10, "good"),
                 (0.1999, "good"), (0.20, "concerning"), (0.40, "concerning"),
                 (0.401, "broken"), (1.0, "broken")]:
        check("band %r" % r, band(r), b)

    # --- quantiles (numpy linear) -----------------------------------------
    check("median 1..4", quantile([1, 2, 3, 4], 0.5), 2.5)
    check("p90 1..4", quantile([1, 2, 3, 4], 0.9), 3.7)
    check("median single", quantile([7.0], 0.5), 7.0)
    check("p90 single", quantile([7.0], 0.9), 7.0)
    check("p90 0..10", quantile([float(i) for i in range(11)], 0.9), 9.0)
    check("p90 two", quantile([10.0, 20.0], 0.9), 19.0)

    # --- directions -------------------------------------------------------
    for a, b, want in [(0, 0, "too few to call"), (4, 4, "too few to call"),
                       (0, 4, "too few to call"), (5, 6, "rising"),
                       (5, 5, "steady"), (10, 8, "dropping"), (10, 9, "steady"),
                       (0, 5, "rising"), (5, 0, "dropping"), (5, 4, "dropping"),
                       (10, 11, "steady"), (10, 12, "rising")]:
        check("direction %d->%d" % (a, b), direction(a, b), want)

    # --- periods ----------------------------------------------------------
    def per(s):
        label, a, b = parse_period(s)
        return label, a.isoformat(), b.isoformat()
    check("period quarter", per("2025-Q1"), ("2025-Q1", "2025-01-01", "2025-03-31"))
    check("period Q4", per("2024-Q4"), ("2024-Q4", "2024-10-01", "2024-12-31"))
    check("period month leap", per("2024-02"), ("2024-02", "2024-02-01", "2024-02-29"))
    check("period month dec", per("2025-12"), ("2025-12", "2025-12-01", "2025-12-31"))
    check("period week 1", per("2025-W01"), ("2025-W01", "2024-12-30", "2025-01-05"))
    check("period week 53", per("2020-W53"), ("2020-W53", "2020-12-28", "2021-01-03"))
    check("period week 47", per("2025-W47"), ("2025-W47", "2025-11-17", "2025-11-23"))
    check("period range", per("2025-01-15..2025-02-03"),
          ("2025-01-15..2025-02-03", "2025-01-15", "2025-02-03"))
    for bad in ["2025-Q5", "2025-13", "2025-W54", "2021-W53", "2025-02-10..2025-02-01",
                "sprint 12", "2025-02-30..2025-03-01"]:
        try:
            parse_period(bad)
            failures.append("period %r should be rejected" % bad)
        except PeriodError:
            pass
        checks[0] += 1

    # --- timestamps -------------------------------------------------------
    def ts(s):
        t = parse_timestamp(s)
        return None if t is None else t.ns

    base = ts("2025-03-14T09:26:00Z")
    check("ts naive T", ts("2025-03-14T09:26:00"), base)
    check("ts naive space", ts("2025-03-14 09:26:00"), base)
    check("ts naive no seconds", ts("2025-03-14 09:26"), base)
    check("ts offset", ts("2025-03-14T11:26:00+02:00"), base)
    check("ts negative offset", ts("2025-03-14T04:26:00-05:00"), base)
    check("ts fraction", ts("2025-03-14T09:26:00.5Z") - base, 5 * 10**8)
    check("ts date only", ts("2025-03-14"), ts("2025-03-14T00:00:00Z"))
    check("ts offset crosses date", parse_timestamp("2025-03-31T23:30:00-02:00").date,
          _dt.date(2025, 4, 1))
    for bad in ["", "2025-02-30", "14/03/2025", "2025-03-14T25:00:00Z",
                "2025-3-14", "yesterday", "2025-03-14T09:26:00+25:00"]:
        check("ts reject %r" % bad, ts(bad), None)

    # --- value parsing ----------------------------------------------------
    check("stage synonym", parse_stage(" Code Review "), "review")
    check("stage qa", parse_stage("QA"), "system")
    check("stage live", parse_stage("Live"), "production")
    check("stage unknown", parse_stage("beta"), None)
    check("type synonym", parse_type("Configuration"), "infra")
    check("type regression", parse_type("Post-Deployment Regression"), "regression")
    check("severity p", parse_severity("p2"), "P2")
    check("severity blocker", parse_severity("Blocker"), "P0")
    check("severity bad", parse_severity("P5"), None)
    check("mechanism dash", parse_mechanism("No-Test"), "no_test")
    check("mechanism space", parse_mechanism("flaky or skipped"), "flaky_or_skipped")
    check("hours bad", parse_hours("-1"), None)
    check("hours nan", parse_hours("NaN"), None)
    check("hours ok", parse_hours(" 2.5 "), 2.5)

    tmp = tempfile.mkdtemp(prefix="oracle-selftest-")

    # --- worked example: 20 unit, 10 system, 5 uat, 3 production ---------
    rows = ["id,found_stage,detected_at,type,severity,cost_hours"]
    i = 0
    for stage, count in [("unit", 20), ("system", 10), ("uat", 5), ("production", 3)]:
        for _ in range(count):
            i += 1
            rows.append("W%d,%s,2025-02-%02d,,,"
                        % (i, stage, 1 + i % 28))
    # give the three escaped problems a type, severity and cost
    rows[-3] = rows[-3].rsplit(",", 3)[0] + ",bug,P1,4"
    rows[-2] = rows[-2].rsplit(",", 3)[0] + ",infra,P0,"
    rows[-1] = rows[-1].rsplit(",", 3)[0] + ",,,"
    # one later row so that 2025-Q1 is the latest *full* quarter
    rows.append("LATE,unit,2025-04-02,,,")
    path = _write(tmp, "worked.csv", "\n".join(rows) + "\n")
    m = compute([path])
    t = m["totals"]
    check("worked period", m["period"], {"label": "2025-Q1", "start": "2025-01-01",
                                         "end": "2025-03-31"})
    check("worked problems", t["problems"], 38)
    check("worked escaped", t["escaped"], 3)
    check("worked rate", t["escape_rate"], 3 / 38)
    check("worked rate 4dp", round(t["escape_rate"], 4), 0.0789)
    check("worked ci low", t["ci95_low"], 0.0272, 5e-5)
    check("worked ci high", t["ci95_high"], 0.2080, 5e-5)
    check("worked detection", t["detection_rate"], 35 / 38)
    check("worked band", t["band"], "excellent")
    # weights: 35 pre-release without severity = 35; escaped P1 4 + P0 8 + none 1
    check("worked weighted", t["weighted_escape_rate"], 13 / (35 + 13))
    # costs: 4 (given) + 10 (infra default) + 8 (unclassified default)
    check("worked cost", t["cost_hours"], 22.0)
    check("worked releases", t["releases"], None)
    check("worked by_type code", m["by_type"][0],
          {"type": "code", "escaped": 1, "share": 1 / 3, "cost_hours": 4.0,
           "estimated_hours": 0.0, "cost_money": None})
    check("worked by_type infra", m["by_type"][1],
          {"type": "infra", "escaped": 1, "share": 1 / 3, "cost_hours": 10.0,
           "estimated_hours": 10.0, "cost_money": None})
    check("worked by_type integration", m["by_type"][2],
          {"type": "integration", "escaped": 0, "share": 0.0, "cost_hours": 0,
           "estimated_hours": 0, "cost_money": None})
    # with a rate of 95.5 per hour: code 4 h -> 382, infra 10 h -> 955, integration 0
    mr = compute([path], hourly_rate=95.5)
    check("worked money per type", [b["cost_money"] for b in mr["by_type"]][:3],
          [382.0, 955.0, 0.0])
    check("worked by_type unclassified", m["by_type"][4]["estimated_hours"], 8.0)
    want_stages = [("review", 0, 38 / 38), ("unit", 20, 18 / 38),
                   ("integration", 0, 18 / 18), ("system", 10, 8 / 18),
                   ("uat", 5, 3 / 8), ("staging", 0, 3 / 3), ("production", 3, 0 / 3)]
    check("worked stages", [(s["stage"], s["found"], s["leakage"]) for s in m["stages"]],
          want_stages)
    check("worked by_severity", m["by_severity"],
          [{"key": "P0", "problems": 1, "escaped": 1, "escape_rate": 1.0},
           {"key": "P1", "problems": 1, "escaped": 1, "escape_rate": 1.0},
           {"key": "none", "problems": 36, "escaped": 1, "escape_rate": 1 / 36}])
    check("worked by_component", m["by_component"],
          [{"key": "(none)", "problems": 38, "escaped": 3, "escape_rate": 3 / 38}])
    check("worked quarters", [(q["label"], q["problems"], q["escaped"]) for q in m["quarters"]],
          [("2025-Q1", 38, 3)])
    check("worked trends one quarter", m["trends"][0],
          {"type": "code", "direction": "too few to call", "qoq_escaped_delta": None,
           "qoq_escaped_change": None, "qoq_cost_delta": None, "qoq_cost_change": None})
    check("worked dq", m["data_quality"],
          {"rows_read": 39, "rows_used": 39, "rows_skipped": 0, "duplicates": 0,
           "unclassified": 1, "to_verify": 0, "estimated_costs": 2})
    # Q2 is not yet full; asking for it explicitly works
    m2 = compute([path], "2025-Q2")
    check("worked Q2 problems", m2["totals"]["problems"], 1)
    check("worked Q2 escape rate", m2["totals"]["escape_rate"], 0.0)
    check("worked Q2 ci high", m2["totals"]["ci95_high"], z2 / (1 + z2))
    check("worked Q2 cost", m2["totals"]["cost_hours"], 0.0)
    check("worked Q2 share", m2["by_type"][0]["share"], None)
    check("worked Q2 quarters", [q["label"] for q in m2["quarters"]], ["2025-Q1", "2025-Q2"])
    check("worked Q2 qoq", (m2["trends"][0]["qoq_escaped_delta"],
                            m2["trends"][0]["qoq_escaped_change"],
                            m2["trends"][0]["qoq_cost_delta"],
                            m2["trends"][0]["qoq_cost_change"]), (-1, -1.0, -4.0, -1.0))
    m3 = compute([path], "2024-12")
    check("empty period totals", (m3["totals"]["problems"], m3["totals"]["escape_rate"],
                                  m3["totals"]["band"], m3["totals"]["weighted_escape_rate"]),
          (0, None, None, None))
    check("empty period stages", [s["leakage"] for s in m3["stages"]], [None] * 7)
    check("empty period groups", m3["by_severity"], [])
    check("empty period quarters (own quarter only)",
          [(q["label"], q["problems"], q["escaped"], q["escape_rate"], q["cost_hours"])
           for q in m3["quarters"]], [("2024-Q4", 0, 0, None, 0)])
    check("empty period trends", [(tr["direction"], tr["qoq_escaped_delta"]) for tr in m3["trends"]],
          [("too few to call", None)] * 5)

    # --- parsing: semicolon, BOM, header variants, quoting, bad rows -----
    text = (
        "\ufeffID; Found Stage ;Detected-At;TITLE;Type;To_Verify;Severity;Component;"
        "Cost Hours;Dev Hours;QA_hours;DevOps-Hours;PM Hours;Escape Mechanism;Extra\r\n"
        'A1;prod;2025-05-02T10:00:00+02:00;"Login; broken\non two lines ""quoted""";'
        "Config;yes;Critical;auth;;2;;1.5;;No-Test;x\r\n"
        "A2;Production;2025-05-03;plain;;;high;auth;-3;;;;;no test;\r\n"
        "A3;QA;2025-05-04 08:00;pre;bug;;p3;;;;;;;;\r\n"
        "A1;unit;2025-05-05;dup of A1;;;;;;;;;;;\r\n"
        ";unit;2025-05-05;no id;;;;;;;;;;;\r\n"
        "A4;beta;2025-05-05;unknown stage;;;;;;;;;;;\r\n"
        "A5;unit;05/05/2025;bad date;;;;;;;;;;;\r\n"
        " A2 ;unit;2025-05-06;dup after trim;;;;;;;;;;;\r\n"
        "A6;live;2025-05-07T00:00:00Z;regr;Deployment Regression;maybe;Lowest;pay;3.25;"
        "9;9;9;9;ineffective-test;\r\n"
        "A7;unit;2025-05-07;short row\r\n"
        "\r\n"
        "A8;Unit Test;2025-05-08;;;;;pay;;;;;;;\r\n"
    )
    path2 = _write(tmp, "semi.csv", text)
    m = compute([path2], "2025-05")
    dq = m["data_quality"]
    check("parse rows_read", dq["rows_read"], 11)  # the blank line is no record
    check("parse rows_used", dq["rows_used"], 6)       # A1 A2 A3 A6 A7 A8
    check("parse rows_skipped", dq["rows_skipped"], 3)  # no id, beta, bad date
    check("parse duplicates", dq["duplicates"], 2)      # A1 again, ' A2 '
    check("parse invariant", dq["rows_read"],
          dq["rows_used"] + dq["rows_skipped"] + dq["duplicates"])
    check("parse unclassified", dq["unclassified"], 1)  # A2
    check("parse to_verify", dq["to_verify"], 1)        # A1 (A6 'maybe' -> empty)
    check("parse estimated", dq["estimated_costs"], 1)  # A2 (cost -3 invalid, no roles)
    t = m["totals"]
    check("parse problems", t["problems"], 6)
    check("parse escaped", t["escaped"], 3)
    # A1 roles 2 + 1.5 = 3.5; A2 unclassified default 8; A6 cost 3.25
    check("parse cost", t["cost_hours"], 3.5 + 8 + 3.25)
    check("parse by_type", [(b["type"], b["escaped"], b["cost_hours"], b["estimated_hours"])
                            for b in m["by_type"]],
          [("code", 0, 0, 0), ("infra", 1, 3.5, 0), ("integration", 0, 0, 0),
           ("regression", 1, 3.25, 0), ("unclassified", 1, 8.0, 8.0)])
    # weights: A1 P0 8, A2 P1 4, A3 P3 1, A6 P4 1, A7 none 1, A8 none 1
    check("parse weighted", t["weighted_escape_rate"], 13 / 16)
    check("parse by_severity", [(g["key"], g["problems"], g["escaped"]) for g in m["by_severity"]],
          [("P0", 1, 1), ("P1", 1, 1), ("P3", 1, 0), ("P4", 1, 1), ("none", 2, 0)])
    check("parse by_component", [(g["key"], g["problems"], g["escaped"]) for g in m["by_component"]],
          [("(none)", 2, 0), ("auth", 2, 2), ("pay", 2, 1)])
    check("parse mechanisms", m["mechanisms"],
          [{"mechanism": "no_test", "escaped": 2},
           {"mechanism": "ineffective_test", "escaped": 1}])
    check("parse stages found", [s["found"] for s in m["stages"]], [0, 2, 0, 1, 0, 0, 3])
    # A1 detected 08:00Z on 2025-05-02; no introduced/resolved -> no durations
    check("parse ttd", m["time_to_detect_hours"], {})

    # tab-delimited second file: duplicates across files, durations, quarters
    text3 = (
        "id\tfound_stage\tdetected_at\tintroduced_at\tresolved_at\ttype\tcost_hours\n"
        "A1\tproduction\t2025-05-20\t2025-05-19\t2025-05-21\tcode\t1\n"
        "B1\tproduction\t2025-05-10T12:00:00Z\t2025-05-10T00:00:00Z\t2025-05-10T18:30:00Z\tinfra\t2\n"
        "B2\tproduction\t2025-05-11T00:00:00Z\t2025-05-09T00:00:00Z\t2025-05-10T00:00:00Z\tinfra\t2\n"
        "B3\tproduction\t2025-05-12T00:00:00Z\t2025-05-13T00:00:00Z\t2025-05-12T06:00:00Z\tinfra\t2\n"
        "B4\tproduction\t2025-05-13T00:00:00Z\tnot a date\t2025-05-13T01:00:00.5Z\tinfra\t2\n"
        "C1\tproduction\t2024-08-01\t\t\tcode\t\n"
    )
    path3 = _write(tmp, "tab.tsv", text3)
    m = compute([path2, path3], "2025-05")
    dq = m["data_quality"]
    check("multi rows_read", dq["rows_read"], 17)
    check("multi duplicates", dq["duplicates"], 3)
    check("multi used", dq["rows_used"], 11)
    check("multi estimated", dq["estimated_costs"], 2)   # A2, C1
    check("multi escaped", m["totals"]["escaped"], 7)
    # infra ttd: B1 12h, B2 48h (B3 introduced after detection, B4 unparseable)
    check("multi ttd infra", m["time_to_detect_hours"].get("infra"),
          {"median": 30.0, "p90": 12 + 0.9 * 36})
    # infra ttr: B1 6.5h, B3 6h, B4 1h + 0.5 s (B2 resolved before detection)
    ttr_vals = sorted([6.5, 6.0, 1.0 + 0.5 / 3600])
    check("multi ttr infra", m["time_to_resolve_hours"].get("infra"),
          {"median": 6.0, "p90": quantile(ttr_vals, 0.9)})
    check("multi ttd keys", sorted(m["time_to_detect_hours"]), ["infra"])
    # quarters: 2025-Q2 plus up to 4 before, none before 2024-Q3 (C1)
    check("multi quarters", [(q["label"], q["problems"], q["escaped"]) for q in m["quarters"]],
          [("2024-Q3", 1, 1), ("2024-Q4", 0, 0), ("2025-Q1", 0, 0), ("2025-Q2", 11 - 1, 7)])
    check("multi quarter rate", m["quarters"][1]["escape_rate"], None)
    check("multi quarter cost", m["quarters"][0]["by_type"]["code"], {"escaped": 1, "cost_hours": 5.5})
    check("multi trends code", m["trends"][0],
          {"type": "code", "direction": "too few to call", "qoq_escaped_delta": 0,
           "qoq_escaped_change": None, "qoq_cost_delta": 0.0, "qoq_cost_change": None})
    check("multi trends infra", (m["trends"][1]["direction"], m["trends"][1]["qoq_escaped_delta"]),
          ("rising", 5))

    # --- trends over five quarters, all directions -----------------------
    lines = ["id,found_stage,detected_at,type,cost_hours"]
    spec = {  # quarter -> {type: count}
        "2024-02-10": {"code": 5, "regression": 10, "unclassified": 10, "infra": 2},
        "2024-05-10": {"code": 1},
        "2024-08-10": {"code": 1},
        "2024-11-10": {"code": 4, "regression": 2, "infra": 3},
        "2025-02-10": {"code": 6, "regression": 8, "unclassified": 9, "integration": 5,
                       "infra": 4},
    }
    j = 0
    for day, per_type in spec.items():
        for ty, c in per_type.items():
            for _ in range(c):
                j += 1
                lines.append("T%d,production,%s,%s,2" % (j, day, ty))
        j += 1
        lines.append("T%d,unit,%s,,," % (j, day))
    lines.append("T0,unit,2023-01-01,,")  # earlier data: window is limited to 5 quarters
    path4 = _write(tmp, "trend.csv", "\n".join(lines) + "\n")
    m = compute([path4], "2025-02")
    check("trend quarters", [q["label"] for q in m["quarters"]],
          ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"])
    got = {tr["type"]: (tr["direction"], tr["qoq_escaped_delta"], tr["qoq_escaped_change"],
                        tr["qoq_cost_delta"], tr["qoq_cost_change"]) for tr in m["trends"]}
    check("trend code", got["code"], ("rising", 2, 0.5, 4.0, 0.5))
    check("trend infra", got["infra"], ("too few to call", 1, 1 / 3, 2.0, 1 / 3))
    check("trend integration", got["integration"], ("rising", 5, None, 10.0, None))
    check("trend regression", got["regression"], ("dropping", 6, 3.0, 12.0, 3.0))
    check("trend unclassified", got["unclassified"], ("steady", 9, None, 18.0, None))
    check("trend period", (m["totals"]["problems"], m["totals"]["escaped"]), (33, 32))
    check("trend band", m["totals"]["band"], "broken")
    check("trend default period", compute([path4])["period"]["label"], "2024-Q4")

    # --- mechanisms: count descending, then name; unknown ones ignored ---
    path7 = _write(tmp, "mech.csv",
                   "id,found_stage,detected_at,escape_mechanism\n"
                   "m1,prod,2025-01-02,review_missed\nm2,prod,2025-01-02,data\n"
                   "m3,prod,2025-01-03,Environment Mismatch\nm4,prod,2025-01-04,review-missed\n"
                   "m5,prod,2025-01-04,environment_mismatch\nm6,unit,2025-01-04,no_test\n"
                   "m7,prod,2025-01-05,FLAKY_OR_SKIPPED\n")
    check("mechanism order", compute([path7], "2025-Q1")["mechanisms"],
          [{"mechanism": "environment_mismatch", "escaped": 2},
           {"mechanism": "review_missed", "escaped": 2},
           {"mechanism": "flaky_or_skipped", "escaped": 1}])

    # --- no usable rows ---------------------------------------------------
    path5 = _write(tmp, "bad.csv", "id,found_stage,detected_at\nX,nowhere,2025-01-01\n,unit,\n")
    m = compute([path5])
    check("nothing usable period", m["period"], {"label": None, "start": None, "end": None})
    check("nothing usable dq", m["data_quality"],
          {"rows_read": 2, "rows_used": 0, "rows_skipped": 2, "duplicates": 0,
           "unclassified": 0, "to_verify": 0, "estimated_costs": 0})
    check("nothing usable totals", (m["totals"]["problems"], m["totals"]["escape_rate"],
                                    m["totals"]["band"], m["totals"]["cost_hours"]),
          (0, None, None, 0))
    check("nothing usable lists", (m["quarters"], m["by_severity"], m["mechanisms"],
                                   m["time_to_detect_hours"]), ([], [], [], {}))
    check("nothing usable stages", [s["leakage"] for s in m["stages"]], [None] * 7)
    m = compute([path5], "2025-Q1")
    check("nothing usable, period given: its quarter",
          [q["label"] for q in m["quarters"]], ["2025-Q1"])
    path6 = _write(tmp, "empty.csv", "")
    check("empty file", compute([path6])["data_quality"]["rows_read"], 0)

    # --- deployments (SPEC 2.3) and time to detect from them (SPEC 4) ------
    dpath = _write(tmp, "deployments.csv",
                   "release,deployed_at,environment,status\n"
                   "r1,2025-10-01T00:00:00Z,production,success\n"
                   "r2,2025-10-05T00:00:00Z,Production,success\n"
                   "r3,2025-10-07T00:00:00Z,staging,success\n"
                   "r4,2025-10-20T00:00:00Z,,failed\n"
                   "r5,2025-11-01T00:00:00Z,live,success\n")
    ppath = _write(tmp, "deployed.csv",
                   "id,type,found_stage,detected_at,release,introduced_at\n"
                   "D1,code,production,2025-10-02T00:00:00Z,,\n"
                   "D2,code,production,2025-10-03T00:00:00Z,r1,\n"
                   "D3,infra,production,2025-10-03T12:00:00Z,,2025-10-03T00:00:00Z\n"
                   "D4,infra,production,2025-10-04T00:00:00Z,r2,\n"
                   "D5,infra,production,2025-10-06T00:00:00Z,,\n"
                   "S1,code,staging,2025-10-06T00:00:00Z,,\n")
    m = compute([ppath], "2025-Q4", [dpath])
    # code: D1 24 h after r1, D2 48 h after its r1; infra: D3 12 h after being
    # introduced, D4 names r2 deployed after it was detected (none), D5 24 h after r2.
    check("deployed ttd", m["time_to_detect_hours"],
          {"code": {"median": 36.0, "p90": 45.6}, "infra": {"median": 18.0, "p90": 22.8}})
    # r3 is staging; r1 (D1, D2, D3), r2 (D4, D5) and r4 (failed) of r1, r2, r4, r5.
    check("deployed releases", (m["totals"]["releases"], m["totals"]["change_failure_rate"]),
          (4, 0.75))
    check("deployed quarter", (m["quarters"][0]["releases"],
                               m["quarters"][0]["change_failure_rate"]), (4, 0.75))
    check("deployed by release", [(r["key"], r["problems"], r["escaped"]) for r in m["by_release"]],
          [("(none)", 1, 0), ("r1", 3, 3), ("r2", 2, 2)])
    m = compute([ppath], "2025-Q4")
    check("undeployed ttd", m["time_to_detect_hours"], {"infra": {"median": 12.0, "p90": 12.0}})
    check("undeployed releases", (m["totals"]["releases"], m["totals"]["change_failure_rate"]),
          (None, None))

    # --- compare ----------------------------------------------------------
    m = compute([path])
    ours = json.loads(json.dumps(m))
    ours["extra"] = 1
    ours["data_quality"]["findings"] = [{"file": "x", "line": 1, "column": None,
                                         "message": "m"}]
    ours["totals"]["escape_rate"] += 1e-12
    n, mism = compare(m, ours)
    check("compare equal", mism, [])
    check("compare counts", n > 100, True)
    ours["totals"]["problems"] = 37
    ours["by_type"][0]["share"] = None
    del ours["stages"][6]["leakage"]
    ours["quarters"].append({})
    _, mism = compare(m, ours)
    check("compare mismatches", mism,
          ["totals.problems: oracle=38 ours=37",
           "by_type[0].share: oracle=0.3333333333333333 ours=null",
           "stages[6].leakage: oracle=0.0 ours=<missing>",
           "quarters: oracle=<array of 1> ours=<array of 2>"])

    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)

    for f in failures:
        print("FAIL " + f)
    print("self-test: %d checks, %d failed" % (checks[0], len(failures)))
    return 1 if failures else 0


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def main(argv):
    files, period, compare_path, deployments, rate = [], None, None, [], None
    i = 0
    if argv == ["--self-test"]:
        return self_test()
    while i < len(argv):
        a = argv[i]
        if a == "--self-test":
            return self_test()
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a in ("--period", "--compare", "--deployments", "--hourly-rate"):
            if i + 1 >= len(argv):
                print("oracle: %s needs a value" % a, file=sys.stderr)
                return 2
            if a == "--period":
                period = argv[i + 1]
            elif a == "--deployments":
                deployments.append(argv[i + 1])
            elif a == "--hourly-rate":
                rate = float(argv[i + 1])
            else:
                compare_path = argv[i + 1]
            i += 2
            continue
        if a.startswith("--period="):
            period = a.split("=", 1)[1]
        elif a.startswith("--compare="):
            compare_path = a.split("=", 1)[1]
        elif a.startswith("--deployments="):
            deployments.append(a.split("=", 1)[1])
        elif a.startswith("--") and a != "-":
            print("oracle: unknown option %s" % a, file=sys.stderr)
            return 2
        else:
            files.append(a)
        i += 1
    if not files:
        print("oracle: no input files (see --help)", file=sys.stderr)
        return 2
    try:
        result = compute(files, period, deployments, rate)
    except PeriodError as e:
        print("oracle: %s" % e, file=sys.stderr)
        return 2
    except OSError as e:
        print("oracle: %s" % e, file=sys.stderr)
        return 2
    if compare_path is None:
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    try:
        with open(compare_path, encoding="utf-8") as f:
            ours = json.load(f)
    except (OSError, ValueError) as e:
        print("oracle: cannot read %s: %s" % (compare_path, e), file=sys.stderr)
        return 2
    n, mismatches = compare(result, ours)
    for line in mismatches:
        print(line)
    if mismatches:
        print("oracle: %d of %d figures differ" % (len(mismatches), n))
        return 1
    print("oracle: %d figures agree" % n)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
