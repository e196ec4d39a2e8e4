//! The naming rule for databases, tables and users, and the newtypes that carry a checked name.
//!
//! A name is 1 to 64 characters of `A-Z a-z 0-9 _ -` and starts with a letter or a digit.
//! The rule is deliberately narrow: a checked name can be joined into an S3 key or a URL
//! path without escaping, can never be `.` or `..`, and can never collide with the reserved
//! names the storage layout uses (which start with `.` or `_`).
//!
//! Usernames follow the same rule and are case-insensitive: [`UserName::from_input`] folds
//! capitals to lowercase, so every account name is stored lowercase.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest name allowed, in characters (all allowed characters are one byte).
pub const MAX_NAME_LEN: usize = 64;

/// What a name is for; used to word error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Database,
    Table,
    User,
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameKind::Database => "database",
            NameKind::Table => "table",
            NameKind::User => "user",
        })
    }
}

/// Why a name was rejected. Each message says what is wrong and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the {kind} name is empty; use 1 to 64 letters, digits, '_' or '-'")]
    Empty { kind: NameKind },
    #[error(
        "the {kind} name is {length} characters long; the limit is 64 (letters, digits, '_' or '-')"
    )]
    TooLong { kind: NameKind, length: usize },
    #[error(
        "the {kind} name {name:?} must start with a letter or a digit, not {first:?}; \
         names may contain letters, digits, '_' and '-'"
    )]
    BadStart {
        kind: NameKind,
        name: String,
        first: char,
    },
    #[error(
        "the {kind} name {name:?} contains {character:?}, which is not allowed; \
         use only letters, digits, '_' and '-'"
    )]
    BadCharacter {
        kind: NameKind,
        name: String,
        character: char,
    },
}

/// Checks `raw` against the naming rule; the single implementation behind every name type.
pub fn validate_name(kind: NameKind, raw: &str) -> Result<(), NameError> {
    let length = raw.chars().count();
    if length == 0 {
        return Err(NameError::Empty { kind });
    }
    if length > MAX_NAME_LEN {
        return Err(NameError::TooLong { kind, length });
    }
    if let Some(character) = raw.chars().find(|c| !is_name_char(*c)) {
        return Err(NameError::BadCharacter {
            kind,
            name: raw.to_owned(),
            character,
        });
    }
    // Only ASCII is left here, so the first char exists and is one byte.
    let first = raw.chars().next().unwrap_or('_');
    if !first.is_ascii_alphanumeric() {
        return Err(NameError::BadStart {
            kind,
            name: raw.to_owned(),
            first,
        });
    }
    Ok(())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Turns a file name such as `Sales Report (2024).csv` into a valid table name
/// (`Sales_Report_2024`), or `None` when nothing usable is left.
///
/// The extension is dropped (with a compression's: `orders.csv.gz` is `orders`), every run
/// of characters outside the rule becomes one `_`, leading and trailing `_`/`-` are trimmed,
/// and the result is cut to 64 characters.
pub fn sanitize_table_name(file_name: &str) -> Option<TableName> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let lower = base.to_ascii_lowercase();
    let base = [".gz", ".zst"]
        .iter()
        .find(|compression| lower.ends_with(*compression) && lower.len() > compression.len())
        .map_or(base, |compression| &base[..base.len() - compression.len()]);
    let stem = match base.rsplit_once('.') {
        Some((stem, _extension)) if !stem.is_empty() => stem,
        _ => base,
    };
    let mut cleaned = String::with_capacity(stem.len());
    for c in stem.chars() {
        if is_name_char(c) {
            cleaned.push(c);
        } else if !cleaned.ends_with('_') {
            cleaned.push('_');
        }
    }
    let trimmed: String = cleaned
        .trim_matches(|c| c == '_' || c == '-')
        .chars()
        .take(MAX_NAME_LEN)
        .collect();
    let trimmed = trimmed.trim_end_matches(['_', '-']);
    TableName::parse(trimmed).ok()
}

