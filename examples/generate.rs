//! Deterministic sample-data generator for `escape-report`.
//!
//! Writes native CSV (spec 2.1) describing two years of a QA lead's defect and
//! incident export, 2024-10-01 through 2026-09-30, with stories to tell: the
//! escape rate improves quarter by quarter, code defects drop, infrastructure
//! problems rise, integration failures hold steady and post-deployment
//! regressions stay rare.
//!
//! ```text
//! cargo run --release --example generate -- --rows N [--seed S] [--out PATH]
//! cargo run --release --example generate -- --bad [--out PATH]
//! ```
//!
//! Output goes to stdout unless `--out` is given; `--rows` defaults to 1200 and
//! `--seed` to 42. The same seed always gives byte-identical output. Rows are
//! streamed, so memory stays constant however many are asked for.
//!
//! `--bad` writes the fixed file behind `samples/bad-rows.csv`, one problem per
//! row, for the `check` command. Line numbers are 1-based and count the header:
//!
//! | line  | id     | problem                                                 |
//! |-------|--------|---------------------------------------------------------|
//! | 1     |        | header                                                  |
//! | 2     | PRJ-1  | valid escaped row                                       |
//! | 3–4   | PRJ-2  | valid row whose quoted title spans two lines            |
//! | 5     | (none) | missing id                                              |
//! | 6     | PRJ-4  | missing found_stage                                     |
//! | 7     | PRJ-5  | unknown found_stage `qa-lab`                            |
//! | 8     | PRJ-6  | unparseable detected_at `yesterday`                     |
//! | 9     | PRJ-7  | unknown type `cosmic-ray` on an escaped row             |
//! | 10    | PRJ-8  | unknown severity `P9`                                   |
//! | 11    | PRJ-9  | non-numeric cost_hours `two`                            |
//! | 12    | PRJ-10 | negative cost_hours `-3.5`                              |
//! | 13    | PRJ-11 | resolved_at before detected_at                          |
//! | 14    | PRJ-12 | bad boolean to_verify `maybe`                           |
//! | 15    | PRJ-13 | unknown escape_mechanism `bad_luck`                     |
//! | 16    | PRJ-1  | duplicate id (first seen on line 2)                     |
//! | 17    | PRJ-14 | valid escaped row                                       |
//! | 18    | PRJ-15 | valid pre-release row                                   |

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// Column order of the native CSV format.
const HEADER: &str = "id,title,type,to_verify,found_stage,origin_stage,severity,release,\
component,team,source,detected_at,introduced_at,resolved_at,cost_hours,dev_hours,qa_hours,\
devops_hours,pm_hours,downtime_minutes,customers_affected,escape_mechanism,reopened";

/// The hand-shaped `--bad` file; see the line map in the module docs.
const BAD_ROWS: &str = concat!(
    "id,title,type,to_verify,found_stage,origin_stage,severity,release,component,team,source,",
    "detected_at,introduced_at,resolved_at,cost_hours,dev_hours,qa_hours,devops_hours,pm_hours,",
    "downtime_minutes,customers_affected,escape_mechanism,reopened\n",
    // 2: valid escaped row
    "PRJ-1,Checkout total rounds VAT twice,code,false,production,code,P1,2025.03,checkout,Atlas,",
    "zendesk,2025-02-12T09:26:00Z,2025-02-03T16:00:00Z,2025-02-13T11:40:00Z,6.5,,,,,0,140,no_test,false\n",
    // 3-4: valid row, quoted title over two lines
    "PRJ-2,\"Search returns 500 when query has emoji\nSteps: type 🎉 and press Enter\",code,,unit,,P2,",
    "2025.04,search,Borealis,github,2025-02-13T10:05:00Z,,2025-02-13T15:30:00Z,,,,,,,,,false\n",
    // 5: missing id
    ",Login button does nothing on second tap,code,,system,,P2,2025.04,accounts,Cobalt,jira,",
    "2025-02-14T11:20:00Z,,2025-02-15T09:00:00Z,,,,,,,,,false\n",
    // 6: missing found_stage
    "PRJ-4,Sales report totals off by one day,code,,,,P3,2025.04,reporting,Cobalt,jira,",
    "2025-02-14T13:45:00Z,,2025-02-17T10:00:00Z,,,,,,,,,false\n",
    // 7: unknown found_stage
    "PRJ-5,Product page shows stale price,code,,qa-lab,,P2,2025.04,catalog,Borealis,jira,",
    "2025-02-17T08:30:00Z,,2025-02-17T16:10:00Z,,,,,,,,,false\n",
    // 8: unparseable detected_at
    "PRJ-6,Push notification sent twice,code,false,production,,P2,2025.03,notifications,Delta,",
    "zendesk,yesterday,,,4.0,,,,,,,ineffective_test,false\n",
    // 9: unknown type on an escaped row
    "PRJ-7,Rate limiter blocks healthy clients,cosmic-ray,false,production,,P1,2025.03,",
    "api-gateway,Delta,pagerduty,2025-02-18T02:14:00Z,,2025-02-18T04:02:00Z,9.0,,,,,35,1200,,false\n",
    // 10: unknown severity
    "PRJ-8,Offline cart loses items on restart,code,,uat,,P9,2025.04,mobile-app,Cobalt,jira,",
    "2025-02-18T10:00:00Z,,2025-02-19T12:00:00Z,,,,,,,,,false\n",
    // 11: non-numeric cost_hours
    "PRJ-9,Card payment rejected by payment provider,integration,false,production,data,P1,2025.03,",
    "payments,Atlas,monitoring,2025-02-19T14:40:00Z,,2025-02-21T09:15:00Z,two,,,,,0,310,",
    "unrepresentative_data,false\n",
    // 12: negative cost_hours
    "PRJ-10,API gateway returns 502 after config change,infra,false,production,configuration,P0,",
    "2025.03,api-gateway,Delta,pagerduty,2025-02-20T03:05:00Z,2025-02-20T01:50:00Z,",
    "2025-02-20T05:20:00Z,-3.5,,,,,48,5200,environment_mismatch,false\n",
    // 13: resolved_at before detected_at
    "PRJ-11,Refund shows the wrong currency,code,false,production,code,P2,2025.03,payments,Atlas,",
    "zendesk,2025-02-21T09:00:00Z,,2025-02-20T17:00:00Z,5.0,,,,,,,no_test,false\n",
    // 14: bad boolean
    "PRJ-12,Deep link opens the wrong screen,regression,maybe,production,,P2,2025.03,mobile-app,",
    "Cobalt,zendesk,2025-02-24T12:30:00Z,,2025-02-24T18:00:00Z,,3.5,1.5,,,,,flaky_or_skipped,false\n",
    // 15: unknown escape_mechanism
    "PRJ-13,Search suggestions time out under load,infra,false,production,environment,P1,2025.04,",
    "search,Borealis,monitoring,2025-02-25T16:10:00Z,,2025-02-25T19:00:00Z,8.0,,,,,22,640,",
    "bad_luck,false\n",
    // 16: duplicate id
    "PRJ-1,Checkout total rounds VAT twice (again),code,false,production,code,P1,2025.03,checkout,",
    "Atlas,zendesk,2025-02-26T10:00:00Z,,2025-02-26T15:00:00Z,3.0,,,,,,,no_test,true\n",
    // 17: valid escaped row
    "PRJ-14,\"Order confirmation email, sent twice for Zürich orders\",infra,true,Prod,",
    "configuration,critical,2025.04,notifications,Delta,pagerduty,2025-02-27T07:45:00Z,,",
    "2025-02-27T09:05:00Z,,2.5,,6.0,,15,900,environment_mismatch,false\n",
    // 18: valid pre-release row
    "PRJ-15,\"Cart page says \"\"undefined\"\" instead of the name\",code,,review,code,P3,2025.05,",
    "checkout,Atlas,github,2025-02-28T11:00:00Z,,2025-02-28T13:30:00Z,,,,,,,,,false\n",
);

