//! The words reports use for types, mechanisms and their remedies.

use crate::model::{Mechanism, ProblemType};
use crate::text::join_list;

/// The noun for a type in sentences: "code defect", "infrastructure problem", …
pub fn noun(t: ProblemType, n: u64) -> &'static str {
    let one = n == 1;
    match t {
        ProblemType::Code => {
            if one {
                "code defect"
            } else {
                "code defects"
            }
        }
        ProblemType::Infra => {
            if one {
                "infrastructure problem"
            } else {
                "infrastructure problems"
            }
        }
        ProblemType::Integration => {
            if one {
                "integration failure"
            } else {
                "integration failures"
            }
        }
        ProblemType::Regression => {
            if one {
                "post-deployment regression"
            } else {
                "post-deployment regressions"
            }
        }
        ProblemType::Unclassified => {
            if one {
                "unclassified problem"
            } else {
                "unclassified problems"
            }
        }
    }
}

/// `3 code defects`, `1 infrastructure problem`.
pub fn counted(t: ProblemType, n: u64) -> String {
    format!("{} {}", crate::text::int(n), noun(t, n))
}

/// The short label of a type for table cells and legends.
pub fn label(t: ProblemType) -> &'static str {
    match t {
        ProblemType::Code => "Code defects",
        ProblemType::Infra => "Infrastructure",
        ProblemType::Integration => "Integration",
        ProblemType::Regression => "Post-deployment regressions",
        ProblemType::Unclassified => "Unclassified",
    }
}

/// The shortest label of a type, for narrow table columns.
pub fn short_label(t: ProblemType) -> &'static str {
    match t {
        ProblemType::Code => "Code",
        ProblemType::Infra => "Infra",
        ProblemType::Integration => "Integr.",
        ProblemType::Regression => "Regr.",
        ProblemType::Unclassified => "Unclass.",
    }
}

/// The label of one problem's type, for lists of problems.
pub fn label_one(t: ProblemType) -> &'static str {
    match t {
        ProblemType::Code => "Code defect",
        ProblemType::Infra => "Infrastructure",
        ProblemType::Integration => "Integration",
        ProblemType::Regression => "Regression",
        ProblemType::Unclassified => "Unclassified",
    }
}

/// The most characters of one piece of data text (a title, an id, a component) that a
/// report shows. Jira summaries and GitHub titles stop at 255 characters, so real ones
/// are shown whole.
pub const SHOWN_TEXT: usize = 256;

/// Data text as reports show it: whole up to [`SHOWN_TEXT`] characters; longer (a
/// description pasted into the title, a 50 MB cell) cut at a space near the limit and
/// ended with "…", so that one runaway field cannot make a report of megabytes that
/// takes a minute to lay out.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    let Some((limit, _)) = text.char_indices().nth(SHOWN_TEXT) else {
        return std::borrow::Cow::Borrowed(text);
    };
    let kept = &text[..limit];
    // A space in the last eighth of what is kept makes a cleaner cut than mid-word.
    let floor = kept
        .char_indices()
        .nth(SHOWN_TEXT - SHOWN_TEXT / 8)
        .map_or(0, |(i, _)| i);
    let kept = match kept[floor..].rfind(char::is_whitespace) {
        Some(at) => &kept[..floor + at],
        None => kept,
    };
    std::borrow::Cow::Owned(format!("{}…", kept.trim_end()))
}

/// Capitalises the first letter of a sentence fragment.
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What to do about escapes of a type (SPEC 5).
pub fn remedy(t: ProblemType) -> &'static str {
    match t {
        ProblemType::Code => "raise test coverage where the defects escaped and make tests part of the definition of done",
        ProblemType::Infra => "bring test environments to parity with production and test infrastructure-as-code changes before they ship",
        ProblemType::Integration => "add contract tests between services and test with production-like data",
        ProblemType::Regression => "run smoke tests right after each deployment and release through canaries",
        ProblemType::Unclassified => "classify the unclassified problems so the next report can say what to fix",
    }
}

/// The same remedy in plain words for executives.
pub fn remedy_plain(t: ProblemType) -> &'static str {
    match t {
        ProblemType::Code => "more automated tests on the code that changes most, and no feature counted as done without them",
        ProblemType::Infra => "make test environments match production, and test infrastructure changes like code",
        ProblemType::Integration => "check the agreements between our systems and partners automatically, with realistic data",
        ProblemType::Regression => "check every release right after it goes live, first on a small share of users",
        ProblemType::Unclassified => "record what kind of problem each one is, so the next report can say what to fix",
    }
}

/// A mechanism as words: `no_test` → "no test".
pub fn mechanism_words(m: Mechanism) -> &'static str {
    match m {
        Mechanism::NoTest => "no test",
        Mechanism::IneffectiveTest => "an ineffective test",
        Mechanism::UnrepresentativeData => "unrepresentative test data",
        Mechanism::EnvironmentMismatch => "an environment mismatch",
        Mechanism::RequirementAmbiguity => "an ambiguous requirement",
        Mechanism::ReviewMissed => "a miss in review",
        Mechanism::FlakyOrSkipped => "a flaky or skipped test",
    }
}

/// A mechanism as a table label.
pub fn mechanism_label(m: Mechanism) -> &'static str {
    match m {
        Mechanism::NoTest => "No test",
        Mechanism::IneffectiveTest => "Ineffective test",
        Mechanism::UnrepresentativeData => "Unrepresentative data",
        Mechanism::EnvironmentMismatch => "Environment mismatch",
        Mechanism::RequirementAmbiguity => "Requirement ambiguity",
        Mechanism::ReviewMissed => "Review missed",
        Mechanism::FlakyOrSkipped => "Flaky or skipped test",
    }
}

/// What to do about a mechanism.
pub fn mechanism_remedy(m: Mechanism) -> &'static str {
    match m {
        Mechanism::NoTest => "write tests for the paths that had none",
        Mechanism::IneffectiveTest => {
            "review the tests that ran but missed the problem: weak assertions, wrong cases"
        }
        Mechanism::UnrepresentativeData => {
            "test with production-like data: anonymised samples and known edge cases"
        }
        Mechanism::EnvironmentMismatch => {
            "close the differences between test and production environments"
        }
        Mechanism::RequirementAmbiguity => {
            "agree acceptance criteria with examples before building"
        }
        Mechanism::ReviewMissed => {
            "give reviewers a checklist for the areas where problems escaped"
        }
        Mechanism::FlakyOrSkipped => "fix or quarantine flaky tests and stop skipping failing ones",
    }
}

/// "2 code defects and 1 infrastructure problem" from per-type counts, largest first.
pub fn type_breakdown(counts: &[(ProblemType, u64)]) -> String {
    let mut items: Vec<(ProblemType, u64)> =
        counts.iter().copied().filter(|(_, n)| *n > 0).collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let parts: Vec<String> = items.iter().map(|(t, n)| counted(*t, *n)).collect();
    join_list(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakdown_uses_plurals_and_and() {
        let counts = [
            (ProblemType::Code, 2),
            (ProblemType::Infra, 1),
            (ProblemType::Integration, 0),
        ];
        assert_eq!(
            type_breakdown(&counts),
            "2 code defects and 1 infrastructure problem"
        );
        let counts = [
            (ProblemType::Regression, 1),
            (ProblemType::Code, 1),
            (ProblemType::Integration, 3),
        ];
        assert_eq!(
            type_breakdown(&counts),
            "3 integration failures, 1 code defect and 1 post-deployment regression"
        );
        assert_eq!(capitalise("code defects"), "Code defects");
    }
}
