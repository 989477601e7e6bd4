#!/usr/bin/env python3
"""DuckDB computing the SPEC section 4 figures of `escape-report metrics --json` in SQL.

The benchmark's competitor (scripts/bench): the same figures from the same native
CSV, read and aggregated by DuckDB, so that its time and memory can be set beside
ours. It follows the team's conventions exactly as scripts/oracle.py spells them
out (default configuration only, native CSV only, valid UTF-8): the same
vocabulary and synonyms, values trimmed and matched case-insensitively, the same
timestamp grammar, hours valid when finite and >= 0, the cost model, duplicate
ids where the first valid occurrence wins, the same period, quarter and trend
rules. Everything per row happens in SQL; Python only reads the header line
(delimiter and column positions) and shapes the few aggregated rows into JSON.

Usage:
  duckdb_metrics.py FILE.csv [FILE2.csv ...] [--period P]
      print the metrics JSON object (the keys scripts/oracle.py computes, in the
      shape of `escape-report metrics --json`)
  duckdb_metrics.py FILE.csv ... [--period P] --compare OURS.json
      compare with escape-report's output: every figure computed here must be in
      OURS.json with an equal value (numbers within 1e-9, absolute or relative).
      Prints `path: duckdb=... ours=...` per mismatch and exits 1, or prints
      `duckdb: N figures agree` and exits 0. data_quality.findings is ignored.

Needs the `duckdb` package (scripts/bench installs it into bench-data/venv).
"""

import csv
import datetime as _dt
import io
import json
import re
import sys

import duckdb

# The statistics on aggregated values are the oracle's own (scripts/oracle.py, beside
# this file): only the aggregation is done differently, in SQL.
from oracle import band, compare, detect_delimiter, direction, ratio, wilson  # noqa: E402

# --------------------------------------------------------------------------
# Default configuration (SPEC section 3 and the conventions of scripts/oracle.py)
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
WILSON_Z = 1.959963984540054
TREND_THRESHOLD = 0.20
QUARTERS_BEFORE = 4

# Columns used, by normalised header name (lowercase, no space, '-' or '_').
USED_COLUMNS = ["id", "type", "toverify", "foundstage", "severity", "release",
                "component", "team", "detectedat", "introducedat", "resolvedat",
                "costhours", "devhours", "qahours", "devopshours", "pmhours",
                "escapemechanism"]
ROLE_COLUMNS = ["devhours", "qahours", "devopshours", "pmhours"]