/// First day of the generated range (2024-10-01, the start of 2024-Q4).
const START: (i64, u32, u32) = (2024, 10, 1);
/// Number of days covered: eight quarters, 2024-10-01 through 2026-09-30.
const DAYS: usize = 730;
/// Minutes in a day.
const DAY: i64 = 1440;
/// When the export was taken (2026-10-01T07:00Z); later resolutions are not known yet.
const EXPORT_AT_DAY: (i64, u32, u32) = (2026, 10, 1);

// ---------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------

/// xoshiro256** seeded through splitmix64: small, fast and reproducible.
struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// Seeds the four state words from one `u64` with splitmix64.
    fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut split = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self {
            s: [split(), split(), split(), split()],
        }
    }

    fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)`.
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Uniform in `[lo, hi)`.
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// Uniform index below `n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// One element of a non-empty slice, uniformly.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// One element of `(value, weight)` pairs, proportionally to weight.
    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|&(_, w)| w).sum();
        let mut ticket = self.below(total as usize) as u32;
        for &(item, w) in items {
            if ticket < w {
                return item;
            }
            ticket -= w;
        }
        items[items.len() - 1].0
    }

    /// Log-normal with the given median and shape (Box–Muller underneath).
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        median * (sigma * z).exp()
    }
}

/// Smooth weighted round-robin that restarts every quarter.
///
/// Within a quarter each category's count stays within one of its share, so
/// the per-quarter trends read cleanly even at sample size.
struct Quota<const N: usize> {
    quarter: usize,
    credit: [f64; N],
}

impl<const N: usize> Quota<N> {
    fn new() -> Self {
        Self {
            quarter: usize::MAX,
            credit: [0.0; N],
        }
    }

    /// Index of the next category for `quarter`, given the categories' weights.
    fn next(&mut self, quarter: usize, weights: [f64; N]) -> usize {
        if quarter != self.quarter {
            self.quarter = quarter;
            self.credit = [0.0; N];
        }
        for (credit, weight) in self.credit.iter_mut().zip(weights) {
            *credit += weight;
        }
        let mut best = 0;
        for i in 1..N {
            if self.credit[i] > self.credit[best] {
                best = i;
            }
        }
        self.credit[best] -= weights.iter().sum::<f64>();
        best
    }
}

/// Additive-recurrence (Weyl) sequence in `[0, 1)`.
///
/// Low-discrepancy: over any run of rows the share landing in an interval is
/// within a row or two of its length, so per-quarter counts follow their
/// targets closely even at sample size, where plain sampling would be noisy.
struct Weyl {
    state: u64,
    step: u64,
}

impl Weyl {
    /// Golden-ratio step.
    const PHI: u64 = 0x9E37_79B9_7F4A_7C15;
    /// Fractional part of √3 as step.
    const SQRT3: u64 = 0xBB67_AE85_84CA_A73B;

    fn next(&mut self) -> f64 {
        self.state = self.state.wrapping_add(self.step);
        (self.state >> 11) as f64 / (1u64 << 53) as f64
    }
}

// ---------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Maps a position in `[0, 1)` to a day, weighting weekdays over weekends and
/// thinning out the year-end holidays and August.
struct Calendar {
    first_day: i64,
    /// Cumulative day weights, normalised so the last entry is 1.
    cumulative: Vec<f64>,
}

