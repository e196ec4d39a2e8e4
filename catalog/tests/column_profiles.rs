//! Column profiles against figures the test computes itself from the same bytes, read with
//! the `csv` crate: counts, ranges, means, deviations, top values and histograms on
//! generated tables with empty cells, mixed types, dates and quoted fields; the distinct
//! estimate on a million distinct values.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use catalog::csv::profile::{TableProfile, TableProfiler};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shared::{ColumnProfile, ColumnType, ProfileValue};

fn profile(csv: &[u8], chunk: usize) -> TableProfile {
    let mut profiler = TableProfiler::new();
    for piece in csv.chunks(chunk) {
        profiler.feed(piece);
    }
    profiler.finish()
}

/// Every column's cells (trimmed, `""` for missing), as the `csv` crate reads them.
fn cells_by_column(csv: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut columns = vec![Vec::new(); header.len()];
    for record in reader.records() {
        let record = record.unwrap();
        for (index, column) in columns.iter_mut().enumerate() {
            column.push(record.get(index).unwrap_or("").trim().to_owned());
        }
    }
    (header, columns)
}

fn relative_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12)
}

/// The 10 most frequent values, most frequent first, ties by value (bytes).
fn expected_top(values: &[&String]) -> Vec<(String, u64)> {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for value in values {
        *counts.entry(value.as_str()).or_default() += 1;
    }
    let mut rows: Vec<(String, u64)> = counts
        .into_iter()
        .map(|(value, count)| (value.to_owned(), count))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(10);
    rows
}

fn days(date: &str) -> i64 {
    let parts: Vec<u32> = date.split('-').map(|part| part.parse().unwrap()).collect();
    shared::dates::CivilDate {
        year: i64::from(parts[0]),
        month: parts[1],
        day: parts[2],
    }
    .days()
}

/// Checks one column's profile against its cells.
fn check_column(profile: &ColumnProfile, cells: &[String]) {
    let name = &profile.name;
    let values: Vec<&String> = cells.iter().filter(|cell| !cell.is_empty()).collect();
    assert_eq!(
        profile.empty,
        (cells.len() - values.len()) as u64,
        "{name}: empty"
    );
    let distinct: std::collections::HashSet<&String> = values.iter().copied().collect();
    assert!(profile.distinct_exact, "{name}: few distinct values");
    assert_eq!(profile.distinct, distinct.len() as u64, "{name}: distinct");
    let top: Vec<(String, u64)> = profile
        .top_values
        .iter()
        .map(|top| (top.value.clone(), top.count))
        .collect();
    assert_eq!(top, expected_top(&values), "{name}: top values");
    assert!(profile.top_values_exact);
    match profile.column_type {
        ColumnType::Integer | ColumnType::Float => {
            let numbers: Vec<f64> = values.iter().map(|v| v.parse().unwrap()).collect();
            let n = numbers.len() as f64;
            let mean = numbers.iter().sum::<f64>() / n;
            let variance = numbers.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            assert!(
                relative_close(profile.mean.unwrap(), mean),
                "{name}: mean {:?} vs {mean}",
                profile.mean
            );
            assert!(
                relative_close(profile.stddev.unwrap(), variance.sqrt()),
                "{name}: stddev"
            );
            let min = numbers.iter().copied().fold(f64::INFINITY, f64::min);
            let max = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let as_f64 = |value: &Option<ProfileValue>| match value {
                Some(ProfileValue::Integer(v)) => *v as f64,
                Some(ProfileValue::Float(v)) => *v,
                other => panic!("{name}: {other:?}"),
            };
            assert_eq!(as_f64(&profile.min), min, "{name}: min");
            assert_eq!(as_f64(&profile.max), max, "{name}: max");
            check_histogram(profile, &numbers);
            assert!(profile.length.is_none() && profile.true_count.is_none());
        }
        ColumnType::Date => {
            let mut sorted: Vec<&String> = values.clone();
            sorted.sort_by_key(|date| days(date));
            let text = |value: &Option<ProfileValue>| match value {
                Some(ProfileValue::Text(text)) => text.clone(),
                other => panic!("{name}: {other:?}"),
            };
            assert_eq!(&text(&profile.min), sorted[0]);
            assert_eq!(&text(&profile.max), sorted[sorted.len() - 1]);
            let total: u64 = profile.histogram.iter().map(|bin| bin.count).sum();
            assert_eq!(total, values.len() as u64, "{name}: histogram adds up");
            assert!(profile.histogram_exact);
            // Each bin counts exactly the dates between its bounds.
            for bin in &profile.histogram {
                let day = |value: &ProfileValue| match value {
                    ProfileValue::Text(date) => days(date),
                    other => panic!("{name}: a date bin bound, not {other:?}"),
                };
                let (low, high) = (day(&bin.low), day(&bin.high));
                let inside = values
                    .iter()
                    .filter(|date| (low..=high).contains(&days(date)))
                    .count();
                assert_eq!(bin.count, inside as u64, "{name}: bin {bin:?}");
            }
        }
        ColumnType::Boolean => {
            let trues = values
                .iter()
                .filter(|v| v.eq_ignore_ascii_case("true"))
                .count();
            assert_eq!(profile.true_count, Some(trues as u64));
            assert_eq!(profile.false_count, Some((values.len() - trues) as u64));
        }
        ColumnType::Text => {
            let min = values.iter().min_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            let max = values.iter().max_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            let text = |value: &Option<ProfileValue>| match value {
                Some(ProfileValue::Text(text)) => text.clone(),
                other => panic!("{name}: {other:?}"),
            };
            assert_eq!(&text(&profile.min), *min.unwrap(), "{name}: min");
            assert_eq!(&text(&profile.max), *max.unwrap(), "{name}: max");
            let lengths: Vec<u64> = values.iter().map(|v| v.chars().count() as u64).collect();
            let length = profile.length.as_ref().unwrap();
            assert_eq!(length.min, *lengths.iter().min().unwrap());
            assert_eq!(length.max, *lengths.iter().max().unwrap());
            let mean = lengths.iter().sum::<u64>() as f64 / lengths.len() as f64;
            assert!(relative_close(length.mean, mean), "{name}: mean length");
            assert!(profile.histogram.is_empty() && profile.mean.is_none());
        }
        ColumnType::Datetime => unreachable!("no datetime column in this table"),
    }
}

