//! Deterministic demo data for the default databases: a small `school` database that shows
//! every column type and CSV edge case a preview must handle, and a `sales` database with
//! one large table, so preview speed on a big object is visible from the first run.
//!
//! Everything is generated from a fixed seed: the same rows on every machine, no downloads.

use std::fmt::Write as _;

use shared::dates::CivilDate;

/// One demo table: a name and a generator that appends CSV text to a buffer, a batch of
/// rows at a time, so large tables never sit in memory whole.
pub struct DemoTable {
    pub name: &'static str,
    pub rows: usize,
    generator: fn(&mut Rng, usize, &mut String),
    header: &'static str,
}

impl DemoTable {
    /// Produces the table as chunks of at least `chunk_bytes` (the last may be smaller),
    /// header first, rows `\n`-terminated.
    pub fn chunks(&self, chunk_bytes: usize) -> impl Iterator<Item = String> + '_ {
        let mut rng = Rng::new(seed_for(self.name));
        let mut next_row = 0;
        let mut header_written = false;
        std::iter::from_fn(move || {
            if header_written && next_row >= self.rows {
                return None;
            }
            let mut chunk = String::with_capacity(chunk_bytes + 256);
            if !header_written {
                chunk.push_str(self.header);
                chunk.push('\n');
                header_written = true;
            }
            while next_row < self.rows && chunk.len() < chunk_bytes {
                (self.generator)(&mut rng, next_row, &mut chunk);
                next_row += 1;
            }
            Some(chunk)
        })
    }
}

pub struct DemoDatabase {
    pub name: &'static str,
    pub tables: Vec<DemoTable>,
}

/// The demo databases; `sales_rows` sizes the large table (1,000,000 by default).
pub fn demo_databases(sales_rows: usize) -> Vec<DemoDatabase> {
    vec![
        DemoDatabase {
            name: "school",
            tables: vec![
                DemoTable {
                    name: "students",
                    rows: 240,
                    header: "student_id,first_name,last_name,email,birth_date,enrolled_at,is_active,gpa,notes",
                    generator: student_row,
                },
                DemoTable {
                    name: "courses",
                    rows: COURSES.len(),
                    header: "course_code,title,department,credits,starts_on,capacity",
                    generator: course_row,
                },
                DemoTable {
                    name: "enrollments",
                    rows: 1_200,
                    header: "enrollment_id,student_id,course_code,enrolled_on,grade,passed",
                    generator: enrollment_row,
                },
            ],
        },
        DemoDatabase {
            name: "sales",
            tables: vec![DemoTable {
                name: "orders",
                rows: sales_rows,
                header: ORDERS_HEADER,
                generator: order_row,
            }],
        },
    ]
}

/// The header of the demo `orders` table.
pub const ORDERS_HEADER: &str =
    "order_id,order_date,customer_id,region,product,quantity,unit_price,total,paid";

/// Demo order rows (no header), at least `min_bytes` of them, and how many: benchmarks and
/// tests repeat the block to build tables of any size quickly.
pub fn order_rows(min_bytes: usize) -> (String, u64) {
    let mut rng = Rng::new(seed_for("orders"));
    let mut rows = String::with_capacity(min_bytes + 128);
    let mut count = 0;
    while rows.len() < min_bytes {
        order_row(&mut rng, count, &mut rows);
        count += 1;
    }
    (rows, count as u64)
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Bruno", "Chloé", "Dmitri", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi",
    "Liam", "Maya", "Noah", "Olga", "Pedro", "Qi", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen",
    "Yara", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "García",
    "Novak",
    "Haddad",
    "Kowalski",
    "O'Brien",
    "Schmidt",
    "Rossi",
    "Nguyen",
    "Petrov",
    "Silva",
    "Khan",
    "Müller",
];
/// (code, title, department, credits)
const COURSES: &[(&str, &str, &str, u32)] = &[
    ("MATH101", "Algebra, Part I", "Mathematics", 5),
    ("MATH201", "Linear Algebra", "Mathematics", 5),
    ("PHYS101", "Mechanics", "Physics", 4),
    ("PHYS210", "Waves, Optics and Light", "Physics", 4),
    ("CHEM101", "General Chemistry", "Chemistry", 4),
    ("BIO110", "Cell Biology", "Biology", 3),
    ("CS101", "Programming in Rust", "Computer Science", 6),
    ("CS220", "Databases", "Computer Science", 5),
    ("HIST150", "The \"Long\" 19th Century", "History", 3),
    ("LIT120", "Poetry & Prose", "Literature", 3),
    ("ECON101", "Micro-economics", "Economics", 4),
    ("ART100", "Drawing", "Arts", 2),
];
const REGIONS: &[&str] = &["North", "South", "East", "West", "Central"];
const PRODUCTS: &[(&str, u32)] = &[
    ("Notebook", 349),
    ("Pen", 129),
    ("Backpack", 4_999),
    ("Calculator", 1_850),
    ("Desk lamp", 2_475),
    ("Stapler", 899),
    ("Monitor", 18_999),
    ("Keyboard", 4_250),
];