impl Calendar {
    fn new() -> Self {
        let first_day = days_from_civil(START.0, START.1, START.2);
        let mut cumulative = Vec::with_capacity(DAYS);
        let mut total = 0.0;
        for offset in 0..DAYS as i64 {
            let day = first_day + offset;
            let (_, m, d) = civil_from_days(day);
            // 1970-01-01 was a Thursday; 0 = Monday.
            let weekday = (day + 3).rem_euclid(7);
            let mut w = [1.1, 1.15, 1.1, 1.05, 0.9, 0.3, 0.25][weekday as usize];
            if (m == 12 && d >= 23) || (m == 1 && d <= 2) {
                w *= 0.45;
            } else if m == 8 {
                w *= 0.85;
            }
            total += w;
            cumulative.push(total);
        }
        for c in &mut cumulative {
            *c /= total;
        }
        Self {
            first_day,
            cumulative,
        }
    }

    /// The day (since 1970-01-01) at cumulative position `t`.
    fn day_at(&self, t: f64) -> i64 {
        let index = self.cumulative.partition_point(|&c| c <= t).min(DAYS - 1);
        self.first_day + index as i64
    }

    /// Quarter index 0..8 (2024-Q4 = 0) of a day.
    fn quarter(day: i64) -> usize {
        let (y, m, _) = civil_from_days(day);
        ((y - START.0) * 4 + i64::from((m - 1) / 3) - 3) as usize
    }
}

/// Bi-weekly releases named `year.sequence`, shipped on Tuesdays at 10:00 UTC.
struct Releases;

impl Releases {
    /// Day of release 0 (Tuesday 2024-01-02).
    fn anchor() -> i64 {
        days_from_civil(2024, 1, 2)
    }

    /// Minute at which release `k` shipped.
    fn shipped_at(k: i64) -> i64 {
        (Self::anchor() + 14 * k) * DAY + 600
    }

    /// The latest release shipped at or before minute `t`.
    fn latest_before(t: i64) -> i64 {
        (t - Self::shipped_at(0)).div_euclid(14 * DAY)
    }

    /// `(year, sequence)` name of release `k`.
    fn name(k: i64) -> (i64, i64) {
        let (year, _, _) = civil_from_days(Self::anchor() + 14 * k);
        let first_of_year = (days_from_civil(year, 1, 1) - Self::anchor() + 13).div_euclid(14);
        (year, k - first_of_year + 1)
    }
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

/// Where a problem was found, in the default order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Review,
    Unit,
    Integration,
    System,
    Uat,
    Staging,
    Production,
}

/// Share of each pre-release stage (percent of all problems, before scaling).
const PRE_RELEASE_STAGES: [(Stage, f64); 6] = [
    (Stage::Review, 14.0),
    (Stage::Unit, 28.0),
    (Stage::Integration, 16.0),
    (Stage::System, 14.0),
    (Stage::Uat, 8.0),
    (Stage::Staging, 6.0),
];

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Review => "review",
            Stage::Unit => "unit",
            Stage::Integration => "integration",
            Stage::System => "system",
            Stage::Uat => "uat",
            Stage::Staging => "staging",
            Stage::Production => "production",
        }
    }

    /// A synonym with unusual case or spacing, where the stage has one.
    fn synonym(self) -> Option<&'static str> {
        match self {
            Stage::Production => Some("Prod"),
            Stage::Uat => Some(" UAT "),
            Stage::Staging => Some("Staging"),
            _ => None,
        }
    }
}

/// Type of an escaped problem.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Code,
    Infra,
    Integration,
    Regression,
}

/// Expected typed escaped problems per quarter (2024-Q4 … 2026-Q3) for every
/// 150 problems found: code drops, infra rises, integration holds, regression
/// stays rare. With the untyped ones their sum sets the production share, so
/// the escape rate improves from about 18 % to about 13 %.
const ESCAPES_PER_150: [[f64; 4]; 8] = [
    // code, infra, integration, regression
    [15.0, 2.5, 6.5, 2.0],
    [13.5, 3.0, 6.5, 1.5],
    [12.0, 3.5, 6.5, 2.0],
    [10.0, 4.0, 6.5, 1.5],
    [8.5, 4.5, 6.5, 2.0],
    [6.5, 6.0, 6.5, 1.5],
    [4.5, 7.0, 6.5, 1.5],
    [3.0, 8.5, 6.5, 1.0],
];

/// Share of escaped problems recorded without a type.
const UNTYPED_SHARE: f64 = 0.04;

