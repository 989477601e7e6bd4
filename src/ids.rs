//! The set of problem ids seen, for counting each problem once. Exact (with where each id
//! was first seen) up to [`EXACT_LIMIT`] ids; beyond that it keeps ids of a prefix and a
//! number (`PRJ-1001`) as bits ([`numbers`]), still exact, and other ids as 64-bit
//! fingerprints, so that ten million of those fit in about 120 MB. Two different ids
//! share a fingerprint with a chance of about 1 in 10^19 per pair (for 10 million ids:
//! about 3 in a million runs would count one problem as a duplicate).

mod numbers;

use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;

use numbers::Numbers;

/// Ids kept exactly, with their first location, before switching to fingerprints: enough
/// for any export a person fixes by hand, small enough to stay in cache.
pub const EXACT_LIMIT: usize = 1 << 17;

/// Bytes kept per exact id when making room ahead: most ids are short keys like `ABC-1234`.
const ID_BYTES: usize = 12;

/// Where an id was first seen: file index and line.
pub type FirstSeen = (u32, u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// First time: now recorded.
    New,
    /// Seen before, at this file and line when known.
    Again(Option<FirstSeen>),
}

#[derive(Debug)]
pub struct IdSet {
    exact: Option<Tables>,
    exact_limit: usize,
    /// How many inserts are expected in all, when the input's size is known (0 when
    /// not): when the set switches to fingerprints, room for the distinct ids this
    /// promises is made at once, rather than by growing.
    expected: u64,
    /// Inserts so far.
    inserts: u64,
    /// Fingerprints, in one layer or, after halves of a file were read apart, two: a
    /// merge that copied one into the other would need room for both at once. Past the
    /// exact table, they hold the ids `numbers` does not.
    layers: Vec<Fingerprints>,
    /// Past the exact table, the ids of a prefix and a number.
    numbers: Numbers,
}

/// Ids kept whole, end to end in one string, found by their fingerprint: a lookup
/// compares 64-bit numbers in the table and reads the text only on a match.
#[derive(Debug, Default)]
struct Exact {
    /// Fingerprint → where the id is in `text`, and where it was first seen.
    map: FxHashMap<u64, (usize, usize, FirstSeen)>,
    text: String,
    /// Ids whose fingerprint an earlier, different id already has (1 in 10^19 a pair).
    collided: Vec<(Box<str>, FirstSeen)>,
    /// Added to the lines it gives out: a table filled from a later part of a file, whose
    /// lines were counted from that part's start.
    line_offset: u64,
}

impl Exact {
    fn len(&self) -> usize {
        self.map.len() + self.collided.len()
    }

    fn get(&self, print: u64, id: &str) -> Option<FirstSeen> {
        let at = match self.map.get(&print) {
            Some(&(start, end, at)) if &self.text[start..end] == id => Some(at),
            Some(_) => self
                .collided
                .iter()
                .find(|(other, _)| &**other == id)
                .map(|(_, at)| *at),
            None => None,
        };
        at.map(|(file, line)| (file, line + self.line_offset))
    }

    /// Adds an id that [`Exact::get`] did not find (to a table without a line offset).
    fn add(&mut self, print: u64, id: &str, at: FirstSeen) {
        if self.map.contains_key(&print) {
            self.collided.push((id.into(), at));
            return;
        }
        let start = self.text.len();
        self.text.push_str(id);
        self.map.insert(print, (start, self.text.len(), at));
    }

    /// Makes room for `more` ids.
    fn reserve(&mut self, more: usize) {
        self.map.reserve(more);
        self.text.reserve(more.saturating_mul(ID_BYTES));
    }

    /// Every id with its fingerprint and first location.
    fn ids(&self) -> impl Iterator<Item = (&str, u64, FirstSeen)> {
        let kept = self
            .map
            .iter()
            .map(|(&print, &(start, end, at))| (&self.text[start..end], print, at));
        let collided = self
            .collided
            .iter()
            .map(|(id, at)| (&**id, fingerprint(id), *at));
        kept.chain(collided)
            .map(|(id, print, (file, line))| (id, print, (file, line + self.line_offset)))
    }
}

/// The exact ids: one table, or after halves of a file were read apart, the first
/// half's table and the later ones side by side (joining them into one would build a
/// table for both, on one thread, after the reading). New ids go into the first.
#[derive(Debug)]
struct Tables(Vec<Exact>);

impl Default for Tables {
    fn default() -> Self {
        Tables(vec![Exact::default()])
    }
}

impl Tables {
    fn len(&self) -> usize {
        self.0.iter().map(Exact::len).sum()
    }

    fn get(&self, print: u64, id: &str) -> Option<FirstSeen> {
        self.0.iter().find_map(|table| table.get(print, id))
    }

    fn add(&mut self, print: u64, id: &str, at: FirstSeen) {
        self.first().add(print, id, at);
    }

