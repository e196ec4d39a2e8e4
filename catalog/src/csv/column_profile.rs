//! The profile of one column over every row ([`ColumnProfiler`]), fed cell by cell in the
//! same pass that infers types, mergeable across the pieces of a parallel scan, and
//! finished into the wire shape ([`shared::ColumnProfile`]) once the column's type is known.
//!
//! A column starts by counting each distinct value exactly, which is all it does per cell
//! while there are at most [`EXACT_DISTINCT_VALUES`] of them in [`EXACT_DISTINCT_BYTES`]:
//! everything else (range, mean and deviation, lengths, true/false, histogram, top values)
//! is worked out from those counts at the end, exactly. Past that the column replays its
//! counts into a [`Summary`] and from then on summarises each cell as it comes, in memory
//! that does not grow with the table:
//! - the smallest and largest value as text (by bytes, on the first
//!   [`MAX_COMPARED_BYTES`]), as numbers and as moments (seconds since 1970 UTC), text
//!   lengths in characters, true/false counts;
//! - the mean and variance of the numbers (Welford's method, merged by Chan's formula);
//! - sketches from Apache DataSketches: HyperLogLog (`lg_k` [`HLL_LG_K`], about 0.8%
//!   standard error) of every value for the distinct count; a frequent-items sketch
//!   ([`FREQUENT_ITEMS_MAP`] counters) fed a random one in [`FREQUENT_ITEMS_SAMPLE`] cells
//!   (each counted that many times) for the top values; a t-digest ([`TDIGEST_K`]) of a
//!   random one in [`TDIGEST_SAMPLE`] numbers or moments for the histogram's shape, its
//!   counts scaled to the exact number of values. Sampling keeps the cost per cell near a
//!   hash and a few comparisons; the figures it feeds are estimates anyway, and say so.

use datasketches::frequencies::{ErrorType, FrequentItemsSketch};
use datasketches::hll::{Coupon, HllSketch, HllType, HllUnion};
use datasketches::tdigest::TDigestMut;
use hashbrown::HashMap;
use shared::dates::{CivilDate, datetime_from_seconds};
use shared::{ColumnProfile, ColumnType, HistogramBin, LengthSummary, ProfileValue, ValueCount};
use std::hash::BuildHasher;

use super::infer::{CellKinds, TypeInference, trimmed};

/// Distinct values counted exactly, at most (per column).
pub const EXACT_DISTINCT_VALUES: usize = 4096;
/// Bytes of distinct values kept for exact counting, at most (per column).
pub const EXACT_DISTINCT_BYTES: usize = 64 * 1024;
/// HyperLogLog's log2 of registers: 16,384 registers, 16 KiB, ~0.8% standard error.
pub const HLL_LG_K: u8 = 14;
/// Counters of the frequent-items sketch: a value is reported once it is more than about
/// 3.5 / 256 (1.4%) of the column's cells.
pub const FREQUENT_ITEMS_MAP: usize = 256;
/// One cell in this many (at random) goes to the frequent-items sketch, counted this often.
pub const FREQUENT_ITEMS_SAMPLE: u64 = 8;
/// The t-digest's compression: about 100 centroids.
pub const TDIGEST_K: u16 = 100;
/// One number (or moment) in this many (at random) goes to the t-digest.
pub const TDIGEST_SAMPLE: u64 = 4;
/// Text values are compared (for min and max) on at most this many first bytes.
pub const MAX_COMPARED_BYTES: usize = 4096;
/// Values are shown (top values, text min and max) with at most this many characters.
pub const MAX_SHOWN_CHARS: usize = 256;
/// Top values reported.
pub const TOP_VALUES: usize = 10;
/// Histogram bins, at most.
pub const HISTOGRAM_BINS: usize = 20;

/// One column's profile being computed.
#[derive(Debug, Clone, Default)]
pub struct ColumnProfiler {
    /// Non-empty cells (the empty ones are the rows less these: a short row's missing
    /// cells are empty too).
    values: u64,
    state: State,
}

#[derive(Debug, Clone)]
enum State {
    /// Every distinct value with its count.
    Exact {
        counts: HashMap<Box<[u8]>, u64>,
        bytes: usize,
    },
    /// Too many distinct values: each cell summarised as it comes.
    Summarised(Box<Summary>),
}