/// Bins add up to the non-empty cells, and (exact here) each holds exactly its values.
fn check_histogram(profile: &ColumnProfile, numbers: &[f64]) {
    let bins = &profile.histogram;
    assert!(!bins.is_empty() && bins.len() <= 20, "{}", bins.len());
    let total: u64 = bins.iter().map(|bin| bin.count).sum();
    assert_eq!(
        total,
        numbers.len() as u64,
        "{}: histogram adds up",
        profile.name
    );
    assert!(profile.histogram_exact);
    let bound = |value: &ProfileValue| match value {
        ProfileValue::Integer(v) => *v as f64,
        ProfileValue::Float(v) => *v,
        ProfileValue::Text(_) => panic!("a number bin"),
    };
    for (index, bin) in bins.iter().enumerate() {
        let (low, high) = (bound(&bin.low), bound(&bin.high));
        let last = index == bins.len() - 1;
        let inside = numbers
            .iter()
            .filter(|&&x| {
                if profile.column_type == ColumnType::Integer || last {
                    x >= low && x <= high
                } else {
                    x >= low && x < high
                }
            })
            .count();
        assert_eq!(bin.count, inside as u64, "{}: bin {bin:?}", profile.name);
    }
}

/// A table of every kind of column, with empty cells and quoted fields holding commas,
/// doubled quotes and line breaks.
fn mixed_table(rows: usize, seed: u64) -> Vec<u8> {
    let mut random = StdRng::seed_from_u64(seed);
    let mut csv = String::from("score,price,day,active,city,note,code\n");
    let cities = ["Lyon", "Zürich", "Oslo", "Ōsaka", "Austin", "Lima"];
    for row in 0..rows {
        let maybe = |text: String, random: &mut StdRng| {
            if random.random_bool(0.1) {
                String::new()
            } else {
                text
            }
        };
        let score = maybe(format!("{}", random.random_range(-50..250)), &mut random);
        let price = maybe(
            format!("{:.2}", f64::from(random.random_range(0..700)) * 1.37),
            &mut random,
        );
        let day = maybe(
            format!(
                "2024-{:02}-{:02}",
                random.random_range(1..=12),
                random.random_range(1..=28)
            ),
            &mut random,
        );
        let active = maybe(
            if random.random_bool(0.3) {
                "true"
            } else {
                "FALSE"
            }
            .to_owned(),
            &mut random,
        );
        let city = maybe(
            cities[random.random_range(0..cities.len())].to_owned(),
            &mut random,
        );
        let note = maybe(
            match row % 4 {
                0 => "\"said \"\"hi\"\", then left\"".to_owned(),
                1 => format!("\"line one\nline {}\"", row % 7),
                2 => "plain".to_owned(),
                _ => format!("n{}", row % 13),
            },
            &mut random,
        );
        // Numbers, then text: the column is text, its min and max by bytes.
        let code = if row % 50 == 7 {
            "x-1".to_owned()
        } else {
            format!("{}", row % 90)
        };
        csv.push_str(&format!(
            "{score},{price},{day},{active},{city},{note},{code}\n"
        ));
    }
    csv.into_bytes()
}

