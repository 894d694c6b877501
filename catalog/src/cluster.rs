//! Grouping faces into people, incrementally: a new face joins the person whose centre (the
//! mean of its faces' embeddings) is nearest, if near enough; faces that join nobody wait in a
//! pool, and new faces near enough to each other or to faces of the pool start a new person.
//! The library is never clustered again from scratch; a periodic tidy pass (store.rs) moves out
//! faces that drifted from their person and folds together unnamed people that are one.
//!
//! The distances are dlib's (Euclidean between 128-d embeddings): the same person 0.24–0.43,
//! different people 0.70–0.87 on the test faces; dlib's own "same" threshold is 0.6. The
//! thresholds below are tighter, for precision: a missed link only leaves a face unnamed, a
//! wrong one puts a stranger in somebody's album. They were tuned on the face corpus
//! (tests/e2e/recognition.rs prints precision and recall).

/// A new face joins a person whose centre is nearer than this.
pub const JOIN: f32 = 0.45;
/// Two faces of nobody nearer than this are the same new person.
pub const PAIR: f32 = 0.5;
/// An unpinned face farther than this from its person's centre leaves it (tidy pass).
pub const LEAVE: f32 = 0.6;
/// Two people whose centres are nearer than this are one (tidy pass; never two named people).
pub const MERGE: f32 = 0.35;
/// Faces a new person needs.
pub const MIN_FACES: usize = 2;

pub type Embedding = [f32; 128];

pub fn distance(a: &Embedding, b: &Embedding) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}

pub fn to_blob(e: &Embedding) -> Vec<u8> {
    e.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn from_blob(b: &[u8]) -> Option<Embedding> {
    if b.len() != 128 * 4 {
        return None;
    }
    let mut e = [0f32; 128];
    for (v, chunk) in e.iter_mut().zip(b.chunks_exact(4)) {
        *v = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        if !v.is_finite() {
            return None;
        }
    }
    Some(e)
}

/// The mean of `faces`; `None` for none.
pub fn mean<'a>(faces: impl IntoIterator<Item = &'a Embedding>) -> Option<Embedding> {
    let mut sum = [0f64; 128];
    let mut n = 0usize;
    for f in faces {
        for (s, v) in sum.iter_mut().zip(f) {
            *s += f64::from(*v);
        }
        n += 1;
    }
    (n > 0).then(|| {
        let mut out = [0f32; 128];
        for (o, s) in out.iter_mut().zip(sum) {
            *o = (s / n as f64) as f32;
        }
        out
    })
}

/// A person as the pass sees it.
#[derive(Debug, Clone)]
pub struct Centre {
    pub person: i64,
    pub centre: Embedding,
    pub faces: usize,
}

impl Centre {
    /// Takes a face into the running mean.
    pub fn add(&mut self, e: &Embedding) {
        let n = self.faces as f32;
        for (c, v) in self.centre.iter_mut().zip(e) {
            *c = (*c * n + v) / (n + 1.0);
        }
        self.faces += 1;
    }
}

/// A face the pass places.
#[derive(Debug, Clone)]
pub struct Loose {
    pub face: i64,
    pub embedding: Embedding,
    /// The person the user said it is not.
    pub excluded: Option<i64>,
}

/// The index of the nearest centre within [`JOIN`] that the face is not excluded from.
pub fn nearest(centres: &[Centre], face: &Loose) -> Option<usize> {
    centres
        .iter()
        .enumerate()
        .filter(|(_, c)| Some(c.person) != face.excluded)
        .map(|(i, c)| (i, distance(&c.centre, &face.embedding)))
        .filter(|(_, d)| *d < JOIN)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Groups of faces that make new people: `new` faces (not yet seen) and `pool` faces (seen,
/// nobody's) linked by distances under [`PAIR`]; only groups holding a new face and of at least
/// [`MIN_FACES`] faces. Pool faces are not linked among themselves (the passes that saw them
/// found no partner). Returns the groups as indices: `(new indices, pool indices)`.
pub fn new_people(new: &[Loose], pool: &[Loose]) -> Vec<(Vec<usize>, Vec<usize>)> {
    let n = new.len();
    let mut parent: Vec<usize> = (0..n + pool.len()).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let union = |p: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (find(p, a), find(p, b));
        if ra != rb {
            p[ra.max(rb)] = ra.min(rb);
        }
    };
    for i in 0..n {
        for j in (i + 1)..n {
            if distance(&new[i].embedding, &new[j].embedding) < PAIR {
                union(&mut parent, i, j);
            }
        }
        for (k, p) in pool.iter().enumerate() {
            if distance(&new[i].embedding, &p.embedding) < PAIR {
                union(&mut parent, i, n + k);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<usize>, Vec<usize>)> =
        Default::default();
    for i in 0..n + pool.len() {
        let r = find(&mut parent, i);
        let g = groups.entry(r).or_default();
        if i < n {
            g.0.push(i);
        } else {
            g.1.push(i - n);
        }
    }
    groups
        .into_values()
        .filter(|(a, b)| !a.is_empty() && a.len() + b.len() >= MIN_FACES)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: f32) -> Embedding {
        let mut e = [0f32; 128];
        e[0] = x;
        e
    }

    fn loose(face: i64, x: f32) -> Loose {
        Loose {
            face,
            embedding: at(x),
            excluded: None,
        }
    }

    #[test]
    fn blobs_round_trip_and_bad_ones_are_refused() {
        let mut e = at(0.25);
        e[127] = -3.5;
        assert_eq!(from_blob(&to_blob(&e)), Some(e));
        assert_eq!(from_blob(&[0u8; 10]), None);
        let mut nan = to_blob(&e);
        nan[0..4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(from_blob(&nan), None);
    }

    #[test]
    fn faces_join_the_nearest_person_they_are_not_excluded_from() {
        let centres = vec![
            Centre {
                person: 1,
                centre: at(0.0),
                faces: 3,
            },
            Centre {
                person: 2,
                centre: at(1.0),
                faces: 3,
            },
        ];
        assert_eq!(nearest(&centres, &loose(9, 0.1)), Some(0));
        assert_eq!(nearest(&centres, &loose(9, 0.9)), Some(1));
        // Halfway: too far from both.
        assert_eq!(nearest(&centres, &loose(9, 0.5)), None);
        let mut not_one = loose(9, 0.1);
        not_one.excluded = Some(1);
        assert_eq!(nearest(&centres, &not_one), None);
    }

    #[test]
    fn new_people_need_two_faces_and_a_new_one() {
        let new = vec![loose(1, 0.0), loose(2, 0.3), loose(3, 5.0)];
        let pool = vec![loose(10, 5.2), loose(11, 9.0), loose(12, 9.1)];
        let mut groups = new_people(&new, &pool);
        groups.sort();
        // {1,2} from new faces; {3, pool 10}; pool 11 and 12 are near each other but no new
        // face links them, so they stay as they are.
        assert_eq!(groups, vec![(vec![0, 1], vec![]), (vec![2], vec![0])]);
    }

    #[test]
    fn the_running_mean_is_the_mean() {
        let mut c = Centre {
            person: 1,
            centre: at(1.0),
            faces: 1,
        };
        c.add(&at(3.0));
        assert!((c.centre[0] - 2.0).abs() < 1e-6);
        let m = mean([&at(1.0), &at(2.0), &at(6.0)]).expect("mean");
        assert!((m[0] - 3.0).abs() < 1e-6);
        assert!(mean(std::iter::empty()).is_none());
    }
}
