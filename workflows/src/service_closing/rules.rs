//! The checks of 002 §1.4.6 that make closing Huawei Cloud services fail,
//! one [`Obstacle`] per item of its list, grouped into the guards of `close`.

use std::collections::BTreeSet;

/// Something that makes closing Huawei Cloud services fail: one per item
/// of the list in 002 §1.4.6, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Obstacle {
    /// The HUAWEI ID has been frozen due to security reasons or suspicious activities.
    IdFrozen,
    /// Certain resources under the account have been frozen due to security reasons.
    ResourcesFrozen,
    /// Associated with a partner, or an application to associate with, to
    /// disassociate from, or to become a partner is pending.
    PartnerRelationship,
    /// The account is a reseller partner or a KooGallery partner.
    IsPartner,
    /// The HUAWEI ID is an enterprise master account or member account.
    EnterpriseAccount,
    /// The HUAWEI ID has been bound to an HCS site or a Cloud Alliance site.
    SiteBinding,
    /// Yearly/monthly resources are in use.
    YearlyMonthlyResources,
    /// Orders are being processed.
    OrdersInProgress,
    /// The HUAWEI ID has a balance.
    Balance,
    /// Active flexi-purchase coupons.
    FlexiPurchaseCoupons,
    /// Refund or invoicing applications are pending processing.
    RefundOrInvoicingPending,
    /// Overdue payments or over-issued invoices.
    OverduePaymentsOrInvoices,
    /// Applications for receiving payments or allocating or withdrawing
    /// funds are pending processing.
    FundApplicationsPending,
    /// Paper or commercial contracts are pending for performance.
    ContractsPending,
    /// The resources used exceed the upper limit allowed for closing.
    TooManyResources,
    /// Licensing orders are pending processing.
    LicensingOrdersPending,
    /// The account belongs to a solution partner (002 §3.1.9). The list of
    /// §3.1.9 is for deleting an account; closing services (§1.4.6) names
    /// reseller and KooGallery partners only. We read a solution partner
    /// as in the way of closing too, since closing leads to the same
    /// deletion of the account's data (§1.4.2).
    SolutionPartner,
}

/// The guards of `close`, each covering the items of 002 §1.4.6 it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosingCheck {
    /// `id_not_frozen`
    IdNotFrozen,
    /// `no_frozen_resources`
    NoFrozenResources,
    /// `no_partner_ties`
    NoPartnerTies,
    /// `not_enterprise_account`
    NotEnterpriseAccount,
    /// `no_site_binding`
    NoSiteBinding,
    /// `no_resources_in_use`
    NoResourcesInUse,
    /// `no_funds`
    NoFunds,
    /// `no_pending_finance`
    NoPendingFinance,
}

impl Obstacle {
    /// Every obstacle, in the order 002 §1.4.6 lists them, then the
    /// solution partner of §3.1.9.
    pub const ALL: [Obstacle; 17] = [
        Obstacle::IdFrozen,
        Obstacle::ResourcesFrozen,
        Obstacle::PartnerRelationship,
        Obstacle::IsPartner,
        Obstacle::EnterpriseAccount,
        Obstacle::SiteBinding,
        Obstacle::YearlyMonthlyResources,
        Obstacle::OrdersInProgress,
        Obstacle::Balance,
        Obstacle::FlexiPurchaseCoupons,
        Obstacle::RefundOrInvoicingPending,
        Obstacle::OverduePaymentsOrInvoices,
        Obstacle::FundApplicationsPending,
        Obstacle::ContractsPending,
        Obstacle::TooManyResources,
        Obstacle::LicensingOrdersPending,
        Obstacle::SolutionPartner,
    ];

    /// The check of `close` that this obstacle fails.
    pub fn check(self) -> ClosingCheck {
        match self {
            Obstacle::IdFrozen => ClosingCheck::IdNotFrozen,
            Obstacle::ResourcesFrozen => ClosingCheck::NoFrozenResources,
            Obstacle::PartnerRelationship | Obstacle::IsPartner | Obstacle::SolutionPartner => {
                ClosingCheck::NoPartnerTies
            }
            Obstacle::EnterpriseAccount => ClosingCheck::NotEnterpriseAccount,
            Obstacle::SiteBinding => ClosingCheck::NoSiteBinding,
            Obstacle::YearlyMonthlyResources
            | Obstacle::OrdersInProgress
            | Obstacle::TooManyResources
            | Obstacle::LicensingOrdersPending => ClosingCheck::NoResourcesInUse,
            Obstacle::Balance | Obstacle::FlexiPurchaseCoupons => ClosingCheck::NoFunds,
            Obstacle::RefundOrInvoicingPending
            | Obstacle::OverduePaymentsOrInvoices
            | Obstacle::FundApplicationsPending
            | Obstacle::ContractsPending => ClosingCheck::NoPendingFinance,
        }
    }
}

/// 002 §1.4.6: the check passes when no obstacle it covers is present.
pub fn passes(check: ClosingCheck, obstacles: &BTreeSet<Obstacle>) -> bool {
    !obstacles.iter().any(|o| o.check() == check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_obstacle_fails_exactly_one_check() {
        let checks = [
            ClosingCheck::IdNotFrozen,
            ClosingCheck::NoFrozenResources,
            ClosingCheck::NoPartnerTies,
            ClosingCheck::NotEnterpriseAccount,
            ClosingCheck::NoSiteBinding,
            ClosingCheck::NoResourcesInUse,
            ClosingCheck::NoFunds,
            ClosingCheck::NoPendingFinance,
        ];
        for obstacle in Obstacle::ALL {
            let found = BTreeSet::from([obstacle]);
            let failing: Vec<_> = checks.iter().filter(|c| !passes(**c, &found)).collect();
            assert_eq!(failing, [&obstacle.check()], "{obstacle:?}");
        }
        for check in checks {
            assert!(passes(check, &BTreeSet::new()));
            assert!(
                Obstacle::ALL.iter().any(|o| o.check() == check),
                "{check:?} covers no item of §1.4.6"
            );
        }
    }

    #[test]
    fn a_solution_partner_cannot_close_like_a_reseller_or_koogallery_partner() {
        // 002 §3.1.9 beside §1.4.6: the three kinds of partner fail the same check.
        for partner in [Obstacle::IsPartner, Obstacle::SolutionPartner] {
            let found = BTreeSet::from([partner]);
            assert!(!passes(ClosingCheck::NoPartnerTies, &found), "{partner:?}");
            assert!(passes(ClosingCheck::NoFunds, &found), "{partner:?}");
        }
    }
}