const KINDS: [Kind; 4] = [Kind::Code, Kind::Infra, Kind::Integration, Kind::Regression];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Code => "code",
            Kind::Infra => "infra",
            Kind::Integration => "integration",
            Kind::Regression => "regression",
        }
    }

    /// Range of total hours spent on one escaped problem of this type.
    fn cost_range(self) -> (f64, f64) {
        match self {
            Kind::Code => (2.0, 12.0),
            Kind::Infra => (4.0, 24.0),
            Kind::Integration => (6.0, 30.0),
            Kind::Regression => (3.0, 16.0),
        }
    }

    /// Share of the hours per role: dev, qa, devops, pm.
    fn role_split(self) -> [f64; 4] {
        match self {
            Kind::Code => [0.65, 0.25, 0.03, 0.07],
            Kind::Infra => [0.2, 0.1, 0.6, 0.1],
            Kind::Integration => [0.5, 0.25, 0.15, 0.1],
            Kind::Regression => [0.45, 0.3, 0.15, 0.1],
        }
    }

    /// Median hours from detection to resolution, and log-normal shape.
    fn time_to_resolve(self) -> (f64, f64) {
        match self {
            Kind::Code => (30.0, 0.9),
            Kind::Infra => (3.0, 0.9),
            Kind::Integration => (72.0, 0.8),
            Kind::Regression => (8.0, 0.8),
        }
    }

    /// Chance that downtime and customer figures were recorded.
    fn impact_recorded(self) -> f64 {
        match self {
            Kind::Code => 0.2,
            Kind::Infra => 0.6,
            Kind::Integration => 0.3,
            Kind::Regression => 0.3,
        }
    }

    fn sources(self) -> &'static [(&'static str, u32)] {
        match self {
            Kind::Code => &[
                ("zendesk", 45),
                ("jira", 40),
                ("monitoring", 10),
                ("pagerduty", 5),
            ],
            Kind::Infra => &[("pagerduty", 50), ("monitoring", 40), ("jira", 10)],
            Kind::Integration => &[
                ("monitoring", 40),
                ("zendesk", 25),
                ("jira", 20),
                ("pagerduty", 15),
            ],
            Kind::Regression => &[
                ("monitoring", 40),
                ("pagerduty", 30),
                ("zendesk", 20),
                ("jira", 10),
            ],
        }
    }

    fn origins(self) -> &'static [(&'static str, u32)] {
        match self {
            Kind::Code => &[
                ("code", 65),
                ("design", 15),
                ("requirements", 15),
                ("data", 5),
            ],
            Kind::Infra => &[("configuration", 60), ("environment", 40)],
            Kind::Integration => &[
                ("data", 35),
                ("design", 25),
                ("configuration", 20),
                ("requirements", 20),
            ],
            Kind::Regression => &[("code", 70), ("configuration", 30)],
        }
    }

    fn mechanisms(self) -> &'static [(&'static str, u32)] {
        match self {
            Kind::Code => &[
                ("no_test", 40),
                ("ineffective_test", 30),
                ("review_missed", 15),
                ("requirement_ambiguity", 10),
                ("flaky_or_skipped", 5),
            ],
            Kind::Infra => &[
                ("environment_mismatch", 60),
                ("no_test", 15),
                ("review_missed", 15),
                ("flaky_or_skipped", 10),
            ],
            Kind::Integration => &[
                ("unrepresentative_data", 45),
                ("environment_mismatch", 20),
                ("no_test", 20),
                ("requirement_ambiguity", 15),
            ],
            Kind::Regression => &[
                ("flaky_or_skipped", 35),
                ("ineffective_test", 35),
                ("no_test", 20),
                ("environment_mismatch", 10),
            ],
        }
    }

    /// Component weights (in `COMPONENTS` order) of escaped problems of this type.
    fn component_weights(self) -> [u32; 9] {
        match self {
            Kind::Code => [22, 10, 14, 8, 10, 6, 6, 8, 16],
            Kind::Infra => [10, 10, 10, 4, 6, 18, 30, 8, 4],
            Kind::Integration => [20, 32, 4, 4, 10, 14, 8, 2, 6],
            Kind::Regression => [20, 6, 15, 6, 6, 6, 15, 6, 20],
        }
    }

    /// What went wrong, as a verb phrase following the subject.
    fn symptoms(self) -> &'static [&'static str] {
        match self {
            Kind::Code => &[
                "rounds VAT twice",
                "shows a stale price",
                "ignores the discount",
                "crashes on an empty list",
                "shows the wrong currency",
                "double-counts items",
                "drops the last item",
                "accepts an expired date",
                "sorts numbers as text",
                "loses state on back navigation",
                "is off by one day at month end",
                "truncates long names",
                "returns 500",
                "shows another user's data",
            ],
            Kind::Infra => &[
                "returns 502 after config change",
                "times out under load",
                "fails after certificate renewal",
                "runs out of disk on the worker",
                "loses connections after failover",
                "is slow after the DNS change",
                "is blocked by a new firewall rule",
                "misses an environment variable in production",
                "exhausts the connection pool",
                "restarts in a crash loop",
            ],
            Kind::Integration => &[
                "is rejected by the payment provider",
                "breaks on the partner's new API version",
                "fails when the webhook arrives twice",
                "gets an unexpected null from the CRM",
                "disagrees with the warehouse stock feed",
                "sends the wrong locale to the tax service",
                "fails when the partner times out",
                "misreads the carrier's date format",
            ],
            Kind::Regression => &[
                "is broken since the last deploy",
                "no longer loads after the release",
                "reverted to old behaviour after the release",
                "lost its feature flag after deploy",
                "fails again after the hotfix",
            ],
        }
    }
}

/// Symptoms of defects caught before release.
const PRE_RELEASE_SYMPTOMS: [&str; 12] = [
    "fails unit test on leap day",
    "breaks layout on narrow screens",
    "misses a validation message",
    "has a typo in the error text",
    "is flaky in CI",
    "throws on null input",
    "shows the wrong currency",
    "ignores the discount",
    "sorts numbers as text",
    "crashes on an empty list",
    "double-submits the form",
    "logs the access token",
];

/// A feature area with its owning team and title fragments.
struct Component {
    name: &'static str,
    team: &'static str,
    subjects: &'static [&'static str],
    contexts: &'static [&'static str],
}

