//! Sign-in rate limits, per client address and per account: each key may fail a number of
//! times within a window; once it has, attempts are refused (with how long to wait) until
//! its oldest failure leaves the window. A successful sign-in clears the account's count.
//!
//! Kept in this process's memory: each replica limits on its own, so behind N replicas an
//! attacker gets at most N times the allowance. Memory is bounded: keys whose failures have
//! all left the window are dropped once the table grows past [`MAX_TRACKED_KEYS`].

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many keys are tracked before old ones are swept out.
pub const MAX_TRACKED_KEYS: usize = 10_000;

/// At most `failures` failed attempts per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub failures: usize,
    pub window: Duration,
}

/// Failed attempts per key within a window.
#[derive(Debug)]
pub struct FailureLimiter {
    allowance: Allowance,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl FailureLimiter {
    pub fn new(allowance: Allowance) -> Self {
        Self {
            allowance,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` when `key` has used up its failures in the window.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut failures = self.lock();
        let Some(times) = failures.get_mut(key) else {
            return Ok(());
        };
        self.forget_old(times, now);
        if times.len() < self.allowance.failures {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        let wait = (oldest + self.allowance.window).saturating_duration_since(now);
        Err(wait.max(Duration::from_secs(1)))
    }

    /// Counts one failed attempt of `key`.
    pub fn record_failure(&self, key: &str, now: Instant) {
        let mut failures = self.lock();
        if failures.len() >= MAX_TRACKED_KEYS && !failures.contains_key(key) {
            let window = self.allowance.window;
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|last| now.saturating_duration_since(*last) < window)
            });
        }
        let times = failures.entry(key.to_owned()).or_default();
        self.forget_old(times, now);
        times.push_back(now);
        while times.len() > self.allowance.failures {
            times.pop_front();
        }
    }

    /// Forgets the failures of `key` (after it succeeded).
    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    fn forget_old(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while times
            .front()
            .is_some_and(|first| now.saturating_duration_since(*first) >= self.allowance.window)
        {
            times.pop_front();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // A panic while holding the lock leaves only counters behind; keep using them.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> FailureLimiter {
        FailureLimiter::new(Allowance {
            failures: 3,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn the_allowance_runs_out_and_comes_back_when_the_window_passes() {
        let limiter = limiter();
        let start = Instant::now();
        for second in 0..3 {
            assert!(limiter.check("a", start).is_ok());
            limiter.record_failure("a", start + Duration::from_secs(second));
        }
        let wait = limiter
            .check("a", start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(
            limiter.check("b", start).is_ok(),
            "other keys are not affected"
        );
        assert!(limiter.check("a", start + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn clearing_a_key_restores_its_allowance() {
        let limiter = limiter();
        let now = Instant::now();
        for _ in 0..3 {
            limiter.record_failure("a", now);
        }
        assert!(limiter.check("a", now).is_err());
        limiter.clear("a");
        assert!(limiter.check("a", now).is_ok());
    }

    #[test]
    fn the_table_is_swept_when_it_grows() {
        let limiter = limiter();
        let start = Instant::now();
        for key in 0..MAX_TRACKED_KEYS {
            limiter.record_failure(&key.to_string(), start);
        }
        limiter.record_failure("new", start + Duration::from_secs(61));
        assert_eq!(limiter.lock().len(), 1);
    }
}
