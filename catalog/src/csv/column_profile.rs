//! The profile of one column over every row ([`ColumnProfiler`]), fed cell by cell in the
//! same pass that infers types, mergeable across the pieces of a parallel scan, and
//! finished into the wire shape ([`shared::ColumnProfile`]) once the column's type is known.
//!
//! What it keeps, in memory that does not grow with the table:
//! - counts of empty cells, non-empty cells, `true` and `false`;
//! - the smallest and largest value as text (by bytes, on the first
//!   [`MAX_COMPARED_BYTES`]), as numbers and as moments (seconds since 1970), and text
//!   lengths in characters;
//! - the mean and variance of the numbers (Welford's method, merged by Chan's formula);
//! - every distinct value with its count while there are at most [`EXACT_DISTINCT_VALUES`]
//!   of them in [`EXACT_DISTINCT_BYTES`]: distinct count, top values and histogram are then
//!   exact. Past that the column moves to sketches from Apache DataSketches: HyperLogLog
//!   (`lg_k` [`HLL_LG_K`], about 0.8% standard error) for the distinct count, a
//!   frequent-items sketch ([`FREQUENT_ITEMS_MAP`] counters) for the top values, and a
//!   t-digest ([`TDIGEST_K`]) of the numbers or moments for the histogram. The values
//!   counted so far are replayed into the sketches when the column moves.

use datasketches::frequencies::{ErrorType, FrequentItemsSketch};
use datasketches::hll::{HllSketch, HllType, HllUnion};
use datasketches::tdigest::TDigestMut;
use hashbrown::HashMap;
use shared::dates::{CivilDate, datetime_from_seconds};
use shared::{ColumnProfile, ColumnType, HistogramBin, LengthSummary, ProfileValue, ValueCount};

use super::infer::CellKinds;

/// Distinct values counted exactly, at most (per column).
pub const EXACT_DISTINCT_VALUES: usize = 1024;
/// Bytes of distinct values kept for exact counting, at most (per column).
pub const EXACT_DISTINCT_BYTES: usize = 64 * 1024;
/// HyperLogLog's log2 of registers: 16,384 registers, 16 KiB, ~0.8% standard error.
pub const HLL_LG_K: u8 = 14;
/// Counters of the frequent-items sketch: a value is reported once it is more than about
/// 3.5 / 256 (1.4%) of the column's cells.
pub const FREQUENT_ITEMS_MAP: usize = 256;
/// The t-digest's compression: about 100 centroids.
pub const TDIGEST_K: u16 = 100;
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
    trues: u64,
    falses: u64,
    text: TextRange,
    numbers: Moments,
    /// Integer min and max (meaningful while every number was an integer).
    integers: Option<(i64, i64)>,
    /// Dates and datetimes, as seconds since 1970-01-01 UTC.
    moments: Moments,
    distinct: Distinct,
}

/// Values counted exactly, or sketched once there are too many.
#[derive(Debug, Clone)]
enum Distinct {
    Exact {
        counts: HashMap<Box<[u8]>, u64>,
        bytes: usize,
    },
    Sketched(Box<Sketches>),
}

impl Default for Distinct {
    fn default() -> Self {
        Distinct::Exact {
            counts: HashMap::new(),
            bytes: 0,
        }
    }
}

#[derive(Debug, Clone)]
struct Sketches {
    distinct: HllSketch,
    frequent: FrequentItemsSketch<Vec<u8>>,
    /// Numbers (or moments, for a date column): for the histogram.
    numbers: TDigestMut,
    moments: TDigestMut,
}

impl Sketches {
    fn new() -> Self {
        // The parameters are constants within each sketch's documented range.
        #[allow(clippy::unwrap_used)]
        Self {
            distinct: HllSketch::new(HLL_LG_K, HllType::Hll8).unwrap(),
            frequent: FrequentItemsSketch::new(FREQUENT_ITEMS_MAP).unwrap(),
            numbers: TDigestMut::new(TDIGEST_K).unwrap(),
            moments: TDigestMut::new(TDIGEST_K).unwrap(),
        }
    }

