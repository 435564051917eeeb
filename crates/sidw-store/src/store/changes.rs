//! A small log of which networks each recent change touched: caches of derived data compare a
//! network's stamp, and a session's reload asks what changed since the generation it last read.

use std::collections::{HashMap, VecDeque};

use super::tx::Touched;
use crate::domain::NetworkId;

/// How many recent changes the log keeps; a session further behind reloads everything.
const KEPT: usize = 1024;

#[derive(Default)]
pub struct ChangeLog {
    /// (generation, what that change touched), oldest first.
    recent: VecDeque<(u64, Touched)>,
    /// The generation of the last change that touched each network.
    networks: HashMap<NetworkId, u64>,
    /// The generation of the last change that touched everything.
    everything: u64,
}

impl ChangeLog {
    pub fn record(&mut self, generation: u64, touched: Touched) {
        if touched.all {
            self.everything = generation;
        }
        for network in &touched.networks {
            self.networks.insert(*network, generation);
        }
        if self.recent.len() == KEPT {
            self.recent.pop_front();
        }
        self.recent.push_back((generation, touched));
    }

    /// (last change to everything, last change to the network).
    pub fn stamp(&self, network: NetworkId) -> (u64, u64) {
        (self.everything, self.networks.get(&network).copied().unwrap_or(0))
    }

    /// What the changes after `seen` up to `now` touched.
    pub fn since(&self, seen: u64, now: u64) -> Touched {
        if seen >= now {
            return Touched::default();
        }
        let oldest = self.recent.front().map_or(u64::MAX, |(generation, _)| *generation);
        if oldest > seen + 1 {
            return Touched::everything();
        }
        let mut all = Touched::default();
        for (_, touched) in self.recent.iter().filter(|(generation, _)| *generation > seen) {
            all.add(touched);
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(ids: &[u64]) -> Touched {
        Touched { networks: ids.iter().map(|i| NetworkId(*i)).collect(), all: false }
    }

    #[test]
    fn since_unions_what_the_later_changes_touched() {
        let mut log = ChangeLog::default();
        log.record(1, net(&[1]));
        log.record(2, net(&[2]));
        log.record(3, net(&[3]));
        assert_eq!(log.since(1, 3), net(&[2, 3]));
        assert_eq!(log.since(3, 3), Touched::default());
        assert_eq!(log.since(0, 3), net(&[1, 2, 3]));
        assert_eq!(log.stamp(NetworkId(2)), (0, 2));
        assert_eq!(log.stamp(NetworkId(9)), (0, 0));
        log.record(4, Touched::everything());
        assert!(log.since(3, 4).all);
        assert_eq!(log.stamp(NetworkId(2)), (4, 2));
    }

    #[test]
    fn a_session_further_behind_than_the_log_reloads_everything() {
        let mut log = ChangeLog::default();
        for generation in 1..=(KEPT as u64 + 1) {
            log.record(generation, net(&[1]));
        }
        // Generation 1 fell out: a session that saw 0 cannot know what 1 touched.
        assert!(log.since(0, KEPT as u64 + 1).all);
        // One that saw 1 still can.
        assert_eq!(log.since(1, KEPT as u64 + 1), net(&[1]));
    }
}