impl Default for State {
    fn default() -> Self {
        State::Exact {
            counts: HashMap::new(),
            bytes: 0,
        }
    }
}

/// What a column's cells add up to, cell by cell.
#[derive(Debug, Clone)]
struct Summary {
    trues: u64,
    falses: u64,
    text: TextRange,
    numbers: Moments,
    /// Integer min and max (meaningful when every number was an integer).
    integers: Option<(i64, i64)>,
    /// Dates and datetimes, as seconds since 1970-01-01 UTC.
    moments: Moments,
    distinct: HllSketch,
    frequent: FrequentItemsSketch<Vec<u8>>,
    number_digest: TDigestMut,
    moment_digest: TDigestMut,
    /// The state of the sampling's random numbers (xorshift).
    random: u64,
}

/// The hash every value goes into the HyperLogLog sketch with (fixed: the same value
/// always has the same hash, in every piece of a scan).
const VALUE_HASH: foldhash::quality::FixedState = foldhash::quality::FixedState::with_seed(0x5EED);

impl Summary {
    fn new() -> Self {
        // The parameters are constants within each sketch's documented range.
        #[allow(clippy::unwrap_used)]
        Self {
            trues: 0,
            falses: 0,
            text: TextRange::default(),
            numbers: Moments::default(),
            integers: None,
            moments: Moments::default(),
            distinct: HllSketch::new(HLL_LG_K, HllType::Hll8).unwrap(),
            frequent: FrequentItemsSketch::new(FREQUENT_ITEMS_MAP).unwrap(),
            number_digest: TDigestMut::new(TDIGEST_K).unwrap(),
            moment_digest: TDigestMut::new(TDIGEST_K).unwrap(),
            random: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// True one time in `one_in`, at random (deterministic from the start).
    fn sample(&mut self, one_in: u64) -> bool {
        self.random ^= self.random << 13;
        self.random ^= self.random >> 7;
        self.random ^= self.random << 17;
        self.random.is_multiple_of(one_in)
    }

    /// One non-empty cell, as type inference saw it.
    fn observe(&mut self, value: &[u8], kinds: CellKinds) {
        self.text.observe(value, 1);
        if kinds.is_number() {
            let integer = kinds.is_integer().then(|| parse_integer(value)).flatten();
            if let Some(integer) = integer {
                self.integers = Some(widen(self.integers, integer));
            }
            if let Some(number) = integer.map(|n| n as f64).or_else(|| parse_float(value)) {
                self.numbers.observe(number, 1);
                if self.sample(TDIGEST_SAMPLE) {
                    self.number_digest.update(number);
                }
            }
        }
        if kinds.is_datetime() {
            let seconds = if kinds.is_date() {
                date_seconds(value)
            } else {
                datetime_seconds(value)
            };
            if let Some(seconds) = seconds {
                self.moments.observe(seconds, 1);
                if self.sample(TDIGEST_SAMPLE) {
                    self.moment_digest.update(seconds);
                }
            }
        }
        if kinds.is_boolean() {
            self.count_boolean(value, 1);
        }
        self.distinct
            .update_with_coupon(Coupon::from_value(VALUE_HASH.hash_one(value)));
        if self.sample(FREQUENT_ITEMS_SAMPLE) {
            self.frequent
                .update_with_count_ref(shown_prefix(value), FREQUENT_ITEMS_SAMPLE);
        }
    }

    /// A value counted `count` times (replayed from exact counts): whatever it parses as,
    /// into the sketches too.
    fn absorb(&mut self, value: &[u8], count: u64) {
        self.absorb_exactly(value, count);
        for (parsed, into_numbers) in [(parse_number(value), true), (moment_seconds(value), false)]
        {
            let Some(parsed) = parsed else { continue };
            for _ in 0..count {
                if self.sample(TDIGEST_SAMPLE) {
                    let digest = if into_numbers {
                        &mut self.number_digest
                    } else {
                        &mut self.moment_digest
                    };
                    digest.update(parsed);
                }
            }
        }
        self.distinct
            .update_with_coupon(Coupon::from_value(VALUE_HASH.hash_one(value)));
        self.frequent
            .update_with_count_ref(shown_prefix(value), count);
    }

    fn count_boolean(&mut self, value: &[u8], count: u64) {
        if value.eq_ignore_ascii_case(b"true") {
            self.trues += count;
        } else {
            self.falses += count;
        }
    }

    fn merge(&mut self, other: &Summary) {
        self.trues += other.trues;
        self.falses += other.falses;
        self.text.merge(&other.text);
        self.numbers.merge(&other.numbers);
        self.moments.merge(&other.moments);
        if let Some((low, high)) = other.integers {
            self.integers = Some(widen(Some(widen(self.integers, low)), high));
        }
        // HLL_LG_K is within the union's documented range.
        #[allow(clippy::unwrap_used)]
        let mut union = HllUnion::new(HLL_LG_K).unwrap();
        union.update(&self.distinct);
        union.update(&other.distinct);
        self.distinct = union.to_sketch(HllType::Hll8);
        self.frequent.merge(&other.frequent);
        self.number_digest.merge(&other.number_digest);
        self.moment_digest.merge(&other.moment_digest);
    }
}

fn widen(range: Option<(i64, i64)>, value: i64) -> (i64, i64) {
    match range {
        Some((low, high)) => (low.min(value), high.max(value)),
        None => (value, value),
    }
}

/// Smallest and largest text, and lengths.
#[derive(Debug, Clone, Default)]
struct TextRange {
    min: Option<Vec<u8>>,
    max: Option<Vec<u8>>,
    /// [`prefix_key`] of `min` and of `max`: most values' own key is strictly between the
    /// two, which settles that they are neither, without comparing their bytes.
    min_key: u64,
    max_key: u64,
    shortest: u64,
    longest: u64,
    total_chars: u64,
}

impl TextRange {
    /// A value seen `count` times.
    fn observe(&mut self, value: &[u8], count: u64) {
        let compared = &value[..value.len().min(MAX_COMPARED_BYTES)];
        let key = prefix_key(compared);
        let chars = char_count(value);
        self.total_chars += chars * count;
        match (&mut self.min, &mut self.max) {
            (Some(min), Some(max)) => {
                if key > self.min_key && key < self.max_key {
                    // Strictly between the two: neither.
                } else if compared < min.as_slice() {
                    replace(min, compared);
                    self.min_key = key;
                } else if compared > max.as_slice() {
                    replace(max, compared);
                    self.max_key = key;
                }
                self.shortest = self.shortest.min(chars);
                self.longest = self.longest.max(chars);
            }
            _ => {
                (self.min, self.max) = (Some(compared.to_vec()), Some(compared.to_vec()));
                (self.min_key, self.max_key) = (key, key);
                (self.shortest, self.longest) = (chars, chars);
            }
        }
    }

    fn merge(&mut self, other: &TextRange) {
        let (Some(their_min), Some(their_max)) = (&other.min, &other.max) else {
            return;
        };
        self.total_chars += other.total_chars;
        match (&mut self.min, &mut self.max) {
            (Some(min), Some(max)) => {
                if their_min < min {
                    replace(min, their_min);
                    self.min_key = other.min_key;
                }
                if their_max > max {
                    replace(max, their_max);
                    self.max_key = other.max_key;
                }
                self.shortest = self.shortest.min(other.shortest);
                self.longest = self.longest.max(other.longest);
            }
            _ => {
                (self.min, self.max) = (Some(their_min.clone()), Some(their_max.clone()));
                (self.min_key, self.max_key) = (other.min_key, other.max_key);
                (self.shortest, self.longest) = (other.shortest, other.longest);
            }
        }
    }
}

/// The first 8 bytes of `value` as a big-endian number, shorter values padded with zeros.
/// Keys order as values do, loosely: `a`'s key below `b`'s means `a < b` (equal keys say
/// nothing, as `ab` and `ab\0` show).
fn prefix_key(value: &[u8]) -> u64 {
    match value.first_chunk::<8>() {
        Some(first) => u64::from_be_bytes(*first),
        None => value.iter().enumerate().fold(0, |key, (index, &byte)| {
            key | u64::from(byte) << (56 - 8 * index)
        }),
    }
}

fn replace(kept: &mut Vec<u8>, value: &[u8]) {
    kept.clear();
    kept.extend_from_slice(value);
}

/// Characters in UTF-8 text (bytes that do not continue a character).
fn char_count(value: &[u8]) -> u64 {
    value.iter().filter(|&&byte| (byte as i8) >= -0x40).count() as u64
}

/// Count, range, mean and sum of squared deviations of some numbers.
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    count: u64,
    min: f64,
    max: f64,
    mean: f64,
    squares: f64,
}

impl Moments {
    /// A value seen `count` times.
    fn observe(&mut self, value: f64, count: u64) {
        if count == 1 && self.count > 0 {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
            self.count += 1;
            let delta = value - self.mean;
            self.mean += delta / self.count as f64;
            self.squares += delta * (value - self.mean);
            return;
        }
        self.merge(&Moments {
            count,
            min: value,
            max: value,
            mean: value,
            squares: 0.0,
        });
    }