const COMPONENTS: [Component; 9] = [
    Component {
        name: "checkout",
        team: "Atlas",
        subjects: &[
            "Checkout total",
            "Cart page",
            "Promo code field",
            "Shipping estimate",
            "Place order button",
        ],
        contexts: &[
            "for guest users",
            "after currency switch",
            "with more than 50 items",
            "for EU orders",
        ],
    },
    Component {
        name: "payments",
        team: "Atlas",
        subjects: &[
            "Card payment",
            "Refund",
            "Payment webhook",
            "3-D Secure challenge",
            "Invoice PDF",
        ],
        contexts: &[
            "for Amex cards",
            "on partial refunds",
            "in the sandbox account",
            "for recurring orders",
        ],
    },
    Component {
        name: "search",
        team: "Borealis",
        subjects: &[
            "Search",
            "Search suggestion list",
            "Product filter",
            "Search results page",
            "Sort by price",
        ],
        contexts: &[
            "when query has emoji",
            "for queries over 100 characters",
            "on the second page",
            "with the size filter on",
        ],
    },
    Component {
        name: "catalog",
        team: "Borealis",
        subjects: &[
            "Product page",
            "Price import",
            "Stock badge",
            "Category tree",
            "Image carousel",
        ],
        contexts: &[
            "for bundles",
            "after the nightly import",
            "for archived products",
            "in the French locale",
        ],
    },
    Component {
        name: "accounts",
        team: "Cobalt",
        subjects: &[
            "Login",
            "Password reset",
            "Sign-up form",
            "Profile page",
            "2FA prompt",
        ],
        contexts: &[
            "for SSO users",
            "after session expiry",
            "on accounts created before 2020",
            "with a plus sign in the email",
        ],
    },
    Component {
        name: "notifications",
        team: "Delta",
        subjects: &[
            "Order confirmation email",
            "Push notification",
            "SMS sender",
            "Email template",
            "Unsubscribe link",
        ],
        contexts: &[
            "for German customers",
            "during the nightly batch",
            "for orders with gift wrap",
            "on Android 14",
        ],
    },
    Component {
        name: "api-gateway",
        team: "Delta",
        subjects: &[
            "API gateway",
            "Rate limiter",
            "Auth token check",
            "/v2/orders endpoint",
            "Gateway health check",
        ],
        contexts: &[
            "for partner clients",
            "behind the EU load balancer",
            "during deploys",
            "for requests over 1 MB",
        ],
    },
    Component {
        name: "reporting",
        team: "Cobalt",
        subjects: &[
            "Sales report",
            "CSV export",
            "Dashboard chart",
            "Revenue widget",
            "Monthly invoice report",
        ],
        contexts: &[
            "for the last day of the month",
            "with more than 10 000 rows",
            "in the weekly email",
            "across time zones",
        ],
    },
    Component {
        name: "mobile-app",
        team: "Cobalt",
        subjects: &[
            "iOS app",
            "Android app",
            "App start screen",
            "Offline cart",
            "Deep link",
        ],
        contexts: &[
            "on iOS 17",
            "on slow 3G",
            "after the app update",
            "in dark mode",
        ],
    },
];

/// Component weights of pre-release defects (flatter than escapes).
const PRE_RELEASE_COMPONENTS: [u32; 9] = [14, 10, 12, 10, 10, 8, 10, 8, 18];

/// Endings after a comma.
const ASIDES: [&str; 6] = [
    "only in production",
    "intermittently",
    "again",
    "reported by three customers",
    "since Monday",
    "no error logged",
];
/// Endings with double quotes.
const QUOTED: [&str; 4] = [
    "when coupon code is \"SAVE10\"",
    "and shows \"undefined\" instead of the name",
    "for orders with status \"on hold\"",
    "with \"Remember me\" ticked",
];
/// Endings with non-ASCII text.
const UNICODE: [&str; 5] = [
    "for addresses in Zürich",
    "for naïve café names",
    "when the price is in €",
    "— seen on Safari only",
    "for customers named Øyvind",
];
/// Second lines pasted from ticket descriptions.
const SECOND_LINES: [&str; 3] = [
    "Steps: see the attached screenshot",
    "Copied from the customer ticket",
    "Repro: happens every time",
];

/// Severity labels; escaped problems lean more severe.
const ESCAPED_SEVERITY: [(u8, u32); 5] = [(0, 6), (1, 22), (2, 40), (3, 24), (4, 8)];
const PRE_RELEASE_SEVERITY: [(u8, u32); 5] = [(0, 1), (1, 10), (2, 38), (3, 36), (4, 15)];
const SEVERITY_CODES: [&str; 5] = ["P0", "P1", "P2", "P3", "P4"];
/// Word forms of P0..P3 used by some reporters.
const SEVERITY_WORDS: [&str; 4] = ["critical", "High", "minor", "low"];

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

/// A point in time in minutes since 1970-01-01T00:00Z.
type Minute = i64;

/// One generated problem, ready to be written.
struct Row<'a> {
    id: u64,
    title: &'a str,
    kind: &'static str,
    to_verify: &'static str,
    found_stage: &'static str,
    origin_stage: &'static str,
    severity: &'static str,
    release: Option<(i64, i64)>,
    component: &'static str,
    team: &'static str,
    source: &'static str,
    detected_at: Minute,
    date_only: bool,
    introduced_at: Option<Minute>,
    resolved_at: Option<Minute>,
    /// Hours in tenths, so that they print with exactly one decimal.
    cost_tenths: Option<u32>,
    role_tenths: [Option<u32>; 4],
    downtime_minutes: Option<u32>,
    customers_affected: Option<u32>,
    escape_mechanism: &'static str,
    reopened: bool,
}

/// Streams generated rows.
struct Generator {
    rng: Rng,
    stage_seq: Weyl,
    kind_quota: Quota<5>,
    /// Picks the rows (one in 200) whose title runs over two lines.
    multiline_seq: Weyl,
    calendar: Calendar,
    rows: u64,
    export_at: Minute,
    title: String,
}

