//! Caches of what is in the store, exact because they are keyed on the store's data version
//! (which moves with every commit, by this process or another): a hit costs a mutex and a
//! `PRAGMA data_version`, a commit anywhere makes the next call load again.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use botdesk_store::Store;

use crate::error::CoreError;

/// One value derived from the store.
#[derive(Debug)]
pub struct StoreCached<T> {
    slot: Mutex<Option<(i64, Arc<T>)>>,
}

impl<T> Default for StoreCached<T> {
    fn default() -> StoreCached<T> {
        StoreCached {
            slot: Mutex::new(None),
        }
    }
}

impl<T> StoreCached<T> {
    /// The value, if the store has not changed since it was loaded (see
    /// [`StoreCachedMap::peek`]: the one store call an async task may make itself).
    pub fn peek(&self, store: &Store) -> Result<Option<Arc<T>>, CoreError> {
        let version = store.data_version()?;
        let slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        Ok(slot
            .as_ref()
            .filter(|(v, _)| *v == version)
            .map(|(_, value)| value.clone()))
    }

    pub fn get(
        &self,
        store: &Store,
        load: impl FnOnce(&Store) -> Result<T, CoreError>,
    ) -> Result<Arc<T>, CoreError> {
        // Read before loading: a commit during the load moves the version, and the next call
        // loads again rather than keeping a stale value.
        let version = store.data_version()?;
        if let Some((v, value)) = &*self.slot.lock().unwrap_or_else(|p| p.into_inner())
            && *v == version
        {
            return Ok(value.clone());
        }
        let value = Arc::new(load(store)?);
        *self.slot.lock().unwrap_or_else(|p| p.into_inner()) = Some((version, value.clone()));
        Ok(value)
    }
}

/// Values derived from the store, one per key (all dropped when the store changes).
#[derive(Debug)]
pub struct StoreCachedMap<K, V> {
    slot: Mutex<(i64, HashMap<K, Arc<V>>)>,
}

impl<K, V> Default for StoreCachedMap<K, V> {
    fn default() -> StoreCachedMap<K, V> {
        StoreCachedMap {
            slot: Mutex::new((i64::MIN, HashMap::new())),
        }
    }
}

/// Entries kept at most: a bound on memory, not a working set (templates are few).
const MAX_ENTRIES: usize = 1024;

impl<K: Eq + Hash + Clone, V> StoreCachedMap<K, V> {
    /// The value kept for `key`, if the store has not changed since it was loaded: asks the
    /// store only for its data version (a counter in shared memory, no read of the tables),
    /// so it is the one store call an async task may make itself.
    pub fn peek(&self, store: &Store, key: &K) -> Result<Option<Arc<V>>, CoreError> {
        let version = store.data_version()?;
        let slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        Ok((slot.0 == version)
            .then(|| slot.1.get(key).cloned())
            .flatten())
    }

    pub fn get(
        &self,
        store: &Store,
        key: &K,
        load: impl FnOnce(&Store) -> Result<V, CoreError>,
    ) -> Result<Arc<V>, CoreError> {
        let version = store.data_version()?;
        {
            let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
            if slot.0 != version {
                *slot = (version, HashMap::new());
            } else if let Some(value) = slot.1.get(key) {
                return Ok(value.clone());
            }
        }
        let value = Arc::new(load(store)?);
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.0 == version && slot.1.len() < MAX_ENTRIES {
            slot.1.insert(key.clone(), value.clone());
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use botdesk_store::{Actor, StoreOptions};

    #[test]
    fn a_commit_anywhere_reloads() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        let cache = StoreCached::<usize>::default();
        let mut loads = 0;
        for _ in 0..3 {
            cache
                .get(&store, |_| {
                    loads += 1;
                    Ok(loads)
                })
                .unwrap();
        }
        assert_eq!(loads, 1, "unchanged store: one load");
        store
            .with_tx(&Actor::System("t".into()), |tx| -> Result<(), botdesk_store::StoreError> {
                tx.execute("INSERT INTO app_settings (key, value, updated_at) VALUES ('x', '1', 'now')", [])?;
                Ok(())
            })
            .unwrap();
        assert_eq!(
            *cache.get(&store, |_| Ok(99)).unwrap(),
            99,
            "a commit: loaded again"
        );
    }
}