    fn merge(&mut self, other: &Moments) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let count = self.count + other.count;
        let delta = other.mean - self.mean;
        let (ours, theirs) = (self.count as f64, other.count as f64);
        self.mean += delta * theirs / count as f64;
        self.squares += other.squares + delta * delta * ours * theirs / count as f64;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.count = count;
    }

    fn stddev(&self) -> Option<f64> {
        (self.count > 1).then(|| (self.squares / (self.count - 1) as f64).sqrt())
    }
}

impl ColumnProfiler {
    /// One cell of the column, which also narrows the column's `types`. While values are
    /// counted exactly, a value seen before is only counted: its type was checked the first
    /// time (and seeing it again would not narrow the types further).
    pub fn observe(&mut self, types: &mut TypeInference, cell: &[u8]) {
        let value = trimmed(cell);
        if value.is_empty() {
            return;
        }
        self.values += 1;
        match &mut self.state {
            State::Exact { counts, bytes } => {
                if let Some(count) = counts.get_mut(value) {
                    *count += 1;
                    return;
                }
                let kinds = types.observe_value(value);
                if counts.len() < EXACT_DISTINCT_VALUES
                    && *bytes + value.len() <= EXACT_DISTINCT_BYTES
                {
                    *bytes += value.len();
                    counts.insert(Box::from(value), 1);
                } else {
                    self.summarise().observe(value, kinds);
                }
            }
            State::Summarised(summary) => summary.observe(value, types.observe_value(value)),
        }
    }

