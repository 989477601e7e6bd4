//! Ids that are a prefix and a number (`PRJ-1001`, `#4411`, `INC0010042`, `731902`), the
//! way trackers, desks and pagers number what they file, kept as one bit per number.
//! Exact, and since exports number their problems upwards, a million ids take about
//! 130 kB, read near where the last one was; 64-bit fingerprints would take 10 MB, read at
//! random (a cache miss on every row of a large file).

use std::fmt::Write as _;

use rustc_hash::FxHashMap;

/// Numbers per page, as a power of two: a page is eight 64-bit words, one cache line.
const PAGE_SHIFT: u32 = 9;
const PAGE_WORDS: usize = 1 << (PAGE_SHIFT - 6);

/// The longest prefix kept: longer ones are rarely shared by two ids, so their ids go to
/// the fingerprints without a lookup here. (UUIDs, whose prefix is 24 bytes, are tried,
/// spill, and make the set retire.)
const MAX_PREFIX: usize = 32;

/// Prefixes and pages made before the set looks at how well they are used.
const FREE_ENTRIES: usize = 4096;

/// Past [`FREE_ENTRIES`], the fewest ids a prefix or page must hold on average for more
/// to be made. Below it (numbers scattered over a wide range, or a new prefix on most
/// ids) a page would cost more than the fingerprints it saves, so the set closes and
/// such ids go to the fingerprints.
const IDS_PER_ENTRY: usize = 16;

/// Bits of the filters of pages (128 kB each): those whose ids went to the
/// fingerprints, and those that exist once the set is closed.
const FILTER_BITS: usize = 1 << 20;

/// An id as a prefix and a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbered<'a> {
    /// What comes before the number: at most [`MAX_PREFIX`] bytes.
    prefix: &'a [u8],
    /// How many digits the number is written with, leading zeros included, so that
    /// `A-7` and `A-007` are apart.
    width: u8,
    number: u64,
}

/// An id's prefix and number: the number is the id's last run of ASCII digits, one to
/// nineteen of them (always below 2^64), the prefix what comes before it. `None` for an
/// id not of that form (`PRJ-`, a number of twenty digits, a prefix over
/// [`MAX_PREFIX`] bytes). The id is exactly its prefix followed by the number written
/// with `width` digits.
#[inline]
pub fn split(id: &str) -> Option<Numbered<'_>> {
    let bytes = id.as_bytes();
    // One pass from the end: the digits' values times their place.
    let (mut number, mut place, mut digits) = (0u64, 1u64, 0usize);
    for &byte in bytes.iter().rev() {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        if digits == 19 {
            return None;
        }
        number += u64::from(digit) * place;
        place = place.wrapping_mul(10);
        digits += 1;
    }
    if digits == 0 || bytes.len() - digits > MAX_PREFIX {
        return None;
    }
    Some(Numbered {
        prefix: &bytes[..bytes.len() - digits],
        width: digits as u8,
        number,
    })
}

/// A prefix and width as one key: the width, then the prefix's bytes.
struct Key {
    bytes: [u8; MAX_PREFIX + 1],
    len: usize,
}

impl Key {
    fn of(id: Numbered<'_>) -> Key {
        let mut bytes = [0; MAX_PREFIX + 1];
        bytes[0] = id.width;
        bytes[1..=id.prefix.len()].copy_from_slice(id.prefix);
        Key {
            bytes,
            len: id.prefix.len() + 1,
        }
    }

