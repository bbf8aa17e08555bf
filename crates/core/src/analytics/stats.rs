//! Medians and 80th percentiles of day counts.

use serde::{Deserialize, Serialize};

/// A distribution of day counts: how many, the median and the 80th percentile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsDist))]
pub struct Dist {
    pub count: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p80: Option<f64>,
}

impl Dist {
    pub fn of(mut values: Vec<f64>) -> Dist {
        values.sort_by(|a, b| a.total_cmp(b));
        Dist {
            count: values.len(),
            median: median_sorted(&values).map(round1),
            p80: percentile_sorted(&values, 0.8),
        }
    }
}

/// The median as the scorecard takes it (the mean of the two middle values of an even count),
/// so the analytics' medians and `r12_portfolio`'s agree.
fn median_sorted(v: &[f64]) -> Option<f64> {
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// Linear interpolation between the closest ranks (the spreadsheet's PERCENTILE.INC).
fn percentile_sorted(v: &[f64], q: f64) -> Option<f64> {
    let last = v.len().checked_sub(1)?;
    let rank = q * last as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let (lo, hi) = (v.get(below)?, v.get(above)?);
    Some(round1(lo + (hi - lo) * (rank - below as f64)))
}

/// To one decimal; a sum of nothing (-0.0 in Rust) becomes 0, not "-0".
pub fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0 + 0.0
}

/// A share in [0, 1], `None` of nothing.
pub fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dist_of_an_even_count_takes_the_mean_of_the_middle_two() {
        let d = Dist::of(vec![40.0, 10.0, 30.0, 20.0]);
        assert_eq!(d.count, 4);
        assert_eq!(d.median, Some(25.0));
        // rank 0.8 × 3 = 2.4: 30 + 0.4 × 10
        assert_eq!(d.p80, Some(34.0));
    }

    #[test]
    fn dist_of_nothing_has_no_median() {
        assert_eq!(Dist::of(vec![]), Dist::default());
        assert_eq!(Dist::of(vec![7.0]).p80, Some(7.0));
        let nothing: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(round1(nothing).to_string(), "0");
    }
}