    /// The column's [`Summary`], made from its exact counts the first time.
    fn summarise(&mut self) -> &mut Summary {
        if let State::Exact { counts, .. } = &self.state {
            let mut summary = Box::new(Summary::new());
            for (value, &count) in counts {
                summary.absorb(value, count);
            }
            self.state = State::Summarised(summary);
        }
        match &mut self.state {
            State::Summarised(summary) => summary,
            State::Exact { .. } => unreachable!("summarised just above"),
        }
    }

    /// Adds what another part of the same column saw.
    pub fn merge(&mut self, other: &ColumnProfiler) {
        self.values += other.values;
        match &other.state {
            State::Exact { counts: theirs, .. } => {
                for (value, &count) in theirs {
                    self.count_value(value, count);
                }
            }
            State::Summarised(theirs) => self.summarise().merge(theirs),
        }
    }

    /// A value seen `count` times elsewhere (values are counted by the caller).
    fn count_value(&mut self, value: &[u8], count: u64) {
        if let State::Exact { counts, bytes } = &mut self.state {
            if let Some(kept) = counts.get_mut(value) {
                *kept += count;
                return;
            }
            if counts.len() < EXACT_DISTINCT_VALUES && *bytes + value.len() <= EXACT_DISTINCT_BYTES
            {
                *bytes += value.len();
                counts.insert(Box::from(value), count);
                return;
            }
        }
        self.summarise().absorb(value, count);
    }

