//! The set of ids seen (`ids::IdSet`), with small limits so that every way of keeping
//! ids is reached: the exact table, numbered ids as bits (closing, spilling, giving up)
//! and fingerprints. The first three bytes choose the exact limit, how many prefixes
//! and pages the numbers make before they may close, and where the ids are cut in two;
//! the rest is ids, one per line. Inserting must say "new" exactly when a plain set of
//! strings did not hold the id; the two parts, filled apart, must merge exactly when
//! they share no id, and then answer as one set.
#![no_main]

use std::collections::HashSet;

use escape_report::ids::{IdSet, Seen};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [limit, free, cut, rest @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let ids: Vec<&str> = text.split('\n').collect();
    let cut = usize::from(*cut).min(ids.len());
    let (limit, free) = (usize::from(*limit % 64), usize::from(*free % 32));
    let fill = |set: &mut IdSet, plain: &mut HashSet<String>, ids: &[&str]| {
        for (line, id) in ids.iter().enumerate() {
            let new = set.insert(id, (0, line as u64 + 1)) == Seen::New;
            assert_eq!(new, plain.insert(id.to_string()), "{id:?}");
        }
        assert_eq!(set.len(), plain.len());
    };
    let (mut a, mut b) = (
        IdSet::with_free_entries(limit, free),
        IdSet::with_free_entries(limit, free),
    );
    let (mut plain_a, mut plain_b) = (HashSet::new(), HashSet::new());
    fill(&mut a, &mut plain_a, &ids[..cut]);
    fill(&mut b, &mut plain_b, &ids[cut..]);
    let disjoint = plain_a.is_disjoint(&plain_b);
    assert_eq!(
        a.merge(b, cut as u64),
        disjoint,
        "merge of parts that share no id"
    );
    if disjoint {
        plain_a.extend(plain_b);
    }
    let again: Vec<&str> = ids.iter().rev().copied().collect();
    fill(&mut a, &mut plain_a, &again);
});