    /// One value seen `count` times.
    fn add(&mut self, value: &[u8], count: u64) {
        self.distinct.update(value);
        self.frequent
            .update_with_count(shown_prefix(value).to_vec(), count);
        if let Some(number) = parse_number(value) {
            for _ in 0..count {
                self.numbers.update(number);
            }
        }
        if let Some(seconds) = moment_seconds(value) {
            for _ in 0..count {
                self.moments.update(seconds);
            }
        }
    }

    fn merge(&mut self, other: &Sketches) {
        let mut union = HllUnion::new(HLL_LG_K).unwrap_or_else(|_| unreachable_union());
        union.update(&self.distinct);
        union.update(&other.distinct);
        self.distinct = union.to_sketch(HllType::Hll8);
        self.frequent.merge(&other.frequent);
        self.numbers.merge(&other.numbers);
        self.moments.merge(&other.moments);
    }
}

fn unreachable_union() -> HllUnion {
    // HLL_LG_K is within the union's range; this is never reached.
    #[allow(clippy::unwrap_used)]
    HllUnion::new(12).unwrap()
}

/// Smallest and largest text, and lengths.
#[derive(Debug, Clone, Default)]
struct TextRange {
    min: Option<Vec<u8>>,
    max: Option<Vec<u8>>,
    shortest: u64,
    longest: u64,
    total_chars: u64,
}

impl TextRange {
    fn observe(&mut self, value: &[u8]) {
        let compared = &value[..value.len().min(MAX_COMPARED_BYTES)];
        let chars = char_count(value);
        self.total_chars += chars;
        match (&mut self.min, &mut self.max) {
            (Some(min), Some(max)) => {
                if compared < min.as_slice() {
                    replace(min, compared);
                } else if compared > max.as_slice() {
                    replace(max, compared);
                }
                self.shortest = self.shortest.min(chars);
                self.longest = self.longest.max(chars);
            }
            _ => {
                (self.min, self.max) = (Some(compared.to_vec()), Some(compared.to_vec()));
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
                }
                if their_max > max {
                    replace(max, their_max);
                }
                self.shortest = self.shortest.min(other.shortest);
                self.longest = self.longest.max(other.longest);
            }
            _ => {
                (self.min, self.max) = (Some(their_min.clone()), Some(their_max.clone()));
                (self.shortest, self.longest) = (other.shortest, other.longest);
            }
        }
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
    fn observe(&mut self, value: f64) {
        if self.count == 0 {
            (self.min, self.max) = (value, value);
        } else {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
        }
        self.count += 1;
        let delta = value - self.mean;
        self.mean += delta / self.count as f64;
        self.squares += delta * (value - self.mean);
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
    /// A non-empty cell: its trimmed `value` and what [`super::infer::TypeInference`] found
    /// it to be.
    pub fn observe(&mut self, value: &[u8], kinds: CellKinds) {
        self.values += 1;
        self.text.observe(value);
        if kinds.is_number() {
            let integer = kinds.is_integer().then(|| parse_integer(value)).flatten();
            if let Some(integer) = integer {
                self.integers = Some(match self.integers {
                    Some((min, max)) => (min.min(integer), max.max(integer)),
                    None => (integer, integer),
                });
            }
            let number = integer.map(|n| n as f64).or_else(|| parse_float(value));
            if let Some(number) = number {
                self.numbers.observe(number);
                self.sketch_number(number, true);
            }
        }
        if kinds.is_datetime() {
            let seconds = if kinds.is_date() {
                date_seconds(value)
            } else {
                datetime_seconds(value)
            };
            if let Some(seconds) = seconds {
                self.moments.observe(seconds);
                self.sketch_number(seconds, false);
            }
        }
        if kinds.is_boolean() {
            if value.eq_ignore_ascii_case(b"true") {
                self.trues += 1;
            } else {
                self.falses += 1;
            }
        }
        self.count_value(value);
    }

    fn sketch_number(&mut self, value: f64, is_number: bool) {
        if let Distinct::Sketched(sketches) = &mut self.distinct {
            if is_number {
                sketches.numbers.update(value);
            } else {
                sketches.moments.update(value);
            }
        }
    }

    fn count_value(&mut self, value: &[u8]) {
        match &mut self.distinct {
            Distinct::Exact { counts, bytes } => {
                if let Some(count) = counts.get_mut(value) {
                    *count += 1;
                    return;
                }
                if counts.len() < EXACT_DISTINCT_VALUES
                    && *bytes + value.len() <= EXACT_DISTINCT_BYTES
                {
                    *bytes += value.len();
                    counts.insert(Box::from(value), 1);
                    return;
                }
                self.start_sketching();
                self.count_value(value);
            }
            Distinct::Sketched(sketches) => {
                sketches.distinct.update(value);
                sketches.frequent.update_ref(shown_prefix(value));
            }
        }
    }

    /// Moves from exact counts to sketches, replaying what was counted.
    fn start_sketching(&mut self) {
        let mut sketches = Box::new(Sketches::new());
        if let Distinct::Exact { counts, .. } = &self.distinct {
            for (value, &count) in counts {
                sketches.add(value, count);
            }
        }
        self.distinct = Distinct::Sketched(sketches);
    }

    /// Adds what another part of the same column saw.
    pub fn merge(&mut self, other: &ColumnProfiler) {
        self.values += other.values;
        self.trues += other.trues;
        self.falses += other.falses;
        self.text.merge(&other.text);
        self.numbers.merge(&other.numbers);
        self.moments.merge(&other.moments);
        self.integers = match (self.integers, other.integers) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (ours, theirs) => ours.or(theirs),
        };
        match &other.distinct {
            Distinct::Exact { counts: theirs, .. } => {
                for (value, &count) in theirs {
                    self.count_value_times(value, count);
                }
            }
            Distinct::Sketched(theirs) => {
                if let Distinct::Exact { .. } = self.distinct {
                    self.start_sketching();
                }
                if let Distinct::Sketched(ours) = &mut self.distinct {
                    ours.merge(theirs);
                }
            }
        }
    }

