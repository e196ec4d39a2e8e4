//! Calendar dates from day counts, without a date library (both the demo data generator
//! and the pages that show when something happened need only this).

use std::fmt;

/// A day of the proleptic Gregorian calendar, printed as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilDate {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl CivilDate {
    /// The date `days` after 1970-01-01 (negative: before), by Howard Hinnant's algorithm.
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Self { year, month, day }
    }
}

impl CivilDate {
    /// Days from 1970-01-01 to this date (negative: before), the inverse of
    /// [`CivilDate::from_days`].
    pub fn days(&self) -> i64 {
        let year = self.year - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let shifted_month = i64::from((self.month + 9) % 12);
        let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

/// A moment as `YYYY-MM-DD HH:MM:SS` (UTC), from seconds since 1970-01-01 (fractions of a
/// second are dropped).
pub fn datetime_from_seconds(seconds: f64) -> String {
    let whole = seconds.floor() as i64;
    let (days, in_day) = (whole.div_euclid(86_400), whole.rem_euclid(86_400));
    format!(
        "{} {:02}:{:02}:{:02}",
        CivilDate::from_days(days),
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_from_days_since_the_epoch() {
        assert_eq!(CivilDate::from_days(0).to_string(), "1970-01-01");
        assert_eq!(CivilDate::from_days(19_723).to_string(), "2024-01-01");
        assert_eq!(CivilDate::from_days(11_016).to_string(), "2000-02-29");
        assert_eq!(CivilDate::from_days(-1).to_string(), "1969-12-31");
    }

    #[test]
    fn days_are_the_inverse_of_from_days() {
        for days in (-800_000..800_000).step_by(997) {
            assert_eq!(CivilDate::from_days(days).days(), days);
        }
        assert_eq!(
            datetime_from_seconds(86_400.0 + 3_661.5),
            "1970-01-02 01:01:01"
        );
        assert_eq!(datetime_from_seconds(-1.0), "1969-12-31 23:59:59");
    }
}
