//! Sign-up: the data of `sign_up.toml`, its guards and its outcomes.

use std::collections::BTreeSet;

use turnstile::Workflow;

use crate::rules::{self as shared, AccountType, MobileNumber, Region, VerificationCode};

pub mod rules;

pub use rules::{EnterpriseInformation, Funding, TenantRegionChange, TinTicket};

/// The generated machine (`#[workflow(module = "machine")]`), re-exported
/// here: `sign_up::Machine`, `sign_up::state`, `sign_up::Guards`, ….
pub use machine::*;

/// What a visitor enters and what the site answers while signing up on the
/// International website (seed 003; 002 §1.1.12, §3.1).
///
/// Fill in each field before the event that reads it: the guards read the
/// form, the outcomes read the site's answers.
#[derive(Workflow)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[workflow(file = "sign_up.toml", module = "machine")]
// Payloads by name are read as JSON (`turnstile::Payload` for serde
// types): without serde, the typed machine alone.
#[cfg_attr(not(feature = "serde"), workflow(dispatch = false))]
pub struct SignUp {
    /// The registration country/region: private, read with
    /// [`SignUp::region`], and changed only by [`Machine::choose_region`],
    /// which compiles in no state after the ID is registered (002 §1.2.2).
    region: Region,
    /// The email address the HUAWEI ID registers with.
    pub email: String,
    /// The email verification code of the registration (003 step 2.3).
    pub email_code: VerificationCode,
    /// The password chosen (003 step 2.4).
    pub password: String,
    /// The email addresses that already registered an account, normalised
    /// with [`shared::normalize_email`] (002 §1.2.4).
    pub emails_in_use: BTreeSet<String>,
    /// The code the Complete Information page sends to the email (002
    /// §1.1.12 step 1): another code than the registration's.
    #[cfg_attr(feature = "serde", serde(default))]
    pub information_email_code: VerificationCode,
    /// The code sent to the optional security phone (003 step 3).
    pub security_code: VerificationCode,
    /// Whether the agreements were read and accepted (003 step 4).
    pub agreements_accepted: bool,
    /// The site's answer to Enable: the system is busy (002 §1.2.5).
    pub system_busy: bool,
    /// The mobile number to bind (003 step 5.1).
    pub mobile: Option<MobileNumber>,
    /// Its SMS verification code.
    pub sms_code: VerificationCode,
    /// Individual or Enterprise (003 step 5.2).
    pub account_type: AccountType,
    /// Whether the enterprise's TIN was found (002 §3.1.7).
    pub tin_found: bool,
    /// Whether the card passed the 1 USD pre-authorisation (003 step 5.3).
    pub card_verified: bool,
    /// What pays when no card is bound (002 §1.1.13).
    pub funding: Funding,
    /// The account holder's age in years (002 §2.2).
    pub age_years: u8,
    /// Whether the visitor came to the International website (a language
    /// chosen under International), not the Chinese Mainland website's IP
    /// address or a Chinese mainland proxy (002 §1.2.6).
    #[cfg_attr(feature = "serde", serde(default = "international"))]
    pub on_international_site: bool,
    /// The enterprise's information, once given (on the TIN ticket, or when
    /// an Individual account changes to Enterprise).
    #[cfg_attr(feature = "serde", serde(default))]
    pub enterprise: Option<EnterpriseInformation>,
    /// The tenant's country/region for the Huawei Cloud services, once the
    /// account manager changed it; the HUAWEI ID's [`SignUp::region`] never
    /// changes (002 §1.2.2).
    #[cfg_attr(feature = "serde", serde(default))]
    pub tenant_region: Option<Region>,
}

/// A snapshot written before `on_international_site` existed came from
/// the International website: the only one the definition knew.
#[cfg(feature = "serde")]
fn international() -> bool {
    true
}

impl SignUp {
    /// A visitor about to register in `region` with `email`: every other
    /// field empty, unverified or false.
    pub fn new(region: Region, email: &str) -> Self {
        SignUp {
            region,
            email: email.to_string(),
            email_code: VerificationCode::default(),
            information_email_code: VerificationCode::default(),
            password: String::new(),
            emails_in_use: BTreeSet::new(),
            security_code: VerificationCode::default(),
            agreements_accepted: false,
            system_busy: false,
            mobile: None,
            sms_code: VerificationCode::default(),
            account_type: AccountType::Individual,
            tin_found: true,
            card_verified: false,
            funding: Funding::default(),
            age_years: 0,
            on_international_site: true,
            enterprise: None,
            tenant_region: None,
        }
    }
}

impl SignUp {
    /// The registration country/region (003 step 2.1).
    pub fn region(&self) -> Region {
        self.region
    }
}