    /// The profile of the column, now that its type over every row (of `rows`) is known.
    pub fn finish(&self, name: &str, column_type: ColumnType, rows: u64) -> ColumnProfile {
        let mut profile = ColumnProfile {
            name: name.to_owned(),
            column_type,
            empty: rows.saturating_sub(self.values),
            distinct: 0,
            distinct_exact: true,
            min: None,
            max: None,
            mean: None,
            stddev: None,
            top_values: Vec::new(),
            top_values_exact: true,
            histogram: Vec::new(),
            histogram_exact: false,
            length: None,
            true_count: None,
            false_count: None,
        };
        let exact_summary;
        let (summary, exact_counts) = match &self.state {
            State::Exact { counts, .. } => {
                profile.distinct = counts.len() as u64;
                profile.top_values = exact_top_values(counts);
                let mut summary = Summary::new();
                for (value, &count) in counts {
                    summary.absorb_exactly(value, count);
                }
                exact_summary = summary;
                (&exact_summary, Some(counts))
            }
            State::Summarised(summary) => {
                // The estimate never says more values than cells.
                let estimate = summary.distinct.estimate().round() as u64;
                profile.distinct = estimate.min(self.values);
                profile.distinct_exact = false;
                profile.top_values = sketched_top_values(&summary.frequent);
                profile.top_values_exact = false;
                (summary.as_ref(), None)
            }
        };
        if self.values == 0 {
            return profile;
        }
        match column_type {
            ColumnType::Integer | ColumnType::Float => {
                let numbers = &summary.numbers;
                let integers = summary
                    .integers
                    .filter(|_| column_type == ColumnType::Integer);
                (profile.min, profile.max) = match integers {
                    Some((min, max)) => (
                        Some(ProfileValue::Integer(min)),
                        Some(ProfileValue::Integer(max)),
                    ),
                    None => (
                        Some(ProfileValue::Float(numbers.min)),
                        Some(ProfileValue::Float(numbers.max)),
                    ),
                };
                profile.mean = Some(numbers.mean);
                profile.stddev = numbers.stddev();
                let scale = if integers.is_some() {
                    Scale::Whole
                } else {
                    Scale::Continuous
                };
                (profile.histogram, profile.histogram_exact) = histogram(
                    numbers,
                    scale,
                    exact_counts,
                    parse_number,
                    &summary.number_digest,
                );
            }
            ColumnType::Date | ColumnType::Datetime => {
                let moments = &summary.moments;
                let show = |seconds: f64| {
                    ProfileValue::Text(if column_type == ColumnType::Date {
                        CivilDate::from_days((seconds / 86_400.0).floor() as i64).to_string()
                    } else {
                        datetime_from_seconds(seconds)
                    })
                };
                profile.min = Some(show(moments.min));
                profile.max = Some(show(moments.max));
                let scale = if column_type == ColumnType::Date {
                    Scale::Days
                } else {
                    Scale::Continuous
                };
                let (bins, exact) = histogram(
                    moments,
                    scale,
                    exact_counts,
                    moment_seconds,
                    &summary.moment_digest,
                );
                profile.histogram = bins
                    .into_iter()
                    .map(|bin| HistogramBin {
                        low: show(as_f64(&bin.low)),
                        high: show(as_f64(&bin.high)),
                        count: bin.count,
                    })
                    .collect();
                profile.histogram_exact = exact;
            }
            ColumnType::Boolean => {
                profile.true_count = Some(summary.trues);
                profile.false_count = Some(summary.falses);
            }
            ColumnType::Text => {
                let text = &summary.text;
                let shown = |bytes: &Option<Vec<u8>>| {
                    bytes
                        .as_deref()
                        .map(|bytes| ProfileValue::Text(shown_text(bytes)))
                };
                profile.min = shown(&text.min);
                profile.max = shown(&text.max);
                profile.length = Some(LengthSummary {
                    min: text.shortest,
                    max: text.longest,
                    mean: text.total_chars as f64 / self.values as f64,
                });
            }
        }
        profile
    }
}

impl Summary {
    /// [`Summary::absorb`] without the sketches (the exact counts stand in for them).
    fn absorb_exactly(&mut self, value: &[u8], count: u64) {
        self.text.observe(value, count);
        if let Some(integer) = parse_integer(value) {
            self.integers = Some(widen(self.integers, integer));
        }
        if let Some(number) = parse_number(value) {
            self.numbers.observe(number, count);
        }
        if let Some(seconds) = moment_seconds(value) {
            self.moments.observe(seconds, count);
        }
        if value.eq_ignore_ascii_case(b"true") || value.eq_ignore_ascii_case(b"false") {
            self.count_boolean(value, count);
        }
    }
}