    fn ids(&self) -> impl Iterator<Item = (&str, u64, FirstSeen)> {
        self.0.iter().flat_map(Exact::ids)
    }

    /// The table new ids go into (there is always one: tables are added, never removed).
    fn first(&mut self) -> &mut Exact {
        &mut self.0[0]
    }

    /// Keeps at most two tables (a lookup reads each): the ones past the second, from a
    /// third part or file, are added into the first.
    fn fold(&mut self) {
        if self.0.len() <= 2 {
            return;
        }
        for table in self.0.split_off(2) {
            for (id, print, at) in table.ids() {
                self.add(print, id, at);
            }
        }
    }
}

impl Default for IdSet {
    fn default() -> Self {
        IdSet::with_exact_limit(EXACT_LIMIT)
    }
}

fn fingerprint(id: &str) -> u64 {
    // rustc-hash's string hash (fixed, the same on every machine), then the splitmix64
    // finaliser so every bit, including the segment-choosing top byte, is well mixed.
    let mut h = rustc_hash::FxHasher::default();
    id.hash(&mut h);
    let mut z = h.finish();
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    // 0 marks an empty slot.
    z.max(1)
}

impl IdSet {
    /// A set that keeps `limit` ids exactly before switching to fingerprints.
    pub fn with_exact_limit(limit: usize) -> IdSet {
        IdSet {
            exact: Some(Tables::default()),
            exact_limit: limit,
            expected: 0,
            inserts: 0,
            layers: vec![Fingerprints::default()],
            numbers: Numbers::default(),
        }
    }

    /// A set whose numbers close after `free` prefixes and pages (rather than thousands),
    /// for tests and fuzzing of what happens then.
    #[doc(hidden)]
    pub fn with_free_entries(limit: usize, free: usize) -> IdSet {
        IdSet {
            numbers: Numbers::with_free_entries(free),
            ..IdSet::with_exact_limit(limit)
        }
    }

    /// Says about how many more ids (rows) are to come, from the input's size.
    pub fn expect_more(&mut self, rows: u64) {
        self.expected = self.inserts.saturating_add(rows);
        // The exact table gets room for the ids promised (up to its limit) now rather
        // than by doubling: the rows may repeat ids, but only a few times in any export.
        if let Some(exact) = &mut self.exact {
            let promised = self.expected.min(self.exact_limit as u64) as usize;
            let more = promised.saturating_sub(exact.len());
            exact.first().reserve(more);
        }
    }

    /// Room for the distinct ids expected in all when the set switches to fingerprints
    /// with `distinct` ids: as many as the rows still expected would bring at the rate
    /// of new ids seen so far, at most 64 times those already seen. An estimate too low
    /// costs growth as before; one too high costs no more memory than the same file
    /// with every id distinct would need.
    fn room(expected: u64, inserts: u64, distinct: usize) -> usize {
        let rate = distinct as f64 / inserts.max(1) as f64;
        let estimate = (expected as f64 * rate.min(1.0)) as usize;
        estimate.clamp(distinct, distinct.saturating_mul(64))
    }

    /// How many ids [`IdSet::insert`] keeps exactly before switching to fingerprints.
    pub fn exact_limit(&self) -> usize {
        self.exact_limit
    }