    fn count_value_times(&mut self, value: &[u8], count: u64) {
        if let Distinct::Exact { counts, bytes } = &mut self.distinct {
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
            self.start_sketching();
        }
        if let Distinct::Sketched(sketches) = &mut self.distinct {
            sketches.add(value, count);
        }
    }

    /// The profile of the column, now that its type over every row (of `rows`) is known.
    pub fn finish(&self, name: &str, column_type: ColumnType, rows: u64) -> ColumnProfile {
        let (distinct, distinct_exact) = match &self.distinct {
            Distinct::Exact { counts, .. } => (counts.len() as u64, true),
            Distinct::Sketched(sketches) => {
                // The estimate never says more values than cells.
                let estimate = sketches.distinct.estimate().round() as u64;
                (estimate.min(self.values), false)
            }
        };
        let (top_values, top_values_exact) = self.top_values();
        let mut profile = ColumnProfile {
            name: name.to_owned(),
            column_type,
            empty: rows.saturating_sub(self.values),
            distinct,
            distinct_exact,
            min: None,
            max: None,
            mean: None,
            stddev: None,
            top_values,
            top_values_exact,
            histogram: Vec::new(),
            histogram_exact: false,
            length: None,
            true_count: None,
            false_count: None,
        };
        if self.values == 0 {
            return profile;
        }
        match column_type {
            ColumnType::Integer | ColumnType::Float => {
                let integers = self.integers.filter(|_| column_type == ColumnType::Integer);
                (profile.min, profile.max) = match integers {
                    Some((min, max)) => (
                        Some(ProfileValue::Integer(min)),
                        Some(ProfileValue::Integer(max)),
                    ),
                    None => (
                        Some(ProfileValue::Float(self.numbers.min)),
                        Some(ProfileValue::Float(self.numbers.max)),
                    ),
                };
                profile.mean = Some(self.numbers.mean);
                profile.stddev = self.numbers.stddev();
                let scale = if integers.is_some() {
                    Scale::Whole
                } else {
                    Scale::Continuous
                };
                (profile.histogram, profile.histogram_exact) =
                    self.histogram(&self.numbers, scale, parse_number, |sketches| {
                        &sketches.numbers
                    });
            }
            ColumnType::Date | ColumnType::Datetime => {
                let show = |seconds: f64| {
                    ProfileValue::Text(if column_type == ColumnType::Date {
                        CivilDate::from_days((seconds / 86_400.0).floor() as i64).to_string()
                    } else {
                        datetime_from_seconds(seconds)
                    })
                };
                profile.min = Some(show(self.moments.min));
                profile.max = Some(show(self.moments.max));
                let scale = if column_type == ColumnType::Date {
                    Scale::Days
                } else {
                    Scale::Continuous
                };
                let (bins, exact) =
                    self.histogram(&self.moments, scale, moment_seconds, |sketches| {
                        &sketches.moments
                    });
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
                profile.true_count = Some(self.trues);
                profile.false_count = Some(self.falses);
            }
            ColumnType::Text => {
                let shown = |bytes: &Option<Vec<u8>>| {
                    bytes
                        .as_deref()
                        .map(|bytes| ProfileValue::Text(shown_text(bytes)))
                };
                profile.min = shown(&self.text.min);
                profile.max = shown(&self.text.max);
                profile.length = Some(LengthSummary {
                    min: self.text.shortest,
                    max: self.text.longest,
                    mean: self.text.total_chars as f64 / self.values as f64,
                });
            }
        }
        profile
    }