    fn get(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Where one number's bit is.
#[derive(Debug, Clone, Copy)]
pub struct Bit {
    page: usize,
    word: usize,
    mask: u64,
}

impl Bit {
    /// The bit of `number` on its page, the page at index `page`.
    fn at(page: usize, number: u64) -> Bit {
        Bit {
            page,
            word: ((number >> 6) as usize) % PAGE_WORDS,
            mask: 1 << (number % 64),
        }
    }
}

/// The page used last, found again without a hash lookup: rows come in order of their
/// numbers more often than not.
#[derive(Debug, Clone, Default)]
struct Last {
    prefix: Vec<u8>,
    width: u8,
    /// The id's number over 512.
    page_number: u64,
    page: usize,
}

/// Numbered ids as bits, in pages per prefix and width.
#[derive(Debug, Clone)]
pub struct Numbers {
    /// Key (width and prefix) → index in `keys`.
    prefixes: FxHashMap<Box<[u8]>, u32>,
    keys: Vec<Box<[u8]>>,
    /// (key index, page number) → page index.
    index: FxHashMap<(u32, u64), usize>,
    pages: Vec<[u64; PAGE_WORDS]>,
    /// Bits set.
    len: usize,
    /// No prefix or page is made any more (see [`IDS_PER_ENTRY`]).
    closed: bool,
    /// A bit per hash of the key and page number of every id spilled (empty before the
    /// first): a page whose bit is clear has none of its numbers in the fingerprints.
    spills: Vec<u64>,
    /// Whether a number whose page exists may be among the fingerprints: this set was
    /// merged with pages of another where one of the two had spilled.
    ambiguous: bool,
    /// Once closed, a bit per hash of the key and page number of every page: an id whose
    /// bit is clear has no page, which is known without a lookup (most ids that come
    /// after the set closed, when it closed because they are scattered).
    present: Vec<u64>,
    /// Ids spilled so far (through [`Numbers::spill`], by the owner of the fingerprints,
    /// `IdSet`).
    spill_count: u64,
    /// Given up: no bit is kept, numbered ids all go to the fingerprints.
    retired: bool,
    last: Option<Last>,
    /// [`FREE_ENTRIES`], smaller in tests.
    free_entries: usize,
}

impl Default for Numbers {
    fn default() -> Self {
        Numbers::with_free_entries(FREE_ENTRIES)
    }
}

impl Numbers {
    /// A set that makes `free` prefixes and pages before it looks at how well they are
    /// used.
    pub fn with_free_entries(free: usize) -> Numbers {
        Numbers {
            prefixes: FxHashMap::default(),
            keys: Vec::new(),
            index: FxHashMap::default(),
            pages: Vec::new(),
            len: 0,
            closed: false,
            spills: Vec::new(),
            ambiguous: false,
            present: Vec::new(),
            spill_count: 0,
            retired: false,
            last: None,
            free_entries: free,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether a numbered id was ever kept as a fingerprint instead (the set was closed
    /// and its page did not exist, or it retired), so that a number with no page may be
    /// among the fingerprints.
    pub fn spilled(&self) -> bool {
        self.spill_count > 0 || self.retired
    }

    pub fn ambiguous(&self) -> bool {
        self.ambiguous
    }

    pub fn retired(&self) -> bool {
        self.retired
    }

    /// Whether the set should give up: once as many ids as it could have held in its
    /// free entries (65 536) went to the fingerprints, and they outnumber the bits four
    /// times. Such ids (a new prefix on each, say) pay for a lookup here as well as their
    /// fingerprint.
    pub fn should_retire(&self) -> bool {
        !self.retired
            && self.spill_count >= (self.free_entries * IDS_PER_ENTRY) as u64
            && self.spill_count / 4 > self.len as u64
    }

    /// Gives up: empties the set, after calling `keep` with each id it held.
    pub fn retire(&mut self, mut keep: impl FnMut(&str)) {
        self.find_id(
            |_, _| true,
            |id| {
                keep(id);
                false
            },
        );
        *self = Numbers {
            ambiguous: true,
            closed: true,
            retired: true,
            ..Numbers::with_free_entries(0)
        };
    }

    /// Whether a numbered id is on the page used last.
    pub fn on_last_page(&self, id: Numbered<'_>) -> bool {
        self.last_page(id).is_some()
    }

    /// The page used last, when the id is on it.
    #[inline]
    fn last_page(&self, id: Numbered<'_>) -> Option<usize> {
        let last = self.last.as_ref()?;
        let on = last.page_number == id.number >> PAGE_SHIFT
            && last.width == id.width
            && last.prefix == id.prefix;
        on.then_some(last.page)
    }

    /// The bit of a numbered id, its page made if it has none and the set is not closed;
    /// `None` when it has none and may not make one.
    #[inline]
    pub fn bit(&mut self, id: Numbered<'_>) -> Option<Bit> {
        let page = match self.last_page(id) {
            Some(page) => page,
            None => self.find_or_make(id, id.number >> PAGE_SHIFT)?,
        };
        Some(Bit::at(page, id.number))
    }

    #[cold]
    fn find_or_make(&mut self, id: Numbered<'_>, page_number: u64) -> Option<usize> {
        if self.closed && !filter_has(&self.present, id.width, id.prefix, page_number) {
            return None;
        }
        let key = Key::of(id);
        let known = self.prefixes.get(key.get()).copied();
        let key_index = match known {
            Some(index) => index,
            None if self.may_make() => self.add_key(key.get()),
            None => return None,
        };
        let known = self.index.get(&(key_index, page_number)).copied();
        let page = match known {
            Some(page) => page,
            None if self.may_make() => self.add_page(key_index, page_number),
            None => return None,
        };
        let last = self.last.get_or_insert_with(Last::default);
        last.prefix.clear();
        last.prefix.extend_from_slice(id.prefix);
        last.width = id.width;
        last.page_number = page_number;
        last.page = page;
        Some(page)
    }

    fn add_key(&mut self, key: &[u8]) -> u32 {
        let index = self.keys.len() as u32;
        self.keys.push(key.into());
        self.prefixes.insert(key.into(), index);
        index
    }

    fn add_page(&mut self, key_index: u32, page_number: u64) -> usize {
        self.pages.push([0; PAGE_WORDS]);
        self.index
            .insert((key_index, page_number), self.pages.len() - 1);
        self.pages.len() - 1
    }

    /// Whether another prefix or page may be made; closes the set for good when not.
    fn may_make(&mut self) -> bool {
        let entries = self.keys.len() + self.pages.len();
        if !self.closed
            && entries >= self.free_entries
            && entries.saturating_mul(IDS_PER_ENTRY) > self.len
        {
            self.close();
        }
        !self.closed
    }

    /// Closes the set: no page is made any more, and the filter of those there is made.
    fn close(&mut self) {
        self.closed = true;
        let mut present = vec![0; FILTER_BITS / 64];
        for (key, page_number, _) in self.pages() {
            filter_set(&mut present, key[0], &key[1..], page_number);
        }
        self.present = present;
    }

    pub fn is_set(&self, bit: Bit) -> bool {
        self.pages[bit.page][bit.word] & bit.mask != 0
    }

    pub fn set(&mut self, bit: Bit) {
        let word = &mut self.pages[bit.page][bit.word];
        self.len += usize::from(*word & bit.mask == 0);
        *word |= bit.mask;
    }

    /// Notes that a numbered id went to the fingerprints.
    pub fn spill(&mut self, id: Numbered<'_>) {
        self.spill_count += 1;
        if self.spills.is_empty() {
            self.spills = vec![0; FILTER_BITS / 64];
        }
        filter_set(
            &mut self.spills,
            id.width,
            id.prefix,
            id.number >> PAGE_SHIFT,
        );
    }

    /// Whether an id of this key and page may have been spilled.
    fn may_have_spilled(&self, key: &[u8], page_number: u64) -> bool {
        self.retired || filter_has(&self.spills, key[0], &key[1..], page_number)
    }

    /// Whether the number's bit is set, `None` when it has no page (making nothing).
    pub fn lookup(&self, id: Numbered<'_>) -> Option<bool> {
        self.page_of(Key::of(id).get(), id.number >> PAGE_SHIFT)
            .map(|page| self.is_set(Bit::at(page, id.number)))
    }

    fn page_of(&self, key: &[u8], page_number: u64) -> Option<usize> {
        let key = *self.prefixes.get(key)?;
        self.index.get(&(key, page_number)).copied()
    }

    /// Every page with its key and page number.
    fn pages(&self) -> impl Iterator<Item = (&[u8], u64, &[u64; PAGE_WORDS])> {
        self.index
            .iter()
            .map(|(&(key, number), &page)| (&*self.keys[key as usize], number, &self.pages[page]))
    }

    /// Whether a number is set in both.
    pub fn shares_any(&self, other: &Numbers) -> bool {
        other.pages().any(|(key, number, theirs)| {
            self.page_of(key, number)
                .is_some_and(|page| self.pages[page].iter().zip(theirs).any(|(a, b)| a & b != 0))
        })
    }

    /// Whether `held` is true of an id whose bit is set here and which `other` may have
    /// spilled (written out again, for a lookup of its fingerprint in `other`). The
    /// filter of spilled pages is enough: it has the page of every id that ever went to
    /// the fingerprints, in either of two merged sets.
    pub fn any_spilled_in(&self, other: &Numbers, mut held: impl FnMut(&str) -> bool) -> bool {
        other.spilled()
            && self.find_id(
                |key, page_number| other.may_have_spilled(key, page_number),
                &mut held,
            )
    }

    /// Whether `f` is true of an id (written out again) on the pages `pages` lets through
    /// (given the key and page number); stops at the first.
    fn find_id(
        &self,
        mut pages: impl FnMut(&[u8], u64) -> bool,
        mut f: impl FnMut(&str) -> bool,
    ) -> bool {
        let mut id = String::new();
        for (key, page_number, words) in self.pages() {
            if !pages(key, page_number) {
                continue;
            }
            let width = usize::from(key[0]);
            let prefix = String::from_utf8_lossy(&key[1..]);
            for (w, &word) in words.iter().enumerate() {
                for b in (0..64).filter(|b| word & (1 << b) != 0) {
                    let number = (page_number << PAGE_SHIFT) + (w as u64) * 64 + b;
                    id.clear();
                    let _ = write!(id, "{prefix}{number:0width$}");
                    if f(&id) {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Sets every bit set in `other` (made of ids none of which is here): every page of
    /// both is kept, closed or not, and the result is closed when either was. Two
    /// retired sets stay retired; the owner retires both or neither.
    pub fn absorb(&mut self, other: Numbers) {
        for (key, number, words) in other.pages() {
            let key_index = match self.prefixes.get(key) {
                Some(&index) => index,
                None => self.add_key(key),
            };
            let page = match self.index.get(&(key_index, number)) {
                Some(&page) => page,
                None => self.add_page(key_index, number),
            };
            for (mine, theirs) in self.pages[page].iter_mut().zip(words) {
                *mine |= theirs;
            }
        }
        self.len += other.len;
        if self.closed || other.closed {
            self.close();
        }
        self.ambiguous |= self.spilled() || other.spilled() || other.ambiguous;
        self.spill_count += other.spill_count;
        self.retired |= other.retired;
        if self.spills.is_empty() {
            self.spills = other.spills;
        } else {
            for (mine, theirs) in self.spills.iter_mut().zip(&other.spills) {
                *mine |= theirs;
            }
        }
        self.last = None;
    }
}

/// Sets the bit of a width, prefix and page number in a filter.
fn filter_set(filter: &mut [u64], width: u8, prefix: &[u8], page_number: u64) {
    let at = filter_bit(width, prefix, page_number);
    filter[at / 64] |= 1 << (at % 64);
}

/// Whether the bit of a width, prefix and page number is set in a filter (never in an
/// empty one).
fn filter_has(filter: &[u64], width: u8, prefix: &[u8], page_number: u64) -> bool {
    let at = filter_bit(width, prefix, page_number);
    filter
        .get(at / 64)
        .is_some_and(|word| word & (1 << (at % 64)) != 0)
}

/// The filter bit of a width, prefix and page number.
fn filter_bit(width: u8, prefix: &[u8], page_number: u64) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    width.hash(&mut h);
    prefix.hash(&mut h);
    page_number.hash(&mut h);
    (h.finish().wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 44) as usize % FILTER_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every id whose bit is set, written out again.
    fn ids(numbers: &Numbers) -> Vec<String> {
        let mut all = Numbers::with_free_entries(0);
        all.spill_count = 1;
        all.spills = vec![u64::MAX; FILTER_BITS / 64];
        let mut ids = Vec::new();
        numbers.any_spilled_in(&all, |id| {
            ids.push(id.to_string());
            false
        });
        ids.sort();
        ids
    }

    #[test]
    fn an_id_splits_into_prefix_and_number_and_is_written_back_the_same() {
        let long = format!("{}7", "p".repeat(33));
        type Parts<'a> = Option<(&'a str, u8, u64)>;
        let cases: [(&str, Parts); 12] = [
            ("PRJ-1001", Some(("PRJ-", 4, 1001))),
            ("4411", Some(("", 4, 4411))),
            ("#0", Some(("#", 1, 0))),
            ("AB1-23", Some(("AB1-", 2, 23))),
            ("Ä-5", Some(("Ä-", 1, 5))),
            ("INC0010042", Some(("INC", 7, 10042))),
            (
                "x9999999999999999999",
                Some(("x", 19, 9_999_999_999_999_999_999)),
            ),
            ("PRJ-", None),
            ("", None),
            ("PRJ-1 ", None),
            ("n18446744073709551615", None),
            (&long, None),
        ];
        for (id, expected) in cases {
            let got =
                split(id).map(|n| (std::str::from_utf8(n.prefix).unwrap(), n.width, n.number));
            assert_eq!(got, expected, "{id}");
            if let Some((prefix, width, number)) = got {
                let width = usize::from(width);
                assert_eq!(format!("{prefix}{number:0width$}"), id);
            }
        }
    }

    fn add(numbers: &mut Numbers, id: &str) -> Option<bool> {
        let bit = numbers.bit(split(id)?)?;
        let new = !numbers.is_set(bit);
        numbers.set(bit);
        Some(new)
    }

    #[test]
    fn counting_ids_take_a_page_per_512_numbers() {
        let mut numbers = Numbers::default();
        for i in 1..=100_000u64 {
            assert_eq!(add(&mut numbers, &format!("PRJ-{i}")), Some(true));
        }
        for i in (1..=100_000u64).rev() {
            assert_eq!(add(&mut numbers, &format!("PRJ-{i}")), Some(false));
        }
        assert_eq!(numbers.len(), 100_000);
        // Pages for each width's numbers: 1..9, 10..99, 100..511 and 512..999,
        // 1000..9999 (pages 1 to 19), 10000..99999 (19 to 195), and 100000.
        assert_eq!(numbers.pages.len(), 1 + 1 + 2 + 19 + 177 + 1);
        let lookup = |id: &str| numbers.lookup(split(id).unwrap());
        assert_eq!(lookup("PRJ-0"), Some(false));
        assert_eq!(lookup("PRJ-07"), Some(false));
        assert_eq!(lookup("PRJ-0000007"), None);
        assert_eq!(lookup("PRJ-100001"), Some(false));
        assert_eq!(lookup("PRJ-100352"), None);
        assert_eq!(lookup("prj-5"), None);
        assert_eq!(lookup("PRJ-99999"), Some(true));
        assert!(!numbers.closed);
    }

    #[test]
    fn zero_padded_numbers_stay_apart_from_the_same_numbers_unpadded() {
        let mut numbers = Numbers::default();
        for id in [
            "INC0010042",
            "INC10042",
            "INC010042",
            "A-7",
            "A-007",
            "A-07",
        ] {
            assert_eq!(add(&mut numbers, id), Some(true), "{id}");
        }
        assert_eq!(add(&mut numbers, "A-007"), Some(false));
        assert_eq!(numbers.len(), 6);
        assert_eq!(
            ids(&numbers),
            [
                "A-007",
                "A-07",
                "A-7",
                "INC0010042",
                "INC010042",
                "INC10042"
            ]
        );
    }

    #[test]
    fn scattered_numbers_close_the_set_and_memory_stays_bounded() {
        let mut numbers = Numbers::default();
        let mut refused = 0;
        for i in 0..50_000u64 {
            // A page each: a million apart.
            match add(&mut numbers, &format!("S-{}", i * 1_000_003)) {
                Some(new) => assert!(new),
                None => refused += 1,
            }
        }
        assert!(numbers.closed);
        assert!(
            numbers.pages.len() < FREE_ENTRIES,
            "{}",
            numbers.pages.len()
        );
        assert_eq!(numbers.len() + refused, 50_000);
        // Closed, the pages there still take their numbers.
        assert_eq!(add(&mut numbers, "S-1"), Some(true));
        assert_eq!(add(&mut numbers, "S-1"), Some(false));
        // A new prefix on most ids closes it too.
        let mut unique = Numbers::default();
        for i in 0..10_000u64 {
            add(&mut unique, &format!("Q{i:x}Z{i}"));
        }
        assert!(unique.closed && unique.keys.len() <= FREE_ENTRIES);
    }

    #[test]
    fn the_spill_filter_has_every_spilled_page() {
        let mut numbers = Numbers::default();
        let spilled: Vec<String> = (0..5000u64).map(|i| format!("S-{}", i * 7919)).collect();
        for id in &spilled {
            numbers.spill(split(id).unwrap());
        }
        assert!(numbers.spilled());
        for id in &spilled {
            let id = split(id).unwrap();
            assert!(numbers.may_have_spilled(Key::of(id).get(), id.number >> PAGE_SHIFT));
        }
        // Most other pages are clear: 5000 bits of a million set.
        let clear = (0..1000u64)
            .filter(|i| !numbers.may_have_spilled(Key::of(split("T-1").unwrap()).get(), *i))
            .count();
        assert!(clear > 980, "{clear}");
    }

    #[test]
    fn a_set_that_spills_most_ids_retires() {
        // Two prefixes (by width) and two pages for 50 ids: too few for more.
        let mut numbers = Numbers::with_free_entries(4);
        for i in 0..50u64 {
            add(&mut numbers, &format!("PRJ-{i}"));
        }
        let mut n = 0;
        while !numbers.should_retire() {
            let id = format!("{n:x}z{n}");
            assert_eq!(add(&mut numbers, &id), None, "{id}");
            numbers.spill(split(&id).unwrap());
            n += 1;
        }
        // At least 4 × 16 spilled, and more than four times the 50 bits: 204.
        assert_eq!(n, 204);
        let mut kept = Vec::new();
        numbers.retire(|id| kept.push(id.to_string()));
        assert_eq!(kept.len(), 50);
        assert!(kept.contains(&"PRJ-49".to_string()));
        assert!(numbers.retired() && numbers.len() == 0 && numbers.pages.is_empty());
        assert!(numbers.may_have_spilled(b"\x01A-", 0));
        assert_eq!(add(&mut numbers, "PRJ-5"), None);
    }

    #[test]
    fn ids_are_written_out_again_and_absorbed() {
        let mut a = Numbers::default();
        let mut b = Numbers::default();
        let mine = ["PRJ-1", "PRJ-512", "PRJ-9000", "77", "#0"];
        let theirs = ["PRJ-2", "PRJ-513", "OPS-1", "78"];
        for id in mine {
            add(&mut a, id);
        }
        for id in theirs {
            add(&mut b, id);
        }
        let mut expected: Vec<String> = mine.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(ids(&a), expected);
        assert!(!a.shares_any(&b) && !b.shares_any(&a));
        let mut c = Numbers::default();
        add(&mut c, "PRJ-9000");
        assert!(a.shares_any(&c) && c.shares_any(&a));
        a.absorb(b);
        assert_eq!(a.len(), 9);
        for id in mine.iter().chain(&theirs) {
            assert_eq!(add(&mut a, id), Some(false), "{id}");
        }
        assert_eq!(add(&mut a, "OPS-2"), Some(true));
    }
}