    /// How many distinct ids the set holds.
    pub fn len(&self) -> usize {
        match &self.exact {
            Some(exact) => exact.len(),
            None => self.layers.iter().map(Fingerprints::len).sum::<usize>() + self.numbers.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds the ids of `other` (a set with the same limit, filled from later lines of the
    /// input), their lines shifted by `line_offset`, and returns true; or returns false,
    /// changing nothing, when an id is in both. Once the two hold more than the limit
    /// the merged set leaves its exact table, as one set fed all the ids would.
    pub fn merge(&mut self, mut other: IdSet, line_offset: u64) -> bool {
        let shared = match (&self.exact, &other.exact) {
            (Some(mine), Some(theirs)) => theirs
                .ids()
                .any(|(id, print, _)| mine.get(print, id).is_some()),
            (None, Some(theirs)) => theirs
                .ids()
                .any(|(id, print, _)| self.holds_past_exact(id, print)),
            (Some(mine), None) => mine
                .ids()
                .any(|(id, print, _)| other.holds_past_exact(id, print)),
            (None, None) => self.shares_past_exact(&other),
        };
        if shared {
            return false;
        }
        match other.exact.take() {
            Some(theirs) => {
                let room = self.exact_limit.saturating_sub(self.len());
                match &mut self.exact {
                    // Both fit: their tables are kept beside these, lines shifted.
                    Some(mine) if theirs.len() <= room => {
                        self.inserts += theirs.len() as u64;
                        for mut table in theirs.0 {
                            table.line_offset += line_offset;
                            mine.0.push(table);
                        }
                        mine.fold();
                    }
                    // Added one by one, the ids beyond the limit make the set leave its
                    // exact table. Room is made once, and an id is added to the table
                    // without being looked up again (none of theirs is in this set,
                    // checked above, and theirs holds each once).
                    _ => {
                        if let Some(mine) = &mut self.exact {
                            mine.first().reserve(room.min(theirs.len()));
                        }
                        for (id, print, (file, line)) in theirs.ids() {
                            let at = (file, line + line_offset);
                            match &mut self.exact {
                                Some(mine) if mine.len() < self.exact_limit => {
                                    self.inserts += 1;
                                    mine.add(print, id, at);
                                }
                                _ => {
                                    self.insert_print(print, id, at);
                                }
                            }
                        }
                    }
                }
            }
            None => {
                self.leave_exact();
                if self.numbers.retired() || other.numbers.retired() {
                    self.retire();
                    other.retire();
                }
                self.numbers.absorb(std::mem::take(&mut other.numbers));
                self.layers.retain(|layer| !layer.is_empty());
                self.layers
                    .extend(other.layers.into_iter().filter(|l| !l.is_empty()));
                // A third layer (a second large file) is folded into the smaller one.
                while self.layers.len() > 2 {
                    self.layers
                        .sort_by_key(|layer| std::cmp::Reverse(layer.len()));
                    let smallest = self.layers.pop().unwrap_or_default();
                    let last = self.layers.len() - 1;
                    self.layers[last].absorb(smallest);
                }
                if self.layers.is_empty() {
                    self.layers.push(Fingerprints::default());
                }
            }
        }
        true
    }

    /// The id as a prefix and a number, when it is one and the numbers have not retired.
    #[inline]
    fn numbered<'a>(&self, id: &'a str) -> Option<numbers::Numbered<'a>> {
        match self.numbers.retired() {
            true => None,
            false => numbers::split(id),
        }
    }

    /// Gives up keeping numbered ids as bits (see [`Numbers::should_retire`]): those
    /// held go to the fingerprints, and all to come.
    fn retire(&mut self) {
        if self.numbers.retired() {
            return;
        }
        let last = self.layers.len() - 1;
        let layer = &mut self.layers[last];
        layer.reserve(layer.len() + self.numbers.len());
        self.numbers.retire(|id| {
            layer.insert(fingerprint(id));
        });
    }

    /// Whether a set past its exact table holds `id` (whose fingerprint is `print`).
    fn holds_past_exact(&self, id: &str, print: u64) -> bool {
        if let Some(numbered) = self.numbered(id) {
            match self.numbers.lookup(numbered) {
                Some(true) => return true,
                Some(false) if !self.numbers.ambiguous() => return false,
                None if !self.numbers.spilled() => return false,
                _ => {}
            }
        }
        self.in_layers(print)
    }

    /// Whether a fingerprint is in any layer.
    fn in_layers(&self, print: u64) -> bool {
        self.layers.iter().any(|layer| layer.contains(print))
    }

    /// Whether two sets past their exact tables hold an id in common: in their bits, in
    /// their fingerprints, or (when a numbered id of one went to its fingerprints) one's
    /// numbers among the other's fingerprints.
    fn shares_past_exact(&self, other: &IdSet) -> bool {
        let spilled_in = |set: &IdSet, numbers: &Numbers| {
            numbers.any_spilled_in(&set.numbers, |id| set.in_layers(fingerprint(id)))
        };
        self.numbers.shares_any(&other.numbers)
            || self
                .layers
                .iter()
                .any(|a| other.layers.iter().any(|b| a.shares_any(b)))
            || spilled_in(other, &self.numbers)
            || spilled_in(self, &other.numbers)
    }

    /// Moves the exact table's ids, if it still has one, to the numbers and the
    /// fingerprints, making room in the fingerprints for the ids still to come at the
    /// rate of unnumbered ones so far.
    fn leave_exact(&mut self) {
        let Some(exact) = self.exact.take() else {
            return;
        };
        let mut prints = Vec::new();
        for (id, print, _) in exact.ids() {
            if let Some(numbered) = self.numbered(id) {
                match self.numbers.bit(numbered) {
                    Some(bit) => {
                        self.numbers.set(bit);
                        continue;
                    }
                    None => self.numbers.spill(numbered),
                }
            }
            prints.push(print);
        }
        if self.numbers.should_retire() {
            self.retire();
        }
        if prints.is_empty() {
            return;
        }
        let last = self.layers.len() - 1;
        // When numbered ids went there too, an eighth more: the rate is a little low, as
        // those in the table before the numbers closed did not.
        let room = IdSet::room(self.expected, self.inserts, prints.len() + 1);
        let extra = if self.numbers.spilled() { room / 8 } else { 0 };
        self.layers[last].reserve(room.saturating_add(extra));
        for print in prints {
            self.layers[last].insert(print);
        }
    }

    /// Reads the table slots where `ids` would go and returns something computed from
    /// them, for the caller to pass to [`std::hint::black_box`]. Done for a batch of rows
    /// before they are inserted one by one, it lets the processor fetch those slots from
    /// memory all at once instead of stalling on each row's own miss (the crate has no
    /// `unsafe`, so no prefetch instruction). Changes nothing; exact ids (a small table)
    /// and numbered ids (bits, mostly near the last ones) are not warmed.
    pub fn warm<'a>(&self, ids: impl Iterator<Item = &'a str>) -> u64 {
        if self.exact.is_some() || self.layers.iter().all(Fingerprints::is_empty) {
            return 0;
        }
        let mut sum = 0u64;
        let numbers = &self.numbers;
        for id in ids {
            // A numbered id may be among the fingerprints only when some went there; one
            // on the page used last is not (unless a merge made that unsure). Others are
            // warmed, rather than looked up in the numbers first.
            if !numbers.spilled() {
                // A quick look: an id ending in a digit is numbered, but for a few (too
                // many digits, a long prefix) left unwarmed.
                if id.as_bytes().last().is_some_and(u8::is_ascii_digit) {
                    continue;
                }
            } else if let Some(numbered) = self.numbered(id) {
                if !numbers.ambiguous() && numbers.on_last_page(numbered) {
                    continue;
                }
            }
            let print = fingerprint(id);
            for layer in &self.layers {
                sum = sum.wrapping_add(layer.peek(print));
            }
        }
        sum
    }