# What Python's str.strip() removes, so SQL trims exactly as the oracle does,
# as an RE2 character class (a regex is much faster than DuckDB's trim(s, chars)).
# (The characters are those of c.isspace() over all of Unicode.)
_WS = "".join("\\x{%x}" % c for c in [
    0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
    *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
STRIP_RE = "^[%s]+|[%s]+$" % (_WS, _WS)

# The oracle's timestamp grammar with its range checks folded in (hours 00-23,
# minutes and seconds 00-59, offsets up to 23:59; lowercase t and z allowed).
# Whether the date exists is left to DuckDB's cast, which rejects 2025-02-30.
TS_RE = (r"\d{4}-\d{2}-\d{2}"
         r"([Tt ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?"
         r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)?)?")
HOURS_RE = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
# 0001-01-01T00:00:00Z in microseconds since 1970: the oracle's earliest instant.
MIN_US = -62135596800000000


def norm_header(name):
    return re.sub(r"[ \-_]", "", name.strip().lower())


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


# --------------------------------------------------------------------------
# SQL building blocks. Each takes a column already trimmed (and lowercased
# where matching is case-insensitive): DuckDB evaluates a repeated
# subexpression again for every WHEN, so values are normalised once, in an
# inner SELECT, and mapped in the next one.
# --------------------------------------------------------------------------

def strip(col):
    """The trimmed text of a raw column ('' when absent or empty). The regex
    runs only when the first or last character is not printable ASCII."""
    if col is None:
        return "''"
    v = "coalesce(%s, '')" % col
    return ("CASE WHEN ord({v}) BETWEEN 33 AND 126 AND ord(right({v}, 1)) BETWEEN 33 AND 126 "
            "THEN {v} ELSE regexp_replace({v}, $strip_re, '', 'g') END").format(v=v)


def case_map(expr, mapping, default="NULL"):
    """CASE expr WHEN 'a' THEN x ... END; keys are SQL string literals."""
    whens = " ".join("WHEN %s THEN %s" % (sql_str(k), v) for k, v in mapping.items())
    return "CASE %s %s ELSE %s END" % (expr, whens, default)


def stage_index_sql(v):
    mapping = {s: str(i) for i, s in enumerate(STAGES)}
    mapping.update({k: str(STAGES.index(t)) for k, t in STAGE_SYNONYMS.items()})
    return case_map(v, mapping)


def type_sql(v):
    mapping = {t: sql_str(t) for t in TYPES}
    mapping.update({k: sql_str(t) for k, t in TYPE_SYNONYMS.items()})
    return case_map(v, mapping, "'unclassified'")


def severity_sql(v):
    mapping = {"p%d" % i: sql_str("P%d" % i) for i in range(5)}
    mapping.update({k: sql_str(t) for k, t in SEVERITY_SYNONYMS.items()})
    return case_map(v, mapping)


def mechanism_sql(v):
    # A CASE, not IN (...): DuckDB turns a long IN list into a join that
    # evaluates its input on every row, escaped or not.
    return case_map(v, {m: sql_str(m) for m in MECHANISMS})


def timestamp_us_sql(v):
    """Microseconds since 1970 (UTC) of a timestamp in the oracle's grammar, else
    NULL. Callers also require >= MIN_US (the oracle's earliest instant)."""
    return ("CASE WHEN regexp_full_match({v}, $ts_re) "
            "THEN epoch_us(try_cast(upper({v}) AS TIMESTAMPTZ)) END").format(v=v)


def hours_sql(v):
    """A valid hour figure (finite, >= 0), else NULL."""
    x = "try_cast(%s AS DOUBLE)" % v
    return ("CASE WHEN regexp_full_match({v}, $hours_re) AND isfinite({x}) AND {x} >= 0 "
            "THEN {x} END").format(v=v, x=x)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------

def read_header(path):
    """(delimiter, number of header fields, {normalised name: first index})."""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    text = head.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    delim = detect_delimiter(text.split("\n", 1)[0].rstrip("\r"))
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        row = next(csv.reader(f, delimiter=delim), [])
    positions = {}
    for i, name in enumerate(row):
        positions.setdefault(norm_header(name), i)
    return delim, len(row), positions


def load(con, paths):
    """Fill table `raw`: one row per CSV record, in input order, with the values
    the metrics need already parsed (NULL where invalid)."""
    con.execute("CREATE TABLE raw (fid INTEGER, id VARCHAR, stage TINYINT, det_us BIGINT, "
                "severity VARCHAR, component VARCHAR, team VARCHAR, release VARCHAR, "
                "type VARCHAR, to_verify BOOLEAN, mechanism VARCHAR, intro_us BIGINT, "
                "res_us BIGINT, cost DOUBLE, estimated BOOLEAN, valid BOOLEAN, day DATE)")
    params = {"strip_re": STRIP_RE, "ts_re": TS_RE, "hours_re": HOURS_RE}
    boundary = STAGES.index(BOUNDARY)
    for fid, path in enumerate(paths):
        delim, width, pos = read_header(path)
        if width == 0:
            continue  # an empty file has no records

        def c(name):
            i = pos.get(name)
            return None if i is None else "c%d" % i

        def esc(expr):
            """expr for escaped rows only (CASE evaluates it for those alone)."""
            return "CASE WHEN stage >= %d THEN %s END" % (boundary, expr)

        roles = ["r_" + r for r in ROLE_COLUMNS]
        roles_known = "(%s)" % " OR ".join("%s IS NOT NULL" % r for r in roles)
        # Innermost first: read, trim and lowercase; map and parse the columns
        # every row needs; trim the escaped-only columns of escaped rows; parse
        # those; derive the cost.
        select = """
        SELECT {fid}, id, stage, det_us, severity, component, team, release,
               type, to_verify, mechanism, intro_us, res_us,
               CASE WHEN type IS NULL THEN 0.0
                    WHEN cost_h IS NOT NULL THEN cost_h
                    WHEN {roles_known} THEN {roles_sum}
                    ELSE {cost_model} END,
               coalesce(type IS NOT NULL AND cost_h IS NULL AND NOT {roles_known}, false),
               id <> '' AND stage IS NOT NULL AND coalesce(det_us >= {min_us}, false),
               CAST(make_timestamp(det_us) AS DATE)
        FROM (
          SELECT id, stage, det_us, severity, component, team, release,
                 {esc_type} AS type, coalesce(v_verify IN ('true', 'yes', '1'), false)
                 AS to_verify, {mechanism} AS mechanism, {intro} AS intro_us,
                 {res} AS res_us, {cost} AS cost_h, {role_values}
          FROM (
            SELECT id, stage, det_us, severity, component, team, release,
                   {esc_strings}
            FROM (
              SELECT *, {stage} AS stage, {det} AS det_us, {severity} AS severity,
                     coalesce(nullif(v_component, ''), '(none)') AS component,
                     coalesce(nullif(v_team, ''), '(none)') AS team,
                     coalesce(nullif(v_release, ''), '(none)') AS release
              FROM (
                SELECT {raw_escaped}, {id} AS id, lower({stage_raw}) AS v_stage,
                       {det_raw} AS v_det, lower({severity_raw}) AS v_severity,
                       {component} AS v_component, {team} AS v_team,
                       {release} AS v_release
                FROM read_csv({path}, header = true, delim = {delim}, quote = '"',
                              escape = '"', columns = {columns}, auto_detect = false,
                              OPTIONS)
              )
            )
          )
        )
        """
        escaped_only = {  # name: (raw column, lowercase?)
            "v_type": ("type", True), "v_verify": ("toverify", True),
            "v_mechanism": ("escapemechanism", True), "v_intro": ("introducedat", False),
            "v_res": ("resolvedat", False), "v_cost": ("costhours", False),
        }
        escaped_only.update({"v_" + r: (r, False) for r in ROLE_COLUMNS})
        raw_escaped = ", ".join("%s AS raw_%s" % (c(col) or "NULL::VARCHAR", name)
                                for name, (col, _) in escaped_only.items())
        esc_strings = []
        for name, (col, lower) in escaped_only.items():
            e = strip("raw_" + name)
            if lower:
                e = "lower(%s)" % e
            if name == "v_mechanism":
                e = "replace(replace(%s, '-', '_'), ' ', '_')" % e
            esc_strings.append("%s AS %s" % (esc(e), name))
        select = select.format(
            fid=fid, roles_known=roles_known, min_us=MIN_US,
            roles_sum=" + ".join("coalesce(%s, 0)" % r for r in roles),
            cost_model=case_map("type", {t: "%r::DOUBLE" % h for t, h in COST_MODEL.items()}),
            esc_type=esc(type_sql("v_type")), mechanism=mechanism_sql("v_mechanism"),
            intro=timestamp_us_sql("v_intro"), res=timestamp_us_sql("v_res"),
            cost=hours_sql("v_cost"),
            role_values=", ".join("%s AS r_%s" % (hours_sql("v_" + r), r)
                                  for r in ROLE_COLUMNS),
            esc_strings=", ".join(esc_strings), raw_escaped=raw_escaped,
            stage=stage_index_sql("v_stage"), det=timestamp_us_sql("v_det"),
            severity=severity_sql("v_severity"),
            id=strip(c("id")), stage_raw=strip(c("foundstage")),
            det_raw=strip(c("detectedat")), severity_raw=strip(c("severity")),
            component=strip(c("component")), team=strip(c("team")),
            release=strip(c("release")), path=sql_str(path), delim=sql_str(delim),
            columns="{%s}" % ", ".join("'c%d': 'VARCHAR'" % i for i in range(width)))
        # The parallel reader first. Rows with missing fields need null padding,
        # which DuckDB only does with its serial reader when quoted fields hold
        # line breaks: fall back to that on a CSV error.
        try:
            con.execute("INSERT INTO raw " + select.replace("OPTIONS", "strict_mode = false"),
                        params)
        except duckdb.InvalidInputException as e:
            print("duckdb_metrics: %s: parallel read failed (%s); reading serially "
                  "with null padding" % (path, str(e).splitlines()[0]), file=sys.stderr)
            con.execute("DELETE FROM raw WHERE fid = %d" % fid)
            con.execute("INSERT INTO raw " + select.replace(
                "OPTIONS", "strict_mode = false, null_padding = true, parallel = false"),
                params)


# --------------------------------------------------------------------------
# Periods and quarters (day arithmetic in Python; a handful of values)
# --------------------------------------------------------------------------

class PeriodError(ValueError):
    pass


def quarter_bounds(qi):
    """First and last day of quarter index qi = year * 4 + (quarter - 1)."""
    y, n = divmod(qi, 4)
    start = _dt.date(y, 3 * n + 1, 1)
    end = _dt.date(y + 1, 1, 1) if n == 3 else _dt.date(y, 3 * n + 4, 1)
    return start, end - _dt.timedelta(days=1)


def quarter_index(d):
    return d.year * 4 + (d.month - 1) // 3


def quarter_label(qi):
    return "%04d-Q%d" % (qi // 4, qi % 4 + 1)


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
        start, end = quarter_bounds(int(m.group(1)) * 4 + int(m.group(2)) - 1)
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
        nxt = _dt.date(y + 1, 1, 1) if mo == 12 else _dt.date(y, mo + 1, 1)
        return text, _dt.date(y, mo, 1), nxt - _dt.timedelta(days=1)
    if ".." in s:
        a, b = s.split("..", 1)
        start, end = parse_date(a.strip()), parse_date(b.strip())
        if start > end:
            raise PeriodError("period %r ends before it starts" % text)
        return text, start, end
    raise PeriodError("unknown period %r" % text)


# --------------------------------------------------------------------------
# Statistics on aggregated values
# --------------------------------------------------------------------------

def compute(paths, period_text=None):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")  # naive timestamps are UTC
    load(con, paths)

    # Used rows: valid, and the first valid occurrence of their id (input order
    # is rowid order: DuckDB keeps insertion order). Ids seen more than once
    # are few, so they are found with one aggregate and their later rows
    # marked invalid, rather than numbering every row within its id.
    con.execute("""
        CREATE TABLE dup AS
        SELECT id, min(rowid) AS first, count(*) AS n FROM raw WHERE valid
        GROUP BY id HAVING count(*) > 1""")
    rows_read, valid = con.execute(
        "SELECT count(*), count(*) FILTER (valid) FROM raw").fetchone()
    duplicates = con.execute("SELECT coalesce(sum(n - 1), 0) FROM dup").fetchone()[0]
    con.execute("UPDATE raw SET valid = false FROM dup "
                "WHERE raw.valid AND raw.id = dup.id AND raw.rowid <> dup.first")
    con.execute("CREATE VIEW used AS SELECT *, stage >= %d AS escaped FROM raw WHERE valid"
                % STAGES.index(BOUNDARY))
    (rows_used, unclassified, to_verify, estimated, first_day, last_day) = con.execute("""
        SELECT count(*),
               count(*) FILTER (escaped AND type = 'unclassified'),
               count(*) FILTER (escaped AND to_verify),
               count(*) FILTER (escaped AND estimated),
               min(day), max(day)
        FROM used""").fetchone()
    if rows_used != valid - duplicates:
        raise AssertionError("duckdb_metrics: used rows do not add up")
    data_quality = {
        "rows_read": rows_read,
        "rows_used": rows_used,
        "rows_skipped": rows_read - valid,
        "duplicates": int(duplicates),
        "unclassified": unclassified,
        "to_verify": to_verify,
        "estimated_costs": estimated,
    }

    if period_text is not None:
        label, start, end = parse_period(period_text)
    elif rows_used:
        q = quarter_index(last_day)
        if quarter_bounds(q)[1] > last_day:
            q -= 1
        label = quarter_label(q)
        start, end = quarter_bounds(q)
    else:
        label = start = end = None

    if start is None:
        con.execute("CREATE TABLE per AS SELECT * FROM used LIMIT 0")
    else:
        con.execute("CREATE TABLE per AS SELECT * FROM used WHERE day BETWEEN ? AND ?",
                    [start, end])

    weight = case_map("severity", {s: "%r::DOUBLE" % w for s, w in SEVERITY_WEIGHTS.items()},
                      "%r::DOUBLE" % NO_SEVERITY_WEIGHT)
    n, k, w_all, w_esc, cost = con.execute("""
        SELECT count(*), count(*) FILTER (escaped), coalesce(sum(%s), 0),
               coalesce(sum(%s) FILTER (escaped), 0), coalesce(fsum(cost), 0)
        FROM per""" % (weight, weight)).fetchone()
    rate = ratio(k, n)
    lo, hi = wilson(k, n)
    totals = {
        "problems": n,
        "escaped": k,
        "escape_rate": rate,
        "ci95_low": lo,
        "ci95_high": hi,
        "weighted_escape_rate": (w_esc / w_all) if n else None,
        "band": band(rate),
        "detection_rate": (1 - rate) if rate is not None else None,
        "cost_hours": float(cost),
        "releases": None,
        "change_failure_rate": None,
    }

    per_type = {t: (0, 0.0, 0.0) for t in TYPES}
    for t, cnt, hours, est in con.execute("""
            SELECT type, count(*), fsum(cost), coalesce(fsum(cost) FILTER (estimated), 0)
            FROM per WHERE escaped GROUP BY type""").fetchall():
        per_type[t] = (cnt, float(hours), float(est))
    by_type = [{"type": t, "escaped": per_type[t][0], "share": ratio(per_type[t][0], k),
                "cost_hours": per_type[t][1], "estimated_hours": per_type[t][2]}
               for t in TYPES]

    groups = {"severity": [], "component": [], "team": [], "release": []}
    for dim, key, cnt, esc in con.execute("""
            SELECT CASE WHEN grouping(severity) = 0 THEN 'severity'
                        WHEN grouping(component) = 0 THEN 'component'
                        WHEN grouping(team) = 0 THEN 'team' ELSE 'release' END,
                   coalesce(severity, component, team, release, 'none'),
                   count(*), count(*) FILTER (escaped)
            FROM per
            GROUP BY GROUPING SETS ((severity), (component), (team), (release))
            """).fetchall():
        groups[dim].append({"key": key, "problems": cnt, "escaped": esc,
                            "escape_rate": ratio(esc, cnt)})
    for rows in groups.values():
        rows.sort(key=lambda g: g["key"])

    found = dict(con.execute("SELECT stage, count(*) FROM per GROUP BY stage").fetchall())
    stages = []
    for i, s in enumerate(STAGES):
        at = found.get(i, 0)
        after = sum(c for j, c in found.items() if j > i)
        stages.append({"stage": s, "found": at, "leakage": ratio(after, at + after)})

    # Quarters shown: the one holding the period's last day and up to four
    # before it, none before the earliest quarter with a used row.
    shown = []
    if end is not None:
        last_q = quarter_index(end)
        earliest = quarter_index(first_day) if rows_used else last_q
        shown = [q for q in range(last_q - QUARTERS_BEFORE, last_q) if q >= earliest]
        shown.append(last_q)
    qrows = {}
    if shown:
        qs, _ = quarter_bounds(shown[0])
        _, qe = quarter_bounds(shown[-1])
        for q, t, cnt, esc, hours in con.execute("""
                SELECT year(day) * 4 + (month(day) - 1) // 3 AS q, type, count(*),
                       count(*) FILTER (escaped), coalesce(fsum(cost), 0)
                FROM used WHERE day BETWEEN ? AND ? GROUP BY q, type""",
                                                 [qs, qe]).fetchall():
            qrows.setdefault(q, []).append((t, cnt, esc, float(hours)))
    quarters = []
    for q in shown:
        rows = qrows.get(q, [])
        problems = sum(r[1] for r in rows)
        escaped = sum(r[2] for r in rows)
        per = {t: {"escaped": 0, "cost_hours": 0.0} for t in TYPES}
        for t, _, esc, hours in rows:
            if t is not None:
                per[t] = {"escaped": esc, "cost_hours": hours}
        quarters.append({
            "label": quarter_label(q),
            "problems": problems,
            "escaped": escaped,
            "escape_rate": ratio(escaped, problems),
            "cost_hours": sum(per[t]["cost_hours"] for t in TYPES),
            "by_type": per,
        })

    trends = []
    for t in TYPES:
        counts = [qq["by_type"][t]["escaped"] for qq in quarters]
        costs = [qq["by_type"][t]["cost_hours"] for qq in quarters]
        entry = {"type": t, "direction": direction(counts[0] if counts else 0,
                                                   counts[-1] if counts else 0)}
        if len(quarters) >= 2:
            e0, e1, c0, c1 = counts[-2], counts[-1], costs[-2], costs[-1]
            entry.update({"qoq_escaped_delta": e1 - e0,
                          "qoq_escaped_change": ratio(e1 - e0, e0),
                          "qoq_cost_delta": c1 - c0,
                          "qoq_cost_change": None if c0 == 0 else (c1 - c0) / c0})
        else:
            entry.update({"qoq_escaped_delta": None, "qoq_escaped_change": None,
                          "qoq_cost_delta": None, "qoq_cost_change": None})
        trends.append(entry)

    def durations(hours_expr, valid_expr):
        out = {}
        rows = con.execute("""
            SELECT type, quantile_cont(h, 0.5), quantile_cont(h, 0.9)
            FROM (SELECT type, %s AS h FROM per WHERE escaped AND %s)
            GROUP BY type""" % (hours_expr, valid_expr)).fetchall()
        got = {t: (med, p90) for t, med, p90 in rows}
        for t in TYPES:
            if t in got:
                out[t] = {"median": got[t][0], "p90": got[t][1]}
        return out

    ttd = durations("(det_us - intro_us) / 3.6e9",
                    "intro_us >= %d AND intro_us <= det_us" % MIN_US)
    ttr = durations("(res_us - det_us) / 3.6e9", "res_us >= det_us")

    mech = con.execute("""
        SELECT mechanism, count(*) AS c FROM per
        WHERE escaped AND mechanism IS NOT NULL
        GROUP BY mechanism ORDER BY c DESC, mechanism""").fetchall()
    mechanisms = [{"mechanism": m, "escaped": c} for m, c in mech]

    return {
        "schema_version": 1,
        "period": {"label": label,
                   "start": start.isoformat() if start else None,
                   "end": end.isoformat() if end else None},
        "boundary": BOUNDARY,
        "totals": totals,
        "by_type": by_type,
        "by_severity": groups["severity"],
        "by_component": groups["component"],
        "by_team": groups["team"],
        "by_release": groups["release"],
        "stages": stages,
        "quarters": quarters,
        "trends": trends,
        "time_to_detect_hours": ttd,
        "time_to_resolve_hours": ttr,
        "mechanisms": mechanisms,
        "data_quality": data_quality,
    }


# --------------------------------------------------------------------------
# Comparison (as scripts/oracle.py --compare)
# --------------------------------------------------------------------------



# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def main(argv):
    files, period, compare_path = [], None, None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a in ("--period", "--compare"):
            if i + 1 >= len(argv):
                print("duckdb_metrics: %s needs a value" % a, file=sys.stderr)
                return 2
            if a == "--period":
                period = argv[i + 1]
            else:
                compare_path = argv[i + 1]
            i += 2
            continue
        if a.startswith("--period="):
            period = a.split("=", 1)[1]
        elif a.startswith("--compare="):
            compare_path = a.split("=", 1)[1]
        elif a.startswith("-"):
            print("duckdb_metrics: unknown option %s (files only; no stdin)" % a,
                  file=sys.stderr)
            return 2
        else:
            files.append(a)
        i += 1
    if not files:
        print("duckdb_metrics: no input files (see --help)", file=sys.stderr)
        return 2
    try:
        result = compute(files, period)
    except (PeriodError, OSError) as e:
        print("duckdb_metrics: %s" % e, file=sys.stderr)
        return 2
    if compare_path is None:
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8")
        json.dump(result, out, indent=2, ensure_ascii=False)
        out.write("\n")
        out.flush()
        return 0
    try:
        with open(compare_path, encoding="utf-8") as f:
            ours = json.load(f)
    except (OSError, ValueError) as e:
        print("duckdb_metrics: cannot read %s: %s" % (compare_path, e), file=sys.stderr)
        return 2
    n, mismatches = compare(result, ours, label="duckdb")
    for line in mismatches:
        print(line)
    if mismatches:
        print("duckdb: %d of %d figures differ from %s" % (len(mismatches), n, compare_path))
        return 1
    print("duckdb: %d figures agree" % n)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
