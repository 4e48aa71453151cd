//! The sorted set type: members ordered by (score, member bytes), as Redis
//! orders them, with O(log n) insert/remove and score lookup by member.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;

/// A score with a total order (NaN never gets in; -0 is stored as 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score(pub f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// One end of a score range (`5`, `(5`, `-inf`, `+inf`).
#[derive(Debug, Clone, Copy)]
pub struct ScoreBound {
    /// The score.
    pub value: f64,
    /// Whether the score itself is excluded (`(`).
    pub exclusive: bool,
}

/// A sorted set.
#[derive(Debug, Clone, Default)]
pub struct ZSet {
    scores: HashMap<Vec<u8>, f64>,
    ordered: BTreeSet<(Score, Vec<u8>)>,
}

impl ZSet {
    /// Number of members.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// The member's score.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// Sets the member's score; returns whether the member is new.
    pub fn insert(&mut self, member: Vec<u8>, score: f64) -> bool {
        let score = if score == 0.0 { 0.0 } else { score };
        let old = self.scores.insert(member.clone(), score);
        if let Some(old) = old {
            self.ordered.remove(&(Score(old), member.clone()));
        }
        self.ordered.insert((Score(score), member));
        old.is_none()
    }

    /// Removes the member; returns whether it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self.scores.remove(member) {
            Some(s) => {
                self.ordered.remove(&(Score(s), member.to_vec()));
                true
            }
            None => false,
        }
    }

    /// Members in ascending (score, member) order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&[u8], f64)> {
        self.ordered.iter().map(|(s, m)| (m.as_slice(), s.0))
    }

    /// The member's 0-based rank in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let s = self.score(member)?;
        Some(self.ordered.range(..(Score(s), member.to_vec())).count())
    }

    /// Members whose score lies between `min` and `max`, ascending.
    pub fn range_by_score(
        &self,
        min: ScoreBound,
        max: ScoreBound,
    ) -> impl DoubleEndedIterator<Item = (&[u8], f64)> {
        bounds(min, max)
            .map(|b| self.ordered.range(b))
            .into_iter()
            .flatten()
            .map(|(s, m)| (m.as_slice(), s.0))
    }

    /// Resolves Redis rank indexes (negative from the end) to a clamped
    /// `[start, end]`, or `None` when the range is empty.
    pub fn rank_range(&self, start: i64, stop: i64) -> Option<(usize, usize)> {
        resolve_range(self.len(), start, stop)
    }
}

/// Maps a Redis index pair (negatives count from the end) onto `0..len`;
/// `None` when nothing is selected. Used by lists and sorted sets alike.
pub fn resolve_range(len: usize, start: i64, stop: i64) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let stop = if stop < 0 {
        len + stop
    } else {
        stop.min(len - 1)
    };
    if start > stop || start >= len || stop < 0 {
        None
    } else {
        Some((start as usize, stop as usize))
    }
}

type RangeBounds = (Bound<(Score, Vec<u8>)>, Bound<(Score, Vec<u8>)>);

/// BTreeSet bounds for a score range, or `None` when it selects nothing.
/// Members sort after `(score, [])`, so an inclusive lower bound starts there and
/// an exclusive one at the next representable score; the upper bound mirrors it.
fn bounds(min: ScoreBound, max: ScoreBound) -> Option<RangeBounds> {
    let lo = match (min.value, min.exclusive) {
        (v, false) if v == f64::NEG_INFINITY => Bound::Unbounded,
        (v, true) if v == f64::INFINITY => return None,
        (v, false) => Bound::Included((Score(v), Vec::new())),
        (v, true) => Bound::Included((Score(v.next_up()), Vec::new())),
    };
    let hi = match (max.value, max.exclusive) {
        (v, false) if v == f64::INFINITY => Bound::Unbounded,
        (v, false) => Bound::Excluded((Score(v.next_up()), Vec::new())),
        (v, true) => Bound::Excluded((Score(v), Vec::new())),
    };
    // BTreeSet::range panics when start > end.
    if let (Bound::Included((a, _)), Bound::Excluded((b, _))) = (&lo, &hi)
        && a > b
    {
        return None;
    }
    Some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(value: f64, exclusive: bool) -> ScoreBound {
        ScoreBound { value, exclusive }
    }

    fn members(z: &ZSet, min: ScoreBound, max: ScoreBound) -> Vec<String> {
        z.range_by_score(min, max)
            .map(|(m, _)| String::from_utf8(m.to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn orders_by_score_then_member_and_honours_bounds() {
        let mut z = ZSet::default();
        for (m, s) in [("b", 1.0), ("a", 1.0), ("c", 2.0), ("d", f64::INFINITY)] {
            z.insert(m.as_bytes().to_vec(), s);
        }
        assert_eq!(
            members(&z, b(f64::NEG_INFINITY, false), b(f64::INFINITY, false)),
            ["a", "b", "c", "d"]
        );
        assert_eq!(members(&z, b(1.0, true), b(2.0, false)), ["c"]);
        assert_eq!(members(&z, b(1.0, false), b(2.0, true)), ["a", "b"]);
        assert_eq!(
            members(&z, b(2.0, false), b(1.0, false)),
            Vec::<String>::new()
        );
        assert_eq!(
            members(&z, b(f64::INFINITY, true), b(f64::INFINITY, false)),
            Vec::<String>::new()
        );
        assert_eq!(z.rank(b"c"), Some(2));
        assert!(!z.insert(b"c".to_vec(), 0.5));
        assert_eq!(z.rank(b"c"), Some(0));
        assert!(z.remove(b"c"));
        assert_eq!(z.len(), 3);
    }

    #[test]
    fn ranges_resolve_like_redis() {
        assert_eq!(resolve_range(5, 0, -1), Some((0, 4)));
        assert_eq!(resolve_range(5, -2, -1), Some((3, 4)));
        assert_eq!(resolve_range(5, 3, 100), Some((3, 4)));
        assert_eq!(resolve_range(5, 4, 2), None);
        assert_eq!(resolve_range(0, 0, -1), None);
        assert_eq!(resolve_range(5, -100, 0), Some((0, 0)));
    }
}