    /// Records `id`, first seen at `at`, or says where it was seen before.
    pub fn insert(&mut self, id: &str, at: FirstSeen) -> Seen {
        match self.exact {
            Some(_) => self.insert_print(fingerprint(id), id, at),
            None => {
                self.inserts += 1;
                self.insert_past_exact(id, None)
            }
        }
    }

    /// [`IdSet::insert`] with the id's fingerprint already computed.
    fn insert_print(&mut self, print: u64, id: &str, at: FirstSeen) -> Seen {
        self.inserts += 1;
        if let Some(exact) = &mut self.exact {
            if let Some(first) = exact.get(print, id) {
                return Seen::Again(Some(first));
            }
            if exact.len() < self.exact_limit {
                exact.add(print, id, at);
                return Seen::New;
            }
            self.leave_exact();
        }
        self.insert_past_exact(id, Some(print))
    }

    /// Records `id` in a set past its exact table: as a bit when it is numbered and has
    /// or may make a page, otherwise as its fingerprint (`print`, when computed).
    fn insert_past_exact(&mut self, id: &str, print: Option<u64>) -> Seen {
        let print = || print.unwrap_or_else(|| fingerprint(id));
        if let Some(numbered) = self.numbered(id) {
            match self.numbers.bit(numbered) {
                Some(bit) => {
                    if self.numbers.is_set(bit)
                        || (self.numbers.ambiguous() && self.in_layers(print()))
                    {
                        return Seen::Again(None);
                    }
                    self.numbers.set(bit);
                    return Seen::New;
                }
                None => {
                    self.numbers.spill(numbered);
                    if self.numbers.should_retire() {
                        self.retire();
                    }
                }
            }
        }
        let print = print();
        let (last, earlier) = match self.layers.split_last_mut() {
            Some(split) => split,
            None => return Seen::New,
        };
        if earlier.iter().any(|layer| layer.contains(print)) || !last.insert(print) {
            Seen::Again(None)
        } else {
            Seen::New
        }
    }
}

/// Open addressing over 256 segments, each growing on its own, so growth never needs
/// twice the memory at once.
#[derive(Debug, Clone, Default)]
struct Fingerprints {
    segments: Vec<Segment>,
    /// Fingerprints held, in all segments.
    len: usize,
}

#[derive(Debug, Clone, Default)]
struct Segment {
    slots: Vec<u64>,
    len: usize,
}

impl Fingerprints {
    /// Adds a fingerprint; false when it was already there.
    fn insert(&mut self, print: u64) -> bool {
        if self.segments.is_empty() {
            self.segments = (0..256).map(|_| Segment::default()).collect();
        }
        let new = self.segments[(print >> 56) as usize].insert(print);
        self.len += usize::from(new);
        new
    }

    /// The slot where `print` would be looked up first (see [`IdSet::warm`]).
    fn peek(&self, print: u64) -> u64 {
        self.segments
            .get((print >> 56) as usize)
            .and_then(|segment| segment.slots.get(segment.slot(print)))
            .copied()
            .unwrap_or(0)
    }

