//! The five reference workflows of turnstile, modelled rule by rule on a
//! cloud provider's account documentation, with the data each one carries,
//! its guards and its outcomes (see `docs/diagrams/` for the diagrams):
//!
//! | definition | data | machine |
//! |---|---|---|
//! | `sign_up.toml`: register a HUAWEI ID, enable services, complete information | [`SignUp`] | [`sign_up::Machine`] |
//! | `account_upgrade.toml`: a legacy Huawei Cloud account becomes a HUAWEI ID | [`AccountUpgrade`] | [`account_upgrade::Machine`] |
//! | `phone_change.toml`: change the phone number by disassociating the ID | [`PhoneChange`] | [`phone_change::Machine`] |
//! | `partner_association.toml`: associate with a partner, if eligible | [`PartnerAssociation`] | [`partner_association::Machine`] |
//! | `service_closing.toml`: close services, restore them or have them disabled, with timers | [`ServiceClosing`] | [`service_closing::Machine`] |
//!
//! The rules themselves are plain functions, unit-tested at their
//! boundaries: each process's beside its data (`src/<process>/rules.rs`,
//! reachable as [`rules::sign_up`], [`rules::phone_change`], …), the shared
//! ones (regions, mobile numbers, passwords, verification codes) in
//! [`rules`]. A finished phone change hands over to the upgrade, in
//! types: [`phone_change::Machine::into_upgrade`].
#![forbid(unsafe_code)]

pub mod rules;

#[path = "account_upgrade.rs"]
mod account_upgrade_data;
#[path = "partner_association.rs"]
mod partner_association_data;
#[path = "phone_change.rs"]
mod phone_change_data;
#[path = "service_closing.rs"]
mod service_closing_data;
#[path = "sign_up.rs"]
mod sign_up_data;

pub use account_upgrade_data::{account_upgrade, AccountUpgrade, CloudAccount, HuaweiId};
pub use partner_association_data::{
    partner_association, CustomerRecord, EnterpriseRole, Invitation, PartnerAssociation,
    PartnerModel, SpecialContract,
};
pub use phone_change_data::{phone_change, PhoneChange, Verdict};
pub use service_closing_data::{service_closing, ServiceClosing};
pub use sign_up_data::{sign_up, SignUp};

/// The definitions' file names, relative to this crate's folder.
pub const DEFINITIONS: [&str; 5] = [
    "sign_up.toml",
    "account_upgrade.toml",
    "phone_change.toml",
    "partner_association.toml",
    "service_closing.toml",
];