impl Generator {
    fn new(rows: u64, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let stage_seq = Weyl {
            state: rng.next_u64(),
            step: Weyl::PHI,
        };
        let multiline_seq = Weyl {
            state: rng.next_u64(),
            step: Weyl::SQRT3,
        };
        let export_day = days_from_civil(EXPORT_AT_DAY.0, EXPORT_AT_DAY.1, EXPORT_AT_DAY.2);
        Self {
            rng,
            stage_seq,
            kind_quota: Quota::new(),
            multiline_seq,
            calendar: Calendar::new(),
            rows,
            export_at: export_day * DAY + 7 * 60,
            title: String::with_capacity(160),
        }
    }

    /// Writes the header and every row.
    fn write_all<W: Write>(&mut self, out: &mut W) -> io::Result<()> {
        writeln!(out, "{HEADER}")?;
        for i in 0..self.rows {
            self.write_row(i, out)?;
        }
        Ok(())
    }

    /// Day of row `i`: rows are spread evenly over the calendar in id order;
    /// the first row falls on the first day and the last on the last, so the
    /// final quarter is complete.
    fn day_of(&mut self, i: u64) -> i64 {
        let jitter = if i == 0 {
            0.0
        } else if i + 1 == self.rows {
            1.0 - 1e-9
        } else {
            self.rng.f64()
        };
        self.calendar.day_at((i as f64 + jitter) / self.rows as f64)
    }

    /// Found stage of the next row; the production share follows the quarter.
    fn stage(&mut self, quarter: usize) -> Stage {
        let typed: f64 = ESCAPES_PER_150[quarter].iter().sum();
        let production = typed / (1.0 - UNTYPED_SHARE) / 150.0;
        let u = self.stage_seq.next();
        if u < production {
            return Stage::Production;
        }
        let mut v = (u - production) / (1.0 - production) * 86.0;
        for (stage, share) in PRE_RELEASE_STAGES {
            if v < share {
                return stage;
            }
            v -= share;
        }
        Stage::Staging
    }

    /// Type of the next escaped problem following the quarter's mix, and
    /// whether it was recorded without one (it still shapes the other fields).
    fn kind(&mut self, quarter: usize) -> (Kind, bool) {
        let mix = ESCAPES_PER_150[quarter];
        let typed: f64 = mix.iter().sum();
        let untyped = typed * UNTYPED_SHARE / (1.0 - UNTYPED_SHARE);
        let [code, infra, integration, regression] = mix;
        let weights = [code, infra, integration, regression, untyped];
        match KINDS.get(self.kind_quota.next(quarter, weights)) {
            Some(&kind) => (kind, false),
            None => (
                kind_at(mix, self.rng.f64() * typed).unwrap_or(Kind::Code),
                true,
            ),
        }
    }

    /// Generates row `i` and writes it.
    fn write_row<W: Write>(&mut self, i: u64, out: &mut W) -> io::Result<()> {
        let day = self.day_of(i);
        let quarter = Calendar::quarter(day);
        let stage = self.stage(quarter);
        let escaped = stage == Stage::Production;
        let (kind, untyped) = if escaped {
            let (kind, untyped) = self.kind(quarter);
            (Some(kind), untyped)
        } else {
            (None, false)
        };
        let multiline = self.multiline_seq.next() < 0.005;
        let rng = &mut self.rng;

        let detected_at = day * DAY + minute_of_day(rng, escaped);
        let date_only = rng.chance(0.03);
        let found_stage = match stage.synonym() {
            Some(synonym) if rng.chance(0.07) => synonym,
            _ => stage.name(),
        };

        let (kind_label, to_verify) = match kind {
            Some(kind) => {
                let label = if untyped {
                    ""
                } else {
                    match kind {
                        Kind::Code if rng.chance(0.12) => "bug",
                        Kind::Infra if rng.chance(0.15) => "Configuration",
                        _ => kind.name(),
                    }
                };
                (label, if rng.chance(0.08) { "true" } else { "false" })
            }
            // Pre-release defects are mostly code defects.
            None => {
                let label =
                    rng.weighted(&[("code", 85), ("", 10), ("integration", 3), ("infra", 2)]);
                (label, "")
            }
        };

        let weights = kind.map_or(PRE_RELEASE_COMPONENTS, Kind::component_weights);
        let component = &COMPONENTS[rng.weighted(&indexed(weights))];

        let source = match (kind, stage) {
            (Some(kind), _) => rng.weighted(kind.sources()),
            (None, Stage::Review) => rng.weighted(&[("github", 80), ("jira", 15), ("manual", 5)]),
            (None, _) => rng.weighted(&[("jira", 60), ("github", 30), ("manual", 10)]),
        };

        let origin_stage = if rng.chance(0.5) {
            match kind {
                Some(kind) => rng.weighted(kind.origins()),
                None => rng.weighted(&[("code", 70), ("requirements", 15), ("design", 15)]),
            }
        } else {
            ""
        };

        // Escapes belong to a release already shipped when the problem was
        // reported (regressions to the latest one); pre-release defects to the
        // release in development. A date-only report reads as midnight.
        let reported_at = if date_only { day * DAY } else { detected_at };
        let latest = Releases::latest_before(reported_at);
        let release_index = match kind {
            Some(Kind::Regression) => latest,
            Some(_) => latest - rng.weighted(&[(0, 65), (1, 25), (2, 10)]),
            None => latest + 1,
        };
        let release_missing = if escaped { 0.05 } else { 0.03 };
        let release = (!rng.chance(release_missing)).then(|| Releases::name(release_index));

        // Code and integration problems were merged before their release
        // shipped; infra changes and regressions hit hours before detection.
        let introduced_at = match kind {
            Some(kind) if !date_only && rng.chance(0.42) => Some(match kind {
                Kind::Code | Kind::Integration => {
                    let lead = rng.uniform(6.0 * 60.0, 10.0 * DAY as f64) as i64;
                    (Releases::shipped_at(release_index) - lead).min(detected_at - 60)
                }
                Kind::Infra => detected_at - minutes(rng.lognormal(6.0, 1.0)),
                Kind::Regression => detected_at - minutes(rng.lognormal(4.0, 0.9)),
            }),
            _ => None,
        };

        let (severity, level) = pick_severity(rng, escaped);
        let severity_factor = match level {
            0 => 1.5,
            1 => 1.2,
            _ => 1.0,
        };

        // Severe problems are fixed faster; nothing resolves after the export.
        let (median, sigma) = kind.map_or((20.0, 1.2), Kind::time_to_resolve);
        let resolved = detected_at + minutes(rng.lognormal(median / severity_factor, sigma));
        let resolved_at = (resolved <= self.export_at && !rng.chance(0.08)).then_some(resolved);

        let mut cost_tenths = None;
        let mut role_tenths = [None; 4];
        let mut downtime_minutes = None;
        let mut customers_affected = None;
        let mut escape_mechanism = "";
        if let Some(kind) = kind {
            // About one escape in 30 is a major incident.
            let impact = severity_factor * if rng.chance(0.035) { 3.0 } else { 1.0 };
            let roll = rng.f64();
            if roll < 0.55 {
                cost_tenths = Some(hours_tenths(rng, kind.cost_range(), impact));
            } else if roll < 0.75 {
                let total = hours_tenths(rng, kind.cost_range(), impact);
                role_tenths = role_hours(rng, kind, total);
            }
            if rng.chance(kind.impact_recorded()) {
                let downtime = match kind {
                    Kind::Infra => rng.lognormal(45.0, 0.9),
                    _ if rng.chance(0.6) => 0.0,
                    _ => rng.lognormal(15.0, 0.9),
                };
                downtime_minutes = Some((downtime * impact).round() as u32);
                let customers = rng.lognormal(120.0, 1.3) * impact;
                customers_affected = Some(customers.round().max(1.0) as u32);
            }
            if rng.chance(0.7) {
                escape_mechanism = rng.weighted(kind.mechanisms());
            }
        } else if rng.chance(0.04) {
            cost_tenths = Some(5 + rng.below(36) as u32);
        }
        let reopened = rng.chance(0.04);

        let symptoms = kind.map_or(&PRE_RELEASE_SYMPTOMS[..], Kind::symptoms);
        make_title(rng, &mut self.title, component, symptoms, multiline);

        Row {
            id: 1001 + i,
            title: &self.title,
            kind: kind_label,
            to_verify,
            found_stage,
            origin_stage,
            severity,
            release,
            component: component.name,
            team: component.team,
            source,
            detected_at,
            date_only,
            introduced_at,
            resolved_at,
            cost_tenths,
            role_tenths,
            downtime_minutes,
            customers_affected,
            escape_mechanism,
            reopened,
        }
        .write(out)
    }
}