/// The most frequent values, most frequent first, ties by value.
fn exact_top_values(counts: &HashMap<Box<[u8]>, u64>) -> Vec<ValueCount> {
    let mut rows: Vec<(&[u8], u64)> = counts
        .iter()
        .map(|(value, &count)| (value.as_ref(), count))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    rows.truncate(TOP_VALUES);
    rows.into_iter()
        .map(|(value, count)| ValueCount {
            value: shown_text(value),
            count,
        })
        .collect()
}

/// The values the sketch is sure are frequent (no false positives), with their estimates.
fn sketched_top_values(sketch: &FrequentItemsSketch<Vec<u8>>) -> Vec<ValueCount> {
    let mut rows: Vec<(Vec<u8>, u64)> = sketch
        .frequent_items(ErrorType::NoFalsePositives)
        .into_iter()
        .map(|row| (row.item().clone(), row.estimate()))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(TOP_VALUES);
    rows.into_iter()
        .map(|(value, count)| ValueCount {
            value: shown_text(&value),
            count,
        })
        .collect()
}

/// Bins of equal width from the smallest to the largest value: counted exactly from the
/// distinct values when they are all known, else from the t-digest's distribution
/// (rounded so the counts still add up to the values).
fn histogram(
    moments: &Moments,
    scale: Scale,
    exact_counts: Option<&HashMap<Box<[u8]>, u64>>,
    parse: fn(&[u8]) -> Option<f64>,
    digest: &TDigestMut,
) -> (Vec<HistogramBin>, bool) {
    if moments.count == 0 {
        return (Vec::new(), false);
    }
    let edges = bin_edges(moments.min, moments.max, scale);
    let bins = edges.len() - 1;
    if let Some(counts) = exact_counts {
        let mut binned = vec![0u64; bins];
        for (value, &count) in counts {
            if let Some(number) = parse(value) {
                binned[bin_of(&edges, number)] += count;
            }
        }
        return (to_bins(&edges, &binned, scale), true);
    }
    let mut digest = digest.clone();
    let ranks = digest
        .cdf(&edges[1..bins])
        .ok()
        .flatten()
        .unwrap_or_default();
    let counts = spread(moments.count, &ranks, bins);
    (to_bins(&edges, &counts, scale), false)
}

/// How values fall into bins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scale {
    /// Whole numbers: bins of a whole width, each holding `low..=high`.
    Whole,
    /// Days (as seconds): bins of whole days.
    Days,
    Continuous,
}

/// `bins + 1` edges; a value `v` is in bin `i` when `edges[i] <= v < edges[i + 1]` (the
/// last bin includes its upper edge).
fn bin_edges(min: f64, max: f64, scale: Scale) -> Vec<f64> {
    let unit = match scale {
        Scale::Whole => 1.0,
        Scale::Days => 86_400.0,
        Scale::Continuous => 0.0,
    };
    if unit > 0.0 {
        let steps = ((max - min) / unit).round() + 1.0;
        let width = (steps / HISTOGRAM_BINS as f64).ceil().max(1.0) * unit;
        let bins = ((max - min + unit) / width).ceil().max(1.0) as usize;
        return (0..=bins).map(|i| min + width * i as f64).collect();
    }
    if max <= min {
        return vec![min, max];
    }
    let width = (max - min) / HISTOGRAM_BINS as f64;
    let mut edges: Vec<f64> = (0..HISTOGRAM_BINS)
        .map(|i| min + width * i as f64)
        .collect();
    edges.push(max);
    edges
}

fn bin_of(edges: &[f64], value: f64) -> usize {
    let bins = edges.len() - 1;
    edges[1..bins].partition_point(|&edge| edge <= value)
}

