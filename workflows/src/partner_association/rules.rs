//! The rules of partner association that are values (seed 004
//! precautions), tested at their boundaries; the eligibility checks on the
//! customer's record are the guards beside them.

use std::time::{Duration, SystemTime};

use super::PartnerModel;

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

/// 004 precautions: "If a customer associates with a partner in reseller
/// model, customer's cash coupons can only be used to deduct customer's
/// expenditures generated before the association." An expenditure
/// generated at the instant of the association is not before it.
///
/// The documents say nothing of cash coupons in the referral model; we
/// read that they keep deducting any expenditure.
pub fn cash_coupon_may_deduct(
    model: PartnerModel,
    associated_at: SystemTime,
    expenditure_generated_at: SystemTime,
) -> bool {
    match model {
        PartnerModel::Reseller => expenditure_generated_at < associated_at,
        PartnerModel::Referral => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reseller_customers_cash_coupons_pay_only_for_what_came_before() {
        let associated = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800);
        let second = Duration::from_secs(1);
        let reseller = PartnerModel::Reseller;
        assert!(cash_coupon_may_deduct(
            reseller,
            associated,
            associated - second
        ));
        assert!(cash_coupon_may_deduct(
            reseller,
            associated,
            associated - Duration::from_nanos(1)
        ));
        assert!(
            !cash_coupon_may_deduct(reseller, associated, associated),
            "the instant of the association is not before it"
        );
        assert!(!cash_coupon_may_deduct(
            reseller,
            associated,
            associated + second
        ));
        for at in [associated - second, associated, associated + second] {
            assert!(cash_coupon_may_deduct(
                PartnerModel::Referral,
                associated,
                at
            ));
        }
    }

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
