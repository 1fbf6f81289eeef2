//! The rules of what pays besides a card, in one module (one owner for
//! the rules the processes share): the quota, vouchers and test coupons that let
//! an account subscribe without a card (002 §1.1.13, sign-up), and a
//! reseller customer's cash coupons (004 precautions, partner
//! association). The flexi-purchase coupons that stand in the way of
//! closing are one of closing's checks
//! (`service_closing::rules::Obstacle::FlexiPurchaseCoupons`, 002 §1.4.6):
//! a fact about the account, with no rule of its own.

use std::time::SystemTime;

use crate::partner_association::PartnerModel;

/// 002 §1.1.13: what lets an account without a card subscribe to services.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Funding {
    /// An expenditure quota is granted.
    pub expenditure_quota: bool,
    /// A voucher is available.
    pub voucher: bool,
    /// A test coupon is available.
    pub test_coupon: bool,
    /// The account is a reseller's customer.
    pub reseller_customer: bool,
}

impl Funding {
    /// 002 §1.1.13: any one of them is enough.
    pub fn any(self) -> bool {
        self.expenditure_quota || self.voucher || self.test_coupon || self.reseller_customer
    }
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
    use std::time::Duration;

    #[test]
    fn any_funding_lets_an_account_subscribe_without_a_card() {
        assert!(!Funding::default().any());
        for funding in [
            Funding {
                expenditure_quota: true,
                ..Funding::default()
            },
            Funding {
                voucher: true,
                ..Funding::default()
            },
            Funding {
                test_coupon: true,
                ..Funding::default()
            },
            Funding {
                reseller_customer: true,
                ..Funding::default()
            },
        ] {
            assert!(funding.any(), "{funding:?}");
        }
    }

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
}