    /// The most frequent values, and whether their counts are exact.
    fn top_values(&self) -> (Vec<ValueCount>, bool) {
        let (mut rows, exact): (Vec<(&[u8], u64)>, bool) = match &self.distinct {
            Distinct::Exact { counts, .. } => (
                counts
                    .iter()
                    .map(|(value, &count)| (value.as_ref(), count))
                    .collect(),
                true,
            ),
            Distinct::Sketched(sketches) => {
                let rows = sketches
                    .frequent
                    .frequent_items(ErrorType::NoFalsePositives);
                let rows = rows
                    .iter()
                    .map(|row| (row.item().as_slice(), row.estimate()))
                    .collect::<Vec<_>>();
                // Owned below: the rows borrow from the sketch's answer.
                let mut owned: Vec<(Vec<u8>, u64)> = rows
                    .into_iter()
                    .map(|(value, count)| (value.to_vec(), count))
                    .collect();
                owned.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                owned.truncate(TOP_VALUES);
                let shown = owned
                    .into_iter()
                    .map(|(value, count)| ValueCount {
                        value: shown_text(&value),
                        count,
                    })
                    .collect();
                return (shown, false);
            }
        };
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        rows.truncate(TOP_VALUES);
        let shown = rows
            .into_iter()
            .map(|(value, count)| ValueCount {
                value: shown_text(value),
                count,
            })
            .collect();
        (shown, exact)
    }

    /// Bins of equal width from the smallest to the largest value: counted exactly from the
    /// distinct values when they are all known, else from the t-digest's distribution
    /// (rounded so the counts still add up to the values).
    fn histogram(
        &self,
        moments: &Moments,
        scale: Scale,
        parse: fn(&[u8]) -> Option<f64>,
        digest: fn(&Sketches) -> &TDigestMut,
    ) -> (Vec<HistogramBin>, bool) {
        if moments.count == 0 {
            return (Vec::new(), false);
        }
        let edges = bin_edges(moments.min, moments.max, scale);
        let bins = edges.len() - 1;
        let counts = match &self.distinct {
            Distinct::Exact { counts, .. } => {
                let mut binned = vec![0u64; bins];
                for (value, &count) in counts {
                    if let Some(number) = parse(value) {
                        binned[bin_of(&edges, number)] += count;
                    }
                }
                return (to_bins(&edges, &binned, scale), true);
            }
            Distinct::Sketched(sketches) => {
                let mut digest = digest(sketches).clone();
                let inner = &edges[1..bins];
                let ranks = digest.cdf(inner).ok().flatten().unwrap_or_default();
                spread(moments.count, &ranks, bins)
            }
        };
        (to_bins(&edges, &counts, scale), false)
    }
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
