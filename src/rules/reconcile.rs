//! Billed against expected: `difference = billed − expected`; `OK` within the tolerance,
//! `MISMATCH` beyond it, `UNBILLED` when nothing was billed. Pure; no I/O.

use super::records::LineStatus;
use rust_decimal::Decimal;

pub fn reconcile(
    expected: Decimal,
    billed: Option<Decimal>,
    tolerance: Decimal,
) -> (Option<Decimal>, LineStatus) {
    match billed {
        None => (None, LineStatus::Unbilled),
        Some(b) => {
            let d = b - expected;
            let status = if d.abs() <= tolerance {
                LineStatus::Ok
            } else {
                LineStatus::Mismatch
            };
            (Some(d), status)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn tolerance_is_inclusive() {
        let t = dec!(0.01);
        assert_eq!(
            reconcile(dec!(100), Some(dec!(100.01)), t),
            (Some(dec!(0.01)), LineStatus::Ok)
        );
        assert_eq!(
            reconcile(dec!(100), Some(dec!(99.99)), t),
            (Some(dec!(-0.01)), LineStatus::Ok)
        );
        assert_eq!(
            reconcile(dec!(100), Some(dec!(100.02)), t),
            (Some(dec!(0.02)), LineStatus::Mismatch)
        );
        assert_eq!(reconcile(dec!(100), None, t), (None, LineStatus::Unbilled));
    }
}
