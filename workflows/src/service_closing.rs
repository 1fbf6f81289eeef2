//! Closing, restoring and disabling Huawei Cloud services: the data of
//! `service_closing.toml` and its guards; its rules are in [`rules`].
//!
//! The timers are in the definition itself: restoring and disabling by
//! hand wait 24 hours after closing (`not_before = "24h"`, 002 §1.4.3,
//! §1.4.5), and the retention period disables the services by itself after
//! 90 days (`after = "90d"`, 002 §1.4.4). The caller's clock drives them.

use std::collections::BTreeSet;

use turnstile::Workflow;

pub mod rules;

use rules::{passes, ClosingCheck, Obstacle};

/// The generated machine (`#[workflow(module = "machine")]`), re-exported
/// here: `service_closing::Machine`, `service_closing::state`, `service_closing::Guards`, ….
pub use machine::*;

/// A Huawei Cloud account whose services are closed, restored or disabled.
#[derive(Workflow)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[workflow(file = "service_closing.toml", module = "machine")]
pub struct ServiceClosing {
    /// The account's name, for logs.
    pub account: String,
    /// What the system's checks would find if the services were closed now
    /// (002 §1.4.6).
    pub obstacles: BTreeSet<Obstacle>,
}

impl ServiceClosing {
    /// An account with nothing in the way of closing.
    pub fn new(account: impl Into<String>) -> Self {
        ServiceClosing {
            account: account.into(),
            obstacles: BTreeSet::new(),
        }
    }
}

impl machine::Guards for ServiceClosing {
    fn id_not_frozen(&self) -> bool {
        passes(ClosingCheck::IdNotFrozen, &self.obstacles)
    }
    fn no_frozen_resources(&self) -> bool {
        passes(ClosingCheck::NoFrozenResources, &self.obstacles)
    }
    fn no_partner_ties(&self) -> bool {
        passes(ClosingCheck::NoPartnerTies, &self.obstacles)
    }
    fn not_enterprise_account(&self) -> bool {
        passes(ClosingCheck::NotEnterpriseAccount, &self.obstacles)
    }
    fn no_site_binding(&self) -> bool {
        passes(ClosingCheck::NoSiteBinding, &self.obstacles)
    }
    fn no_resources_in_use(&self) -> bool {
        passes(ClosingCheck::NoResourcesInUse, &self.obstacles)
    }
    fn no_funds(&self) -> bool {
        passes(ClosingCheck::NoFunds, &self.obstacles)
    }
    fn no_pending_finance(&self) -> bool {
        passes(ClosingCheck::NoPendingFinance, &self.obstacles)
    }
}