#[test]
fn profiles_equal_what_the_test_computes_from_the_cells() {
    for (seed, rows) in [(1, 900), (2, 3_000)] {
        let csv = mixed_table(rows, seed);
        let (header, cells) = cells_by_column(&csv);
        for chunk in [csv.len(), 4096, 777] {
            let profile = profile(&csv, chunk);
            let types: Vec<ColumnType> = profile.columns.iter().map(|c| c.column_type).collect();
            assert_eq!(
                types,
                [
                    ColumnType::Integer,
                    ColumnType::Float,
                    ColumnType::Date,
                    ColumnType::Boolean,
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Text,
                ]
            );
            let columns = &profile.column_profiles.0;
            assert_eq!(columns.len(), header.len());
            for (column, cells) in columns.iter().zip(&cells) {
                check_column(column, cells);
            }
        }
    }
}

#[test]
fn a_short_row_counts_its_missing_cells_as_empty() {
    let profile = profile(b"a,b\n1,2\n3\n,4\n", 1024);
    let columns = &profile.column_profiles.0;
    assert_eq!((columns[0].empty, columns[1].empty), (1, 1));
}

#[test]
fn datetimes_are_ordered_in_time_whatever_their_zone() {
    let csv = b"at\n2024-03-01T10:00:00+02:00\n2024-03-01 09:30\n2024-03-01T07:59:59Z\n\n";
    let profile = profile(csv, 7);
    let at = &profile.column_profiles.0[0];
    assert_eq!(at.column_type, ColumnType::Datetime);
    assert_eq!(
        at.min,
        Some(ProfileValue::Text("2024-03-01 07:59:59".into()))
    );
    assert_eq!(
        at.max,
        Some(ProfileValue::Text("2024-03-01 09:30:00".into()))
    );
    let total: u64 = at.histogram.iter().map(|bin| bin.count).sum();
    assert_eq!((total, at.empty), (3, 0), "the blank line is not a row");
}

/// A million distinct ids (and a skewed column beside them): the distinct count is an
/// estimate within 2%, the heavy hitters are found, and the sketched histogram still adds
/// up to the non-empty cells.
#[test]
fn a_million_distinct_values_are_estimated_within_two_percent() {
    let rows = 1_000_000u64;
    let mut csv = Vec::with_capacity(rows as usize * 20);
    csv.extend_from_slice(b"id,kind\n");
    let mut random = StdRng::seed_from_u64(7);
    for id in 0..rows {
        let kind = if random.random_bool(0.3) {
            "common".to_owned()
        } else {
            format!("k{}", random.random_range(0..100_000))
        };
        csv.extend_from_slice(format!("{},{kind}\n", id * 7 + 3).as_bytes());
    }
    let profile = profile(&csv, 1 << 20);
    let (id, kind) = (&profile.column_profiles.0[0], &profile.column_profiles.0[1]);
    assert!(!id.distinct_exact);
    let error = (id.distinct as f64 - rows as f64).abs() / rows as f64;
    assert!(error < 0.02, "distinct {} ({error:.4})", id.distinct);
    let total: u64 = id.histogram.iter().map(|bin| bin.count).sum();
    assert_eq!(total, rows);
    assert!(!id.histogram_exact);
    assert_eq!(id.min, Some(ProfileValue::Integer(3)));
    assert_eq!(
        id.max,
        Some(ProfileValue::Integer((rows - 1) as i64 * 7 + 3))
    );
    // Uniform ids: each of the 20 bins holds about 5% (the t-digest is that close).
    for bin in &id.histogram {
        let share = bin.count as f64 / rows as f64;
        assert!((0.04..0.06).contains(&share), "{bin:?}");
    }
    assert!(!kind.top_values_exact);
    assert_eq!(kind.top_values[0].value, "common");
    let share = kind.top_values[0].count as f64 / rows as f64;
    assert!((0.29..0.31).contains(&share), "{share}");
}