fn to_bins(edges: &[f64], counts: &[u64], scale: Scale) -> Vec<HistogramBin> {
    counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let (low, next) = (edges[i], edges[i + 1]);
            let (low, high) = match scale {
                Scale::Whole => (
                    ProfileValue::Integer(low as i64),
                    ProfileValue::Integer(next as i64 - 1),
                ),
                Scale::Days => (
                    ProfileValue::Float(low),
                    ProfileValue::Float(next - 86_400.0),
                ),
                Scale::Continuous => (ProfileValue::Float(low), ProfileValue::Float(next)),
            };
            HistogramBin { low, high, count }
        })
        .collect()
}

/// Counts per bin from the cumulative shares at the inner edges, rounded by largest
/// remainder so they add up to `total`.
fn spread(total: u64, ranks: &[f64], bins: usize) -> Vec<u64> {
    let mut cumulative = vec![0.0];
    cumulative.extend(ranks.iter().take(bins - 1).map(|r| r.clamp(0.0, 1.0)));
    cumulative.push(1.0);
    let shares: Vec<f64> = cumulative
        .windows(2)
        .map(|pair| (pair[1] - pair[0]).max(0.0) * total as f64)
        .collect();
    let mut counts: Vec<u64> = shares.iter().map(|share| share.floor() as u64).collect();
    let missing = total.saturating_sub(counts.iter().sum());
    let mut by_remainder: Vec<usize> = (0..bins).collect();
    by_remainder.sort_by(|&a, &b| {
        let remainder = |i: usize| shares[i] - shares[i].floor();
        remainder(b).total_cmp(&remainder(a))
    });
    for &i in by_remainder.iter().cycle().take(missing as usize) {
        counts[i] += 1;
    }
    counts
}

fn as_f64(value: &ProfileValue) -> f64 {
    match value {
        ProfileValue::Integer(v) => *v as f64,
        ProfileValue::Float(v) => *v,
        ProfileValue::Text(_) => 0.0,
    }
}

/// A whole number of at most 18 digits (longer ones go through the float parser).
fn parse_integer(value: &[u8]) -> Option<i64> {
    let (negative, digits) = match value {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, value),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return std::str::from_utf8(value).ok()?.parse().ok();
    }
    let magnitude = digits
        .iter()
        .fold(0i64, |n, digit| n * 10 + i64::from(digit - b'0'));
    Some(if negative { -magnitude } else { magnitude })
}

fn parse_float(value: &[u8]) -> Option<f64> {
    std::str::from_utf8(value)
        .ok()?
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

/// A cell as a number, whatever its form (for replays and histograms).
fn parse_number(value: &[u8]) -> Option<f64> {
    parse_integer(value)
        .map(|n| n as f64)
        .or_else(|| parse_float(value))
}

/// A date or datetime cell as seconds since 1970-01-01 UTC.
fn moment_seconds(value: &[u8]) -> Option<f64> {
    if value.len() == 10 {
        date_seconds(value)
    } else {
        datetime_seconds(value)
    }
}

fn digits(bytes: &[u8]) -> Option<u32> {
    (!bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)).then(|| {
        bytes.iter().fold(0u32, |n, digit| {
            n.saturating_mul(10).saturating_add(u32::from(digit - b'0'))
        })
    })
}

/// `YYYY-MM-DD` as seconds (midnight UTC).
fn date_seconds(value: &[u8]) -> Option<f64> {
    if value.len() < 10 || value[4] != b'-' || value[7] != b'-' {
        return None;
    }
    let date = CivilDate {
        year: i64::from(digits(&value[..4])?),
        month: digits(&value[5..7])?,
        day: digits(&value[8..10])?,
    };
    Some(date.days() as f64 * 86_400.0)
}

/// A datetime the type inference accepted (`YYYY-MM-DD[T ]HH:MM[:SS[.f]][Z|±HH[:]MM]`) as
/// seconds since 1970 UTC; without an offset it is taken as UTC.
fn datetime_seconds(value: &[u8]) -> Option<f64> {
    let day = date_seconds(value)?;
    let time = value.get(11..)?;
    let (time, offset) = split_offset(time);
    let mut parts = time.split(|&b| b == b':');
    let hours = f64::from(digits(parts.next()?)?);
    let minutes = f64::from(digits(parts.next()?)?);
    let seconds = match parts.next() {
        Some(seconds) => std::str::from_utf8(seconds).ok()?.parse::<f64>().ok()?,
        None => 0.0,
    };
    Some(day + hours * 3600.0 + minutes * 60.0 + seconds - offset)
}

