//! Calendar arithmetic of the pricing rules: adding months with month-end clamping, the
//! Tencent add-on split of a remaining period into full years and months, day counts.
//! Pure; no I/O.

use chrono::{Months, NaiveDate};

/// `add_months(d, n)`: keeps the day of month and clamps to the month's end
/// (2024-01-31 + 1 month = 2024-02-29), as chrono's `checked_add_months` does; the one
/// name the rules use for a month step. `None` only past the calendar's range.
pub fn add_months(d: NaiveDate, months: u32) -> Option<NaiveDate> {
    d.checked_add_months(Months::new(months))
}

/// How a started month of an add-on's remainder is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthRounding {
    /// A started month counts as a whole month (the Tencent guides' rule, default).
    Ceil,
    /// Only whole months count.
    Floor,
}

/// The remaining period `[from, to)` of an add-on split as the Tencent rule does:
/// `full_years` = the largest y with `add_months(from, 12·y) ≤ to`; `months` = the smallest m
/// with `add_months(from, 12·full_years + m) ≥ to` (ceil) or the largest with `≤ to` (floor).
/// Requires `from < to`; returns `(0, 0)` otherwise.
pub fn years_and_months(from: NaiveDate, to: NaiveDate, rounding: MonthRounding) -> (u32, u32) {
    if from >= to {
        return (0, 0);
    }
    let mut years = 0u32;
    while let Some(next) = add_months(from, 12 * (years + 1)) {
        if next <= to {
            years += 1;
        } else {
            break;
        }
    }
    let base = 12 * years;
    let mut months = 0u32;
    while months <= 12 {
        let Some(at) = add_months(from, base + months) else {
            break;
        };
        let stop = match rounding {
            MonthRounding::Ceil => at >= to,
            MonthRounding::Floor => add_months(from, base + months + 1).is_none_or(|n| n > to),
        };
        if stop {
            break;
        }
        months += 1;
    }
    (years, months)
}

/// Days in `[from, to)`; 0 when `to <= from`.
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        assert_eq!(add_months(d("2024-01-31"), 1), Some(d("2024-02-29")));
        assert_eq!(add_months(d("2023-01-31"), 1), Some(d("2023-02-28")));
        assert_eq!(add_months(d("2024-02-29"), 12), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2024-02-29"), 48), Some(d("2028-02-29")));
        assert_eq!(add_months(d("2024-11-30"), 3), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2024-12-15"), 1), Some(d("2025-01-15")));
        assert_eq!(add_months(d("2025-01-31"), 1), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2024-02-29"), 1), Some(d("2024-03-29")));
        assert_eq!(add_months(d("2024-03-31"), 0), Some(d("2024-03-31")));
        assert_eq!(add_months(NaiveDate::MAX, 1), None);
        assert_eq!(add_months(d("2024-01-31"), u32::MAX), None);
    }

    #[test]
    fn add_months_keeps_the_day_or_the_months_last() {
        use chrono::Datelike;
        let mut day = d("2023-01-01");
        while day < d("2025-01-01") {
            for n in [1, 2, 11, 12, 13, 24, 48] {
                let got = add_months(day, n).unwrap();
                let months = |x: NaiveDate| x.year() * 12 + x.month0() as i32;
                assert_eq!(months(got) - months(day), n as i32, "{day} + {n}");
                let last = u32::from(got.num_days_in_month());
                assert_eq!(got.day(), day.day().min(last), "{day} + {n}");
            }
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn guide_split_one_year_six_months() {
        // 2-year subscription from 2024-01-01, add-on 2024-07-01 → 1 year 6 months.
        assert_eq!(
            years_and_months(d("2024-07-01"), d("2026-01-01"), MonthRounding::Ceil),
            (1, 6)
        );
    }

    #[test]
    fn started_month_counts_whole_unless_floor() {
        assert_eq!(
            years_and_months(d("2024-07-02"), d("2026-01-01"), MonthRounding::Ceil),
            (1, 6)
        );
        assert_eq!(
            years_and_months(d("2024-07-02"), d("2026-01-01"), MonthRounding::Floor),
            (1, 5)
        );
        assert_eq!(
            years_and_months(d("2024-12-31"), d("2025-01-01"), MonthRounding::Ceil),
            (0, 1)
        );
        assert_eq!(
            years_and_months(d("2024-12-31"), d("2025-01-01"), MonthRounding::Floor),
            (0, 0)
        );
    }

    #[test]
    fn exact_ten_and_eleven_months() {
        assert_eq!(
            years_and_months(d("2024-03-01"), d("2025-01-01"), MonthRounding::Ceil),
            (0, 10)
        );
        assert_eq!(
            years_and_months(d("2024-02-01"), d("2025-01-01"), MonthRounding::Ceil),
            (0, 11)
        );
        // 11 months and a day: a started 12th month, still less than a full year.
        assert_eq!(
            years_and_months(d("2024-01-31"), d("2025-01-01"), MonthRounding::Ceil),
            (0, 12)
        );
    }

    #[test]
    fn leap_day_and_month_end_splits() {
        // From a leap day: add_months(2024-02-29, 12) = 2025-02-28 ≤ 2025-02-28 → one full year.
        assert_eq!(
            years_and_months(d("2024-02-29"), d("2025-02-28"), MonthRounding::Ceil),
            (1, 0)
        );
        // Month-end from 01-31: +1 month = 02-29, +2 = 03-31.
        assert_eq!(
            years_and_months(d("2024-01-31"), d("2024-03-31"), MonthRounding::Ceil),
            (0, 2)
        );
        assert_eq!(
            years_and_months(d("2024-01-31"), d("2024-03-30"), MonthRounding::Ceil),
            (0, 2)
        );
        assert_eq!(
            years_and_months(d("2024-01-31"), d("2024-02-29"), MonthRounding::Ceil),
            (0, 1)
        );
    }

    #[test]
    fn empty_or_reversed_period_is_zero() {
        assert_eq!(
            years_and_months(d("2024-01-01"), d("2024-01-01"), MonthRounding::Ceil),
            (0, 0)
        );
        assert_eq!(days_between(d("2024-01-02"), d("2024-01-01")), 0);
        assert_eq!(days_between(d("2024-01-01"), d("2025-01-01")), 366);
    }
}