    /// Makes room for about `len` fingerprints in all, spread evenly over the segments.
    fn reserve(&mut self, len: usize) {
        if self.segments.is_empty() {
            self.segments = (0..256).map(|_| Segment::default()).collect();
        }
        // A segment gets 1/256 of the fingerprints, give or take a few standard
        // deviations (the square root of that); those over it grow the segment as usual.
        let each = len / 256;
        let each = each + 4 * each.isqrt() + 16;
        for segment in &mut self.segments {
            segment.reserve(each);
        }
    }

    fn contains(&self, print: u64) -> bool {
        self.segments
            .get((print >> 56) as usize)
            .is_some_and(|segment| segment.contains(print))
    }

    fn len(&self) -> usize {
        self.len
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether a fingerprint is in both.
    fn shares_any(&self, other: &Fingerprints) -> bool {
        self.segments
            .iter()
            .zip(&other.segments)
            .any(|(a, b)| b.slots.iter().any(|&p| p != 0 && a.contains(p)))
    }

    /// Adds every fingerprint of `other`.
    fn absorb(&mut self, other: Fingerprints) {
        if self.segments.is_empty() {
            *self = other;
            return;
        }
        for (a, b) in self.segments.iter_mut().zip(other.segments) {
            a.reserve(a.len + b.len);
            for p in b.slots.into_iter().filter(|&p| p != 0) {
                a.insert(p);
            }
        }
        self.len = self.segments.iter().map(|s| s.len).sum();
    }
}

impl Segment {
    fn slot(&self, print: u64) -> usize {
        // Maps the low bits onto the table without a power-of-two size.
        (((print & 0x00FF_FFFF_FFFF_FFFF) as u128 * self.slots.len() as u128) >> 56) as usize
    }

    fn contains(&self, print: u64) -> bool {
        let n = self.slots.len();
        if n == 0 {
            return false;
        }
        let mut i = self.slot(print);
        loop {
            match self.slots[i] {
                0 => return false,
                p if p == print => return true,
                _ => i = if i + 1 == n { 0 } else { i + 1 },
            }
        }
    }