impl<S: turnstile::State> Machine<S> {
    /// Selects another registration country/region. Only a state that
    /// permits `choose_region` has this method: the visitor's, before the
    /// HUAWEI ID is registered. Afterwards the region is fixed for good
    /// (002 §1.2.2), and calling this does not compile (the case
    /// `tests/ui/compile_fail/sign_up_region_fixed_after_registration.rs`
    /// shows the error).
    // The bound is on the method, not the impl, so that calling it in
    // another state is the capability's own error (E0277, "does not permit
    // `choose_region`", with the states that do) rather than rustc's
    // "method exists but its trait bounds were not satisfied".
    pub fn choose_region(&mut self, region: Region)
    where
        Self: can::ChooseRegion,
    {
        self.data_mut().region = region;
    }
}

/// [`Machine::choose_region`] for an instance driven by name
/// ([`turnstile::Instance`]): refused, and nothing changed, unless the
/// instance's state permits `choose_region`.
pub fn choose_region(
    instance: &mut turnstile::Instance<SignUp>,
    region: Region,
) -> Result<(), RegionFixed> {
    if !instance.permits("choose_region") {
        return Err(RegionFixed {
            state: instance.state(),
            region: instance.data().region,
        });
    }
    instance.data_mut().region = region;
    Ok(())
}

/// The registration country/region cannot be changed in this state
/// (002 §1.2.2): returned by [`choose_region`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionFixed {
    /// The instance's state.
    pub state: &'static str,
    /// The region it stays in.
    pub region: Region,
}

impl std::fmt::Display for RegionFixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sign_up: the registration country/region ({:?}) cannot be changed in state `{}`: \
             it is fixed once the HUAWEI ID is registered (002 §1.2.2); delete the ID and \
             register a new one in another country/region",
            self.region, self.state
        )
    }
}

impl std::error::Error for RegionFixed {}

impl machine::Guards for SignUp {
    fn on_international_site(&self) -> bool {
        self.on_international_site
    }
    fn tin_ticket_complete(&self, ticket: &TinTicket) -> bool {
        ticket.complete()
    }
    fn certificate_from_new_region(&self, change: &TenantRegionChange) -> bool {
        change.certificate_issued_in == change.region
    }
    fn region_allowed_on_site(&self) -> bool {
        rules::selectable_on_international_site(self.region)
    }
    fn email_code_verified(&self) -> bool {
        self.email_code.verified()
    }
    fn outside_russia(&self) -> bool {
        self.region != Region::Russia
    }
    fn registered_in_russia(&self) -> bool {
        self.region == Region::Russia
    }
    fn information_email_code_verified(&self) -> bool {
        self.information_email_code.verified()
    }
    fn password_valid(&self) -> bool {
        shared::password_valid(&self.password)
    }
    fn email_unused(&self) -> bool {
        rules::email_unused(&self.email, &self.emails_in_use)
    }
    fn security_code_verified(&self) -> bool {
        self.security_code.verified()
    }
    fn agreements_accepted(&self) -> bool {
        self.agreements_accepted
    }
    fn region_may_enable_services(&self) -> bool {
        rules::may_enable_services(self.region)
    }
    fn mobile_in_registration_region(&self) -> bool {
        self.mobile
            .as_ref()
            .is_some_and(|m| rules::mobile_in_region(m, self.region))
    }
    fn sms_code_verified(&self) -> bool {
        self.sms_code.verified()
    }
    fn is_individual(&self, _information: &EnterpriseInformation) -> bool {
        // Reached only in states before real-name authentication.
        rules::may_change_to_enterprise(self.account_type, false)
    }
    fn has_alternative_funding(&self) -> bool {
        self.funding.any()
    }
    fn is_adult(&self) -> bool {
        rules::is_adult(self.age_years)
    }
}

impl machine::Payloads for SignUp {
    /// The enterprise information the ticket gives, which the staff then
    /// complete the account with (002 §3.1.7).
    fn submit_tin_ticket(&mut self, ticket: TinTicket) {
        self.enterprise = Some(ticket.enterprise);
    }
    /// The account becomes Enterprise, with the information entered (002
    /// §3.1.16 note).
    fn change_to_enterprise(&mut self, information: EnterpriseInformation) {
        self.account_type = AccountType::Enterprise;
        self.enterprise = Some(information);
    }
    /// The tenant's country/region changes, for the services only (002
    /// §1.2.2).
    fn change_tenant_region(&mut self, change: TenantRegionChange) {
        self.tenant_region = Some(change.region);
    }
}

impl machine::Outcomes for SignUp {
    fn enable_services(&self) -> machine::choice::EnableServices {
        if self.system_busy {
            machine::choice::EnableServices::SystemBusy
        } else {
            machine::choice::EnableServices::ServicesEnabled
        }
    }
    fn set_enterprise_details(&self) -> machine::choice::SetEnterpriseDetails {
        if self.tin_found {
            machine::choice::SetEnterpriseDetails::AccountDetailsSet
        } else {
            machine::choice::SetEnterpriseDetails::TinLookupFailed
        }
    }
    fn bind_card(&self) -> machine::choice::BindCard {
        if self.card_verified {
            machine::choice::BindCard::PaymentMethodBound
        } else {
            machine::choice::BindCard::CardBindingFailed
        }
    }
}