/// The type whose slice of `mix` holds `v`, if any.
fn kind_at(mix: [f64; 4], mut v: f64) -> Option<Kind> {
    for (kind, count) in KINDS.into_iter().zip(mix) {
        if v < count {
            return Some(kind);
        }
        v -= count;
    }
    None
}

/// Whole minutes in `hours`, at least ten.
fn minutes(hours: f64) -> i64 {
    ((hours * 60.0) as i64).max(10)
}

/// Minute of the day: business hours mostly, around the clock for incidents.
fn minute_of_day(rng: &mut Rng, escaped: bool) -> i64 {
    let around_the_clock = if escaped { 0.6 } else { 0.15 };
    if rng.chance(around_the_clock) {
        rng.below(1440) as i64
    } else {
        7 * 60 + rng.below(11 * 60) as i64
    }
}

/// Severity label (mostly `P0..P4`, some words, some empty) and its level.
fn pick_severity(rng: &mut Rng, escaped: bool) -> (&'static str, u8) {
    let table = if escaped {
        &ESCAPED_SEVERITY
    } else {
        &PRE_RELEASE_SEVERITY
    };
    let level = rng.weighted(table);
    let roll = rng.f64();
    let label = if roll < 0.03 {
        ""
    } else if roll < 0.08 && usize::from(level) < SEVERITY_WORDS.len() {
        SEVERITY_WORDS[usize::from(level)]
    } else {
        SEVERITY_CODES[usize::from(level)]
    };
    (label, level)
}

/// Total hours between `lo` and `hi` (skewed low) times `factor`, in tenths.
fn hours_tenths(rng: &mut Rng, (lo, hi): (f64, f64), factor: f64) -> u32 {
    let hours = (lo + (hi - lo) * rng.f64().powf(1.8)) * factor;
    (hours * 10.0).round().max(1.0) as u32
}

/// Splits a total over dev, qa, devops and pm hours, leaving some roles empty.
fn role_hours(rng: &mut Rng, kind: Kind, total: u32) -> [Option<u32>; 4] {
    let mut roles = [None; 4];
    for (slot, share) in roles.iter_mut().zip(kind.role_split()) {
        let tenths = (f64::from(total) * share * rng.uniform(0.7, 1.3)).round();
        if tenths >= 5.0 && !rng.chance(0.15) {
            *slot = Some(tenths as u32);
        }
    }
    if roles.iter().all(Option::is_none) {
        roles[0] = Some(total);
    }
    roles
}

