//! `SYNO.Foto.Browse.Timeline` / `SYNO.FotoTeam.Browse.Timeline` `get` (reference §3.8, §4.6):
//! the timeline as sections of about 100 items, newest first, cut on day boundaries.

use shoebox_indexer::metadata::time::civil_from_days;

use crate::extract;
use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::reply::Reply;
use shoebox_catalog::library::{self, Kind};

/// Items per section, as observed on a real NAS.
const PAGE: i64 = 100;

/// One section: the items at `offset..offset+limit` of `Browse.Item list` in taken-time order,
/// and the days (or months) they fall on with their full counts.
#[derive(Debug, PartialEq)]
pub struct Section {
    pub offset: i64,
    pub limit: i64,
    pub groups: Vec<(i64, u32, Option<u32>, i64)>,
}

/// Year, month and (when grouping by day) day of a timeline group.
type GroupKey = (i64, u32, Option<u32>);

/// Cuts `(day, count)` (newest first) into sections. A day with more than a page of items gets
/// sections of its own, each listing the day with its full count and taking its share as
/// `limit`. With `by_month`, groups are months and sections are cut on month boundaries.
pub fn sections(days: &[(i64, i64)], by_month: bool) -> Vec<Section> {
    // Group first: per day, or per month.
    let mut groups: Vec<(GroupKey, i64)> = Vec::new();
    for &(day, count) in days {
        let (y, m, d) = civil_from_days(day);
        let key = if by_month {
            (y, m, None)
        } else {
            (y, m, Some(d))
        };
        match groups.last_mut() {
            Some((k, n)) if *k == key => *n += count,
            _ => groups.push((key, count)),
        }
    }
    let mut out = Vec::new();
    let mut offset = 0i64;
    let mut current = Section {
        offset: 0,
        limit: 0,
        groups: Vec::new(),
    };
    for ((y, m, d), count) in groups {
        if count > PAGE {
            if current.limit > 0 {
                offset += current.limit;
                out.push(std::mem::replace(
                    &mut current,
                    Section {
                        offset,
                        limit: 0,
                        groups: Vec::new(),
                    },
                ));
            }
            let mut left = count;
            while left > 0 {
                let take = left.min(PAGE);
                out.push(Section {
                    offset,
                    limit: take,
                    groups: vec![(y, m, d, count)],
                });
                offset += take;
                left -= take;
            }
            current.offset = offset;
            continue;
        }
        if current.limit > 0 && current.limit + count > PAGE {
            offset += current.limit;
            out.push(std::mem::replace(
                &mut current,
                Section {
                    offset,
                    limit: 0,
                    groups: Vec::new(),
                },
            ));
        }
        current.limit += count;
        current.groups.push((y, m, d, count));
    }
    if current.limit > 0 {
        out.push(current);
    }
    out
}

pub async fn get(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let by_month = match call.params.string("timeline_group_unit").as_deref() {
        None | Some("day") => false,
        Some("month") => true,
        Some(_) => return Err(ApiError::bad("timeline_group_unit", "day or month")),
    };
    let mut filter = reach.items();
    if let Some(folder) = call.params.int("folder_id")? {
        let folder = reach.folder(&call.state, folder).await?;
        filter = reach.items_in(&folder)?;
    }
    if let Some(kinds) = call.params.string_list("type")? {
        filter.kinds = kinds
            .iter()
            .map(|k| Kind::parse(k).ok_or_else(|| ApiError::bad("type", "photo, video or live")))
            .collect::<ApiResult<_>>()?;
    }
    let days = library::days_of(&call.state.db, &filter).await?;
    // Serialized straight from these: a million items make ten thousand sections.
    #[derive(serde::Serialize)]
    struct Group {
        year: i64,
        month: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        day: Option<u32>,
        item_count: i64,
    }
    #[derive(serde::Serialize)]
    struct Out {
        offset: i64,
        limit: i64,
        list: Vec<Group>,
    }
    #[derive(serde::Serialize)]
    struct Data {
        section: Vec<Out>,
    }
    let section = sections(&days, by_month)
        .into_iter()
        .map(|s| Out {
            offset: s.offset,
            limit: s.limit,
            list: s
                .groups
                .iter()
                .map(|&(year, month, day, item_count)| Group {
                    year,
                    month,
                    day,
                    item_count,
                })
                .collect(),
        })
        .collect();
    Ok(Reply::data(Data { section }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_cut_on_days_and_split_big_days() {
        // Newest first: 60 + 50 on two days, then a day of 250, then 3 small days.
        let days = [
            (20_000, 60),
            (19_999, 50),
            (19_998, 250),
            (19_990, 1),
            (19_989, 2),
            (19_988, 3),
        ];
        let s = sections(&days, false);
        let shape: Vec<(i64, i64, usize)> = s
            .iter()
            .map(|s| (s.offset, s.limit, s.groups.len()))
            .collect();
        assert_eq!(
            shape,
            vec![
                (0, 60, 1),
                (60, 50, 1),
                (110, 100, 1),
                (210, 100, 1),
                (310, 50, 1),
                (360, 6, 3)
            ]
        );
        // The big day shows its full count in each of its sections.
        assert!(s[2..5].iter().all(|s| s.groups[0].3 == 250));
        // Limits add up to the total.
        assert_eq!(s.iter().map(|s| s.limit).sum::<i64>(), 366);
    }

    #[test]
    fn months_group_days() {
        // 2024-12-31 and 2024-12-01 are one month; 2024-11-30 another.
        let d = shoebox_indexer::metadata::time::days_from_civil;
        let days = [
            (d(2024, 12, 31), 3),
            (d(2024, 12, 1), 4),
            (d(2024, 11, 30), 5),
        ];
        let s = sections(&days, true);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].groups, vec![(2024, 12, None, 7), (2024, 11, None, 5)]);
    }
}