    fn insert(&mut self, print: u64) -> bool {
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            self.grow();
        }
        let n = self.slots.len();
        let mut i = self.slot(print);
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = print;
                    self.len += 1;
                    return true;
                }
                p if p == print => return false,
                _ => i = if i + 1 == n { 0 } else { i + 1 },
            }
        }
    }

    fn grow(&mut self) {
        self.resize((self.slots.len() * 3 / 2).max(64));
    }

    /// Makes room for `len` fingerprints in all, growing at most once and no further
    /// than the load limit needs (merging is the last growth of a big set).
    fn reserve(&mut self, len: usize) {
        if (len + 1) * 5 > self.slots.len() * 4 {
            self.resize(((len + 1) * 5 / 4 + 1).max(64));
        }
    }

    fn resize(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        self.len = 0;
        for print in old.into_iter().filter(|p| *p != 0) {
            self.insert(print);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_then_fingerprints() {
        let mut ids = IdSet::default();
        assert_eq!(ids.insert("A-1", (0, 2)), Seen::New);
        assert_eq!(ids.insert("A-1", (0, 9)), Seen::Again(Some((0, 2))));
        let mut prints = Fingerprints::default();
        for i in 0..100_000u64 {
            assert!(prints.insert(fingerprint(&format!("ID-{i}"))));
        }
        for i in 0..100_000u64 {
            assert!(!prints.insert(fingerprint(&format!("ID-{i}"))));
        }
        let total: usize = prints.segments.iter().map(|s| s.len).sum();
        assert_eq!(total, 100_000);
    }

    #[test]
    fn room_is_made_for_the_ids_the_rest_of_the_input_promises() {
        // All distinct so far: as many as the rows expected, up to 64 times those seen.
        assert_eq!(IdSet::room(1_000_000, 1000, 1000), 64_000);
        assert_eq!(IdSet::room(50_000, 1000, 1000), 50_000);
        // One row in four a duplicate: three quarters of the rows.
        assert_eq!(IdSet::room(40_000, 1000, 750), 30_000);
        // Nothing expected (a stream): no more than the set already holds.
        assert_eq!(IdSet::room(0, 1000, 1000), 1000);
        // A set told to expect more switches to fingerprints with room made, and still
        // finds every id (ids with no number at the end, which go to fingerprints).
        let mut ids = IdSet::with_exact_limit(100);
        ids.expect_more(10_000);
        for i in 0..10_000u64 {
            assert_eq!(ids.insert(&format!("R-{i}r"), (0, i)), Seen::New);
        }
        let slots: usize = ids.layers[0].segments.iter().map(|s| s.slots.len()).sum();
        assert!((10_000..20_000).contains(&slots), "{slots} slots");
        for i in 0..10_000u64 {
            assert_eq!(ids.insert(&format!("R-{i}r"), (0, i)), Seen::Again(None));
        }
        // Numbered ids take no room in the fingerprints, nor do those to come at their
        // rate.
        let mut numbered = IdSet::with_exact_limit(100);
        numbered.expect_more(10_000);
        for i in 0..10_000u64 {
            assert_eq!(numbered.insert(&format!("R-{i}"), (0, i)), Seen::New);
        }
        assert!(numbered.layers[0].segments.is_empty());
        assert_eq!(numbered.numbers.len(), 10_000);
        assert_eq!(numbered.len(), 10_000);
        for i in 0..10_000u64 {
            assert_eq!(
                numbered.insert(&format!("R-{i}"), (0, i)),
                Seen::Again(None)
            );
        }
    }

    #[test]
    fn the_exact_table_gets_room_for_the_rows_expected_up_to_its_limit() {
        let mut few = IdSet::with_exact_limit(1000);
        few.expect_more(10);
        let capacity = few.exact.as_ref().unwrap().0[0].map.capacity();
        assert!((10..1000).contains(&capacity), "{capacity}");
        let mut many = IdSet::with_exact_limit(1000);
        many.expect_more(5000);
        let exact = &many.exact.as_ref().unwrap().0[0];
        assert!(exact.map.capacity() >= 1000, "{}", exact.map.capacity());
        assert!(exact.text.capacity() >= 1000 * ID_BYTES);
        // The room made changes nothing about what is found.
        for i in 0..1000u64 {
            assert_eq!(many.insert(&format!("E-{i}"), (0, i)), Seen::New);
        }
        assert_eq!(many.insert("E-7", (0, 9999)), Seen::Again(Some((0, 7))));
    }

    #[test]
    fn warming_reads_the_slots_and_changes_nothing() {
        let mut ids = IdSet::with_exact_limit(4);
        let names: Vec<String> = (0..1000).map(|i| format!("W-{i}w")).collect();
        assert_eq!(
            ids.warm(names.iter().map(String::as_str)),
            0,
            "exact: not warmed"
        );
        for (line, id) in names.iter().enumerate() {
            ids.insert(id, (0, line as u64));
        }
        // Each id's first slot holds a fingerprint (its own or one before it).
        for id in &names {
            assert_ne!(ids.warm(std::iter::once(id.as_str())), 0, "{id}");
        }
        assert_eq!(ids.len(), 1000);
        assert_eq!(ids.insert("W-7w", (0, 5000)), Seen::Again(None));
        assert_eq!(ids.insert("W-1000w", (0, 5001)), Seen::New);
        // Numbered ids are bits, not warmed.
        assert_eq!(ids.warm(["W-7", "W-1000"].into_iter()), 0);
    }

    /// Feeds `ids` in order to one set, and split at `at` to two merged sets.
    fn one_and_merged(ids: &[String], at: usize, limit: usize) -> (IdSet, Option<IdSet>) {
        let mut one = IdSet::with_exact_limit(limit);
        for (line, id) in ids.iter().enumerate() {
            one.insert(id, (0, line as u64 + 1));
        }
        let (mut a, mut b) = (
            IdSet::with_exact_limit(limit),
            IdSet::with_exact_limit(limit),
        );
        for (line, id) in ids[..at].iter().enumerate() {
            a.insert(id, (0, line as u64 + 1));
        }
        for (line, id) in ids[at..].iter().enumerate() {
            b.insert(id, (0, line as u64 + 1));
        }
        let merged = a.merge(b, at as u64).then_some(a);
        (one, merged)
    }

    #[test]
    fn merged_halves_equal_one_set() {
        let ids: Vec<String> = (0..300).map(|i| format!("M-{i}")).collect();
        for (at, limit) in [(150, 1000), (150, 200), (250, 200), (10, 100), (0, 100)] {
            let (mut one, merged) = one_and_merged(&ids, at, limit);
            let mut merged = merged.expect("no id on both sides");
            assert_eq!(merged.len(), one.len(), "split {at}, limit {limit}");
            assert_eq!(merged.exact.is_some(), one.exact.is_some());
            if let Some(tables) = &merged.exact {
                // Both halves had ids and fit: kept side by side, not joined.
                assert_eq!(tables.0.len(), if at == 0 { 1 } else { 2 });
            }
            for (line, id) in ids.iter().enumerate() {
                assert_eq!(
                    merged.insert(id, (0, 999)),
                    one.insert(id, (0, 999)),
                    "{id} at line {}, split {at}, limit {limit}",
                    line + 1
                );
            }
            assert_eq!(merged.insert("new", (0, 1)), Seen::New);
        }
    }

    #[test]
    fn a_third_set_is_folded_into_two_layers() {
        let set = |from: usize, to: usize| {
            let mut ids = IdSet::with_exact_limit(10);
            for i in from..to {
                ids.insert(&format!("L-{i}l"), (0, i as u64));
            }
            ids
        };
        let mut merged = set(0, 100);
        assert!(merged.merge(set(100, 150), 0));
        assert_eq!(merged.layers.len(), 2);
        assert!(merged.merge(set(150, 400), 0));
        assert_eq!(merged.layers.len(), 2);
        assert_eq!(merged.len(), 400);
        assert!(!merged.merge(set(399, 420), 0), "L-399 is in both");
        for i in 0..400 {
            assert_eq!(merged.insert(&format!("L-{i}l"), (0, 1)), Seen::Again(None));
        }
        assert_eq!(merged.insert("L-400l", (0, 1)), Seen::New);
    }

    #[test]
    fn a_third_exact_set_is_added_into_the_first() {
        let set = |from: u64, to: u64| {
            let mut ids = IdSet::with_exact_limit(1000);
            for i in from..to {
                ids.insert(&format!("T-{i}"), (0, i - from + 1));
            }
            ids
        };
        let mut merged = set(0, 100);
        assert!(merged.merge(set(100, 150), 100));
        assert!(merged.merge(set(150, 400), 150));
        assert_eq!(merged.exact.as_ref().map(|t| t.0.len()), Some(2));
        assert_eq!(merged.len(), 400);
        assert!(!merged.merge(set(399, 420), 399), "T-399 is in both");
        for i in 0..400 {
            let seen = merged.insert(&format!("T-{i}"), (0, 9999));
            assert_eq!(seen, Seen::Again(Some((0, i + 1))), "T-{i}");
        }
        assert_eq!(merged.insert("T-400", (0, 1)), Seen::New);
    }

    #[test]
    fn an_id_on_both_sides_refuses_the_merge_and_changes_nothing() {
        let mut ids: Vec<String> = (0..300).map(|i| format!("M-{i}")).collect();
        ids.push("M-3".into());
        for limit in [1000, 200, 100] {
            let (_, merged) = one_and_merged(&ids, 150, limit);
            assert!(merged.is_none(), "limit {limit}");
        }
        let mut a = IdSet::with_exact_limit(1000);
        a.insert("X", (0, 1));
        let mut b = IdSet::with_exact_limit(1000);
        b.insert("Y", (0, 1));
        b.insert("X", (0, 2));
        assert!(!a.merge(b, 10));
        assert_eq!(a.len(), 1);
        assert_eq!(a.insert("Y", (0, 3)), Seen::New);
    }

    #[test]
    fn two_ids_with_one_fingerprint_stay_apart() {
        let mut exact = Exact::default();
        exact.add(7, "first", (0, 1));
        assert_eq!(exact.get(7, "second"), None);
        exact.add(7, "second", (0, 2));
        assert_eq!(exact.get(7, "first"), Some((0, 1)));
        assert_eq!(exact.get(7, "second"), Some((0, 2)));
        assert_eq!(exact.len(), 2);
        let mut ids: Vec<&str> = exact.ids().map(|(id, _, _)| id).collect();
        ids.sort();
        assert_eq!(ids, ["first", "second"]);
    }

    /// Ids of every kind: numbered and counting up under two prefixes, numbered and
    /// scattered (they close the numbers early), not numbered (a leading zero, or a
    /// letter last), and a few that are the same as numbered ones but for the zero.
    fn any_id() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            (0..3000u64).prop_map(|n| format!("PRJ-{n}")),
            (0..200u64).prop_map(|n| format!("OPS-{n}")),
            (0..u64::MAX).prop_map(|n| format!("S-{}", n % 100_000_000_000)),
            (0..300u64).prop_map(|n| format!("U{n}x")),
            (0..300u64).prop_map(|n| format!("PRJ-0{n}")),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 200, ..proptest::prelude::ProptestConfig::default()
        })]

        /// Inserting says "new" exactly when a plain set of strings did not hold the id,
        /// whatever the limits; two sets merge exactly when they share no id, and then
        /// answer as their union.
        #[test]
        fn ids_are_found_as_a_plain_set_finds_them(
            ids in proptest::collection::vec(any_id(), 0..1500),
            later in proptest::collection::vec(any_id(), 0..300),
            at in 0usize..1500,
            limit in 0usize..100,
            free in 2usize..40,
        ) {
            let at = at.min(ids.len());
            let new_set = || IdSet::with_free_entries(limit, free);
            let fill = |set: &mut IdSet, plain: &mut std::collections::HashSet<String>, ids: &[String]| {
                for (line, id) in ids.iter().enumerate() {
                    let seen = set.insert(id, (0, line as u64 + 1));
                    proptest::prop_assert_eq!(seen == Seen::New, plain.insert(id.clone()), "{}", id);
                }
                Ok(())
            };
            let (mut a, mut b) = (new_set(), new_set());
            let (mut plain_a, mut plain_b) = Default::default();
            fill(&mut a, &mut plain_a, &ids[..at])?;
            fill(&mut b, &mut plain_b, &ids[at..])?;
            proptest::prop_assert_eq!(a.len(), plain_a.len());
            proptest::prop_assert_eq!(b.len(), plain_b.len());
            let disjoint = plain_a.is_disjoint(&plain_b);
            proptest::prop_assert_eq!(a.merge(b, at as u64), disjoint);
            if disjoint {
                plain_a.extend(plain_b);
            }
            proptest::prop_assert_eq!(a.len(), plain_a.len());
            fill(&mut a, &mut plain_a, &later)?;
            let again: Vec<String> = ids.iter().rev().cloned().collect();
            fill(&mut a, &mut plain_a, &again)?;
        }
    }

    #[test]
    fn a_numbered_id_kept_as_a_fingerprint_is_found_across_a_merge() {
        // Numbers that close after two entries (a prefix and a page): B takes `Z-1`,
        // then has no room for the prefix `PRJ-`, so `PRJ-5` goes to its fingerprints.
        let set = |ids: &[&str]| {
            let mut set = IdSet::with_free_entries(0, 2);
            for (line, id) in ids.iter().enumerate() {
                assert_eq!(set.insert(id, (0, line as u64 + 1)), Seen::New, "{id}");
            }
            set
        };
        let spilled = set(&["Z-1", "PRJ-5"]);
        assert!(spilled.numbers.spilled() && spilled.layers[0].len() == 1);
        // The same id as a bit on the other side: refused, whichever side is merged in.
        assert!(!set(&["PRJ-1", "PRJ-5"]).merge(set(&["Z-1", "PRJ-5"]), 2));
        assert!(!set(&["Z-1", "PRJ-5"]).merge(set(&["PRJ-1", "PRJ-5"]), 2));
        // Apart, they merge; `PRJ-5` then has a page (from the first side) whose bit is
        // clear, and is still found among the fingerprints.
        let mut merged = set(&["PRJ-1"]);
        assert!(merged.merge(spilled, 1));
        let mut exact = IdSet::with_exact_limit(10);
        exact.insert("PRJ-5", (0, 1));
        assert!(!merged.merge(exact, 3), "PRJ-5 is in both");
        assert_eq!(merged.insert("PRJ-5", (0, 9)), Seen::Again(None));
        assert_eq!(merged.insert("PRJ-1", (0, 9)), Seen::Again(None));
        assert_eq!(merged.insert("Z-1", (0, 9)), Seen::Again(None));
        assert_eq!(merged.insert("PRJ-6", (0, 9)), Seen::New);
        assert_eq!(merged.len(), 4);
    }

    #[test]
    fn a_set_whose_numbers_retired_merges_with_one_whose_did_not() {
        // Numbers that close after two entries and retire after 32 spilled ids: nine
        // numbered ids, then ids with a new prefix each.
        let retired = || {
            let mut set = IdSet::with_free_entries(0, 2);
            for i in 1..10 {
                assert_eq!(set.insert(&format!("PRJ-{i}"), (0, i)), Seen::New);
            }
            for i in 0..40 {
                assert_eq!(set.insert(&format!("Q{i}z7"), (0, 99)), Seen::New);
            }
            assert!(set.numbers.retired() && set.numbers.len() == 0);
            assert_eq!(set.insert("PRJ-5", (0, 100)), Seen::Again(None));
            set
        };
        let numbered = |ids: &[&str]| {
            let mut set = IdSet::with_free_entries(0, 2);
            for id in ids {
                assert_eq!(set.insert(id, (0, 1)), Seen::New);
            }
            assert!(!set.numbers.retired());
            set
        };
        assert!(!retired().merge(numbered(&["PRJ-5"]), 50));
        assert!(!numbered(&["PRJ-5"]).merge(retired(), 50));
        for (mut merged, other) in [
            (retired(), numbered(&["PRJ-10", "PRJ-11"])),
            (numbered(&["PRJ-10", "PRJ-11"]), retired()),
        ] {
            assert!(merged.merge(other, 50));
            assert_eq!(merged.len(), 51);
            for id in ["PRJ-1", "PRJ-9", "PRJ-10", "PRJ-11", "Q3z7"] {
                assert_eq!(merged.insert(id, (0, 1)), Seen::Again(None), "{id}");
            }
            assert_eq!(merged.insert("PRJ-12", (0, 1)), Seen::New);
        }
    }

    #[test]
    fn the_switch_keeps_every_id() {
        let mut ids = IdSet::with_exact_limit(1000);
        for i in 0..1010 {
            assert_eq!(ids.insert(&format!("P-{i}"), (0, i as u64)), Seen::New);
        }
        assert!(ids.exact.is_none());
        assert_eq!(ids.insert("P-5", (0, 1)), Seen::Again(None));
        assert_eq!(ids.insert("P-1005", (0, 1)), Seen::Again(None));
        assert_eq!(ids.insert("new", (0, 1)), Seen::New);
    }
}
