//! The rules of partner association that are values (seed 004
//! precautions), tested at their boundaries; the eligibility checks on the
//! customer's record are the guards beside them.

use std::time::Duration;

/// Seven days, the longest a customer may have been registered for and
/// still be associated with a partner (004 precautions).
pub const SEVEN_DAYS: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// 004 precautions: refused when registered for *more* than seven days or
/// with cash expenditure records; exactly seven days is still allowed.
pub fn new_without_cash_expenditure(
    registered_for: Duration,
    cash_expenditure_records: u32,
) -> bool {
    registered_for <= SEVEN_DAYS && cash_expenditure_records == 0
}

/// 004 precautions: what a reseller customer's cash coupons may deduct;
/// one owner with the other coupons' rules, [`crate::rules::coupons`].
pub use crate::rules::coupons::cash_coupon_may_deduct;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_seven_days_is_still_new() {
        let day = Duration::from_secs(24 * 60 * 60);
        assert!(new_without_cash_expenditure(Duration::ZERO, 0));
        assert!(
            new_without_cash_expenditure(7 * day, 0),
            "exactly seven days"
        );
        assert!(!new_without_cash_expenditure(
            7 * day + Duration::from_secs(1),
            0
        ));
        assert!(!new_without_cash_expenditure(8 * day, 0));
        assert!(
            !new_without_cash_expenditure(day, 1),
            "one cash expenditure record"
        );
    }
}