macro_rules! checked_name {
    ($(#[$doc:meta])* $type:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $type(String);

        impl $type {
            /// Checks `raw` against the naming rule.
            pub fn parse(raw: &str) -> Result<Self, NameError> {
                validate_name($kind, raw).map(|()| Self(raw.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Compares with plain text (tests and filters read better for it).
        impl PartialEq<str> for $type {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $type {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl std::str::FromStr for $type {
            type Err = NameError;
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }

        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

checked_name!(
    /// A checked database name.
    DatabaseName,
    NameKind::Database
);
checked_name!(
    /// A checked table name (the object key is `{table}.csv`).
    TableName,
    NameKind::Table
);
checked_name!(
    /// A checked user name: the owner of a set of databases.
    UserName,
    NameKind::User
);

impl UserName {
    /// A username as a person typed it: surrounding spaces are dropped and capitals folded
    /// to lowercase, so `Alice` and `alice` are one account; then the naming rule applies.
    /// Every account name goes through here, so stored names are always lowercase.
    pub fn from_input(raw: &str) -> Result<Self, NameError> {
        Self::parse(&raw.trim().to_ascii_lowercase())
    }

    /// Whether this is the canonical (lowercase) form every account name has.
    pub fn is_canonical(&self) -> bool {
        !self.0.bytes().any(|byte| byte.is_ascii_uppercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_are_accepted() {
        for name in ["school", "Sales_2024", "a", "0-day", &"x".repeat(64)] {
            assert!(DatabaseName::parse(name).is_ok(), "{name} should be valid");
        }
    }

    #[test]
    fn names_that_could_escape_a_key_are_rejected() {
        for name in [
            "..", ".", "a/b", "../b", "a\\b", "a%2Fb", ".hidden", "_stats",
        ] {
            assert!(
                DatabaseName::parse(name).is_err(),
                "{name} should be invalid"
            );
        }
    }

    #[test]
    fn an_empty_name_says_it_is_empty() {
        let error = TableName::parse("").unwrap_err();
        assert_eq!(
            error,
            NameError::Empty {
                kind: NameKind::Table
            }
        );
        assert!(error.to_string().contains("table name is empty"));
    }

    #[test]
    fn a_65_character_name_says_how_long_it_is_and_the_limit() {
        let error = DatabaseName::parse(&"a".repeat(65)).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("65 characters"), "{message}");
        assert!(message.contains("limit is 64"), "{message}");
    }

    #[test]
    fn control_characters_and_unicode_look_alikes_are_rejected_by_name() {
        let error = DatabaseName::parse("ab\u{7}c").unwrap_err();
        assert!(matches!(
            error,
            NameError::BadCharacter {
                character: '\u{7}',
                ..
            }
        ));
        // A Cyrillic 'а' that looks like a Latin 'a'.
        assert!(DatabaseName::parse("d\u{430}ta").is_err());
        assert!(DatabaseName::parse("tab\tname").is_err());
    }

    #[test]
    fn a_leading_dot_or_underscore_is_a_bad_start() {
        let error = DatabaseName::parse(".config").unwrap_err();
        assert!(matches!(
            error,
            NameError::BadCharacter { character: '.', .. }
        ));
        let error = DatabaseName::parse("_config").unwrap_err();
        assert!(matches!(error, NameError::BadStart { first: '_', .. }));
        assert!(
            error
                .to_string()
                .contains("must start with a letter or a digit")
        );
    }

    #[test]
    fn file_names_are_sanitised_into_table_names() {
        let cases = [
            ("students.csv", Some("students")),
            ("Sales Report (2024).csv", Some("Sales_Report_2024")),
            ("dir/sub/data.tsv", Some("data")),
            ("C:\\Users\\me\\data.csv", Some("data")),
            ("__weird__name__.CSV", Some("weird__name")),
            ("résumé.csv", Some("r_sum")),
            ("....csv", None),
            (".csv", Some("csv")),
            ("noextension", Some("noextension")),
            ("orders.csv.gz", Some("orders")),
            ("Events 2024.CSV.ZST", Some("Events_2024")),
            ("log.gz", Some("log")),
        ];
        for (file, expected) in cases {
            let got = sanitize_table_name(file).map(|name| name.as_str().to_owned());
            assert_eq!(got.as_deref(), expected, "sanitising {file:?}");
        }
        let long = format!("{}.csv", "x".repeat(100));
        assert_eq!(
            sanitize_table_name(&long).map(|n| n.as_str().len()),
            Some(64)
        );
    }

    #[test]
    fn usernames_are_folded_to_lowercase_and_checked_like_other_names() {
        let alice = UserName::from_input("  Alice ").unwrap();
        assert_eq!(alice.as_str(), "alice");
        assert!(alice.is_canonical());
        assert!(!UserName::parse("Alice").unwrap().is_canonical());
        for bad in ["", "../bob", "bob/x", "b\u{43e}b", ".bob", "_bob", "bob%2F"] {
            assert!(
                UserName::from_input(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn names_deserialize_only_when_valid() {
        let ok: Result<DatabaseName, _> = serde_json::from_str("\"school\"");
        assert!(ok.is_ok());
        let bad: Result<DatabaseName, _> = serde_json::from_str("\"../etc\"");
        assert!(bad.is_err());
    }
}