fn student_id(index: usize) -> String {
    // Six digits with leading zeros: a column that must stay text, not become an integer.
    format!("{:06}", index + 1)
}

fn student_row(rng: &mut Rng, index: usize, out: &mut String) {
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    let email = format!(
        "{}.{}{}@school.example",
        ascii_lower(first),
        ascii_lower(last),
        index + 1
    );
    let birth = CivilDate::from_days(rng.range(10_600, 12_400) as i64); // 1999 to 2003
    let enrolled = CivilDate::from_days(19_600 + rng.range(0, 30) as i64); // autumn 2023
    let (hour, minute) = (8 + rng.range(0, 9), rng.range(0, 60));
    let active = rng.range(0, 10) < 8;
    let gpa = 2.0 + rng.range(0, 201) as f64 / 100.0;
    let notes = match index {
        0 => "\"Transferred from Lyon, France\"".to_owned(),
        1 => "\"Prefers the name \"\"Sam\"\"\"".to_owned(),
        2 => "\"Line one of a note\nline two of the same note\"".to_owned(),
        _ if rng.range(0, 8) == 0 => "Scholarship".to_owned(),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{},{first},{},{email},{birth},{enrolled}T{hour:02}:{minute:02}:00,{active},{gpa:.2},{notes}",
        student_id(index),
        csv_field(last),
    );
}

fn course_row(rng: &mut Rng, index: usize, out: &mut String) {
    let (code, title, department, credits) = COURSES[index % COURSES.len()];
    let starts = CivilDate::from_days(19_600 + rng.range(0, 5) as i64 * 7);
    let capacity = 20 + rng.range(0, 9) * 10;
    let _ = writeln!(
        out,
        "{code},{},{department},{credits},{starts},{capacity}",
        csv_field(title)
    );
}

fn enrollment_row(rng: &mut Rng, index: usize, out: &mut String) {
    let student = student_id(rng.range(0, 240) as usize);
    let (course, ..) = rng.pick(COURSES);
    let on = CivilDate::from_days(19_600 + rng.range(0, 20) as i64);
    // Some grades are not in yet: empty cells must not decide the column's type.
    let (grade, passed) = if rng.range(0, 10) == 0 {
        (String::new(), String::new())
    } else {
        let grade = 1.0 + rng.range(0, 50) as f64 / 10.0;
        (format!("{grade:.1}"), (grade <= 4.0).to_string())
    };
    let _ = writeln!(
        out,
        "{},{student},{course},{on},{grade},{passed}",
        index + 1
    );
}

fn order_row(rng: &mut Rng, index: usize, out: &mut String) {
    let date = CivilDate::from_days(18_628 + rng.range(0, 1_461) as i64); // 2021 to 2024
    let customer = rng.range(1, 50_000);
    let region = rng.pick(REGIONS);
    let (product, cents) = *rng.pick(PRODUCTS);
    let quantity = 1 + rng.range(0, 12);
    let total = u64::from(cents) * u64::from(quantity);
    let paid = rng.range(0, 20) != 0;
    let _ = writeln!(
        out,
        "{},{date},C{customer:05},{region},{product},{quantity},{}.{:02},{}.{:02},{paid}",
        index + 1,
        cents / 100,
        cents % 100,
        total / 100,
        total % 100,
    );
}

/// Quotes a field when it holds a delimiter, a quote or a line break.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn ascii_lower(value: &str) -> String {
    value
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn seed_for(name: &str) -> u64 {
    name.bytes().fold(0x9E37_79B9_7F4A_7C15, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// SplitMix64: tiny, fast and the same everywhere, which is all demo data needs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..high`.
    pub fn range(&mut self, low: u32, high: u32) -> u32 {
        let span = u64::from(high.saturating_sub(low)).max(1);
        low + (self.next() % span) as u32
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(table: &DemoTable) -> String {
        table.chunks(1 << 20).collect()
    }

    #[test]
    fn demo_data_is_the_same_on_every_run() {
        let first = demo_databases(1_000);
        let second = demo_databases(1_000);
        for (a, b) in first.iter().zip(&second) {
            for (ta, tb) in a.tables.iter().zip(&b.tables) {
                assert_eq!(whole(ta), whole(tb), "{}", ta.name);
            }
        }
    }

    #[test]
    fn students_have_leading_zeros_and_quoted_commas_and_newlines() {
        let school = &demo_databases(10)[0];
        let students = whole(&school.tables[0]);
        assert!(students.starts_with("student_id,first_name"));
        assert!(students.contains("\n000001,"));
        assert!(students.contains("\"Transferred from Lyon, France\""));
        assert!(students.contains("\"Line one of a note\nline two of the same note\""));
    }

    #[test]
    fn chunks_split_a_large_table_without_losing_rows() {
        let sales = &demo_databases(20_000)[1];
        let orders = &sales.tables[0];
        let chunks: Vec<String> = orders.chunks(64 * 1024).collect();
        assert!(chunks.len() > 10);
        let lines: usize = chunks.iter().map(|chunk| chunk.matches('\n').count()).sum();
        assert_eq!(lines, 20_001, "header plus every row");
    }
}