/// The time without its zone, and the zone's offset from UTC in seconds.
fn split_offset(time: &[u8]) -> (&[u8], f64) {
    if let [rest @ .., b'Z' | b'z'] = time {
        return (rest, 0.0);
    }
    match time.iter().rposition(|b| matches!(b, b'+' | b'-')) {
        Some(at) if at >= 5 => {
            let zone: Vec<u8> = time[at + 1..]
                .iter()
                .copied()
                .filter(|&b| b != b':')
                .collect();
            let (Some(hours), Some(minutes)) = (
                zone.get(..2).and_then(digits),
                zone.get(2..4).and_then(digits),
            ) else {
                return (time, 0.0);
            };
            let sign = if time[at] == b'-' { -1.0 } else { 1.0 };
            (
                &time[..at],
                sign * (f64::from(hours) * 3600.0 + f64::from(minutes) * 60.0),
            )
        }
        _ => (time, 0.0),
    }
}

/// The first bytes of a value that are shown (whole characters, at most
/// [`MAX_SHOWN_CHARS`] of them; about 4 bytes each at most).
fn shown_prefix(value: &[u8]) -> &[u8] {
    if value.len() <= MAX_SHOWN_CHARS {
        return value;
    }
    let mut end = MAX_SHOWN_CHARS;
    while end > 0 && (value[end] as i8) < -0x40 {
        end -= 1;
    }
    &value[..end]
}

/// A value as shown: text, cut at [`MAX_SHOWN_CHARS`] characters with `…`.
fn shown_text(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    super::cut_text(&text, MAX_SHOWN_CHARS).unwrap_or_else(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A column of `count` distinct values of `bytes` bytes each, every value twice.
    fn profile_of(count: usize, bytes: usize) -> ColumnProfile {
        let mut column = ColumnProfiler::default();
        let mut types = TypeInference::default();
        for _ in 0..2 {
            for value in 0..count {
                let cell = format!("{value:0>width$}x", width = bytes - 1);
                column.observe(&mut types, cell.as_bytes());
            }
        }
        column.finish("c", types.result(), 2 * count as u64)
    }

    #[test]
    fn exact_counts_stop_at_their_bounds_in_values_and_in_bytes() {
        // 50 KiB of distinct values: still exact. 100 KiB: over EXACT_DISTINCT_BYTES.
        assert!(profile_of(50, 1024).distinct_exact);
        let wide = profile_of(100, 1024);
        assert!(!wide.distinct_exact);
        assert!(wide.distinct.abs_diff(100) <= 2, "{}", wide.distinct);
        // Short values: exact up to EXACT_DISTINCT_VALUES of them, sketched past it.
        assert!(profile_of(EXACT_DISTINCT_VALUES, 8).distinct_exact);
        assert!(!profile_of(EXACT_DISTINCT_VALUES + 1, 8).distinct_exact);
    }

    /// Short values, shared prefixes, zero bytes and values past 8 bytes, in two halves
    /// merged: the same smallest and largest as comparing every value whole.
    #[test]
    fn text_ranges_keyed_on_prefixes_find_the_true_smallest_and_largest() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let mut random = StdRng::seed_from_u64(0x7E47);
        for case in 0..2_000 {
            let values: Vec<Vec<u8>> = (0..random.random_range(1..40))
                .map(|_| {
                    let length = random.random_range(0..12);
                    (0..length)
                        .map(|_| [0, b'a', b'b', 0xFF][random.random_range(0..4)])
                        .collect()
                })
                .collect();
            let (mut first, mut second) = (TextRange::default(), TextRange::default());
            let half = values.len() / 2;
            for value in &values[..half] {
                first.observe(value, 1);
            }
            for value in &values[half..] {
                second.observe(value, 1);
            }
            first.merge(&second);
            let range = |text: &TextRange| (text.min.clone(), text.max.clone());
            let expected = (values.iter().min().cloned(), values.iter().max().cloned());
            assert_eq!(range(&first), expected, "case {case}: {values:?}");
        }
    }
}