/// Builds a short defect title into `title` from the component's fragments;
/// a `multiline` one gets a second line pasted from the ticket.
fn make_title(
    rng: &mut Rng,
    title: &mut String,
    component: &Component,
    symptoms: &[&str],
    multiline: bool,
) {
    title.clear();
    title.push_str(rng.pick(component.subjects));
    title.push(' ');
    title.push_str(rng.pick(symptoms));
    let roll = rng.f64();
    let ending = if roll < 0.015 {
        Some(rng.pick(&QUOTED))
    } else if roll < 0.045 {
        Some(rng.pick(&UNICODE))
    } else if roll < 0.45 {
        Some(rng.pick(component.contexts))
    } else {
        None
    };
    if let Some(ending) = ending {
        title.push(' ');
        title.push_str(ending);
    }
    if rng.chance(0.1) {
        title.push_str(", ");
        title.push_str(rng.pick(&ASIDES));
    }
    if multiline {
        title.push('\n');
        title.push_str(rng.pick(&SECOND_LINES));
    }
}

/// Pairs each weight with its index, for `Rng::weighted`.
fn indexed<const N: usize>(weights: [u32; N]) -> [(usize, u32); N] {
    let mut pairs = [(0, 0); N];
    for (i, (pair, w)) in pairs.iter_mut().zip(weights).enumerate() {
        *pair = (i, w);
    }
    pairs
}

impl Row<'_> {
    /// Writes the row as one CSV record.
    fn write<W: Write>(&self, out: &mut W) -> io::Result<()> {
        write!(out, "PRJ-{},", self.id)?;
        write_field(out, self.title)?;
        write!(
            out,
            ",{},{},{},{},{},",
            self.kind, self.to_verify, self.found_stage, self.origin_stage, self.severity
        )?;
        if let Some((year, seq)) = self.release {
            write!(out, "{year}.{seq:02}")?;
        }
        write!(out, ",{},{},{},", self.component, self.team, self.source)?;
        if self.date_only {
            write_date(out, self.detected_at)?;
        } else {
            write_timestamp(out, Some(self.detected_at))?;
        }
        out.write_all(b",")?;
        write_timestamp(out, self.introduced_at)?;
        out.write_all(b",")?;
        write_timestamp(out, self.resolved_at)?;
        out.write_all(b",")?;
        write_tenths(out, self.cost_tenths)?;
        for role in self.role_tenths {
            out.write_all(b",")?;
            write_tenths(out, role)?;
        }
        out.write_all(b",")?;
        write_count(out, self.downtime_minutes)?;
        out.write_all(b",")?;
        write_count(out, self.customers_affected)?;
        writeln!(out, ",{},{}", self.escape_mechanism, self.reopened)
    }
}

/// Writes a text field, quoted (RFC 4180) when it holds a comma, quote or line break.
fn write_field<W: Write>(out: &mut W, text: &str) -> io::Result<()> {
    if !text.contains([',', '"', '\n', '\r']) {
        return out.write_all(text.as_bytes());
    }
    out.write_all(b"\"")?;
    for (i, part) in text.split('"').enumerate() {
        if i > 0 {
            out.write_all(b"\"\"")?;
        }
        out.write_all(part.as_bytes())?;
    }
    out.write_all(b"\"")
}

/// Writes `YYYY-MM-DD`.
fn write_date<W: Write>(out: &mut W, at: Minute) -> io::Result<()> {
    let (y, m, d) = civil_from_days(at.div_euclid(DAY));
    write!(out, "{y:04}-{m:02}-{d:02}")
}

/// Writes an RFC 3339 UTC timestamp, or nothing.
fn write_timestamp<W: Write>(out: &mut W, at: Option<Minute>) -> io::Result<()> {
    let Some(at) = at else { return Ok(()) };
    write_date(out, at)?;
    let minute = at.rem_euclid(DAY);
    write!(out, "T{:02}:{:02}:00Z", minute / 60, minute % 60)
}

/// Writes hours with one decimal, or nothing.
fn write_tenths<W: Write>(out: &mut W, tenths: Option<u32>) -> io::Result<()> {
    match tenths {
        Some(t) => write!(out, "{}.{}", t / 10, t % 10),
        None => Ok(()),
    }
}

/// Writes an integer, or nothing.
fn write_count<W: Write>(out: &mut W, count: Option<u32>) -> io::Result<()> {
    match count {
        Some(n) => write!(out, "{n}"),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

const USAGE: &str = "\
Generates sample problem records for escape-report.

Usage:
  generate [--rows N] [--seed S] [--out PATH]   N rows (default 1200, seed 42)
  generate --bad [--out PATH]                   the bad-rows file for `check`

Output goes to stdout unless --out is given.";

/// Parsed command-line options.
struct Options {
    rows: u64,
    seed: u64,
    bad: bool,
    out: Option<String>,
}

fn parse_args() -> Result<Option<Options>, String> {
    let mut options = Options {
        rows: 1200,
        seed: 42,
        bad: false,
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--rows" => {
                let v = value("--rows")?;
                options.rows = v
                    .parse()
                    .map_err(|_| format!("--rows: `{v}` is not a row count"))?;
            }
            "--seed" => {
                let v = value("--seed")?;
                options.seed = v
                    .parse()
                    .map_err(|_| format!("--seed: `{v}` is not an unsigned integer"))?;
            }
            "--out" | "-o" => options.out = Some(value("--out")?),
            "--bad" => options.bad = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Some(options))
}

fn run(options: &Options) -> io::Result<()> {
    let out: Box<dyn Write> = match &options.out {
        Some(path) if path != "-" => Box::new(
            File::create(path).map_err(|e| io::Error::new(e.kind(), format!("{path}: {e}")))?,
        ),
        _ => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, out);
    if options.bad {
        out.write_all(BAD_ROWS.as_bytes())?;
    } else {
        Generator::new(options.rows, options.seed).write_all(&mut out)?;
    }
    out.flush()
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("generate: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("generate: {e}");
            ExitCode::from(2)
        }
    }
}
