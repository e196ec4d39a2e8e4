//! One at a time per key: callers that ask for the same key while one holds its turn wait
//! for that turn to end. Cold previews use it so that 30 requests for one table read its
//! head once: the first reads and caches, the others then find the cache filled.
//!
//! The map holds only keys someone is holding or waiting for: a turn that ends with nobody
//! waiting removes its key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

type Slots = Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>;

#[derive(Default)]
pub(crate) struct Turns {
    slots: Slots,
}

/// A key's turn, held until dropped.
pub(crate) struct Turn {
    key: String,
    slots: Slots,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Turns {
    /// Waits for `key`'s turn.
    pub async fn take(&self, key: String) -> Turn {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(slots.entry(key.clone()).or_default())
        };
        let guard = slot.lock_owned().await;
        Turn {
            key,
            slots: Arc::clone(&self.slots),
            guard: Some(guard),
        }
    }

    /// Keys held or waited for (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.lock().map_or(0, |slots| slots.len())
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        drop(self.guard.take());
        // Nobody else holds the slot (only the map does): nobody waits; forget the key.
        if slots
            .get(&self.key)
            .is_some_and(|slot| Arc::strong_count(slot) == 1)
        {
            slots.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn one_caller_per_key_at_a_time_and_keys_are_forgotten_after() {
        let turns = Arc::new(Turns::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (turns, inside, most) = (turns.clone(), inside.clone(), most.clone());
                tokio::spawn(async move {
                    let _turn = turns.take("a".to_owned()).await;
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        let other = turns.take("b".to_owned()).await;
        drop(other);
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
        assert_eq!(turns.len(), 0);
    }
}
