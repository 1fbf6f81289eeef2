//! The reference workflows of turnstile, modelled rule by rule on a
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
//! | `account_restriction.toml`: an account restricted or frozen, and restored by a ticket, with roles, capabilities and payloads | [`AccountRestriction`] | [`account_restriction::Machine`] |
//! | `details_change.toml`: change an unavailable phone number or email through after-sales staff, with the materials of §1.1.17 | [`DetailsChange`] | [`details_change::Machine`] |
//! | `account.toml`: the account as one machine, its services, partner, restriction and freeze as parallel regions joined by the documents' seams | `Account` | `turnstile_account::Machine`, in its own crate (`workflows/account/`) |
//!
//! The rules themselves are plain functions, unit-tested at their
//! boundaries: each process's beside its data (`src/<process>/rules.rs`,
//! reachable as [`rules::sign_up`], [`rules::phone_change`], …), the shared
//! ones (regions, mobile numbers, passwords, verification codes) in
//! [`rules`]. A finished phone change hands over to the upgrade, in
//! types: [`phone_change::Machine::into_upgrade`].
#![forbid(unsafe_code)]

pub mod rules;

// Each process is a module named after its workflow, holding its data,
// its guards and outcomes, its rules, and (re-exported from the generated
// `machine` module, see `#[workflow(module = "machine")]`) its machine.
pub mod account_restriction;
pub mod account_upgrade;
pub mod details_change;
pub mod partner_association;
pub mod phone_change;
pub mod service_closing;
pub mod sign_up;

pub use account_restriction::AccountRestriction;
pub use account_upgrade::{AccountUpgrade, CloudAccount, HuaweiId};
pub use details_change::DetailsChange;
pub use partner_association::{
    CustomerRecord, EnterpriseRole, Invitation, PartnerAssociation, PartnerModel, SpecialContract,
};
pub use phone_change::{PhoneChange, Verdict};
pub use service_closing::ServiceClosing;
pub use sign_up::SignUp;

/// The definitions' file names, relative to this crate's folder. The last,
/// `account/account.toml`, is derived in its own crate, `turnstile-account`
/// (`workflows/account/`): its machine declares the same state and event
/// names as the processes it joins, and rustc prints a name with its whole
/// path in a compile error unless it is unique among the public items of
/// the crates in use, so in this crate it would lengthen every standalone
/// process's compile errors.
pub const DEFINITIONS: [&str; 8] = [
    "sign_up.toml",
    "account_upgrade.toml",
    "phone_change.toml",
    "partner_association.toml",
    "service_closing.toml",
    "account_restriction.toml",
    "details_change.toml",
    "account/account.toml",
];
