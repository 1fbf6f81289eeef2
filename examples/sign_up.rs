//! Sign-up on the International website, as seed 003 describes it: a
//! visitor in Singapore registers a HUAWEI ID, enables services and
//! completes the account information. Run: `cargo run --example sign_up`.

mod common;

use common::refused;
use turnstile::Acting;
use turnstile_workflows::rules::{MobileNumber, Region, VerificationCode};
use turnstile_workflows::sign_up::outcome::{BindCard, EnableServices};
use turnstile_workflows::{sign_up, SignUp};

fn main() {
    println!("sign_up: Mei registers from Singapore");
    let mut form = SignUp::new(Region::Singapore, "mei@example.sg");
    form.emails_in_use.insert("someone@example.sg".into());
    form.email_code = VerificationCode::new("120934", "120934");
    form.information_email_code = VerificationCode::new("553201", "553201");
    form.age_years = 29; // Huawei Cloud serves adults only (002 §2.2)
    form.password = "tanjong".into(); // 7 characters, no digit
    let m = sign_up::Machine::new(form);
    // Mei takes every step herself (only a Russian account's real-name
    // authentication is the account manager's, 002 §2.3).
    let mei = Acting::<sign_up::role::Customer>::authenticated();

    // Refused: the password policy (003 step 2.4); the visitor is handed back.
    let mut m = refused(step!(m.register_id(&mei)).unwrap_err());
    m.data_mut().password = "tanjong8pagar".into();
    let m = step!(m.register_id(&mei)).expect("a valid registration");

    // The security phone is optional (003 step 3).
    let mut m = step!(m.skip_security_phone(&mei));
    m.data_mut().agreements_accepted = true;
    m.data_mut().system_busy = true;
    let mut m = outcome!(
        step!(m.enable_services(&mei)).unwrap(),
        EnableServices::SystemBusy
    );
    // 002 §1.2.5: clear the cache and try again.
    m.data_mut().system_busy = false;
    let m = outcome!(
        step!(m.enable_services(&mei)).unwrap(),
        EnableServices::ServicesEnabled
    );
    let mut m = step!(m.verify_email(&mei)).expect("the Complete Information code matches");

    // Refused: a Thai number for a Singapore account (002 §3.1.5).
    m.data_mut().mobile = Some(MobileNumber::parse("+66 81 234 5678").expect("a number"));
    m.data_mut().sms_code = VerificationCode::new("8841", "8841");
    let mut m = refused(step!(m.bind_mobile(&mei)).unwrap_err());
    m.data_mut().mobile = Some(MobileNumber::parse("+65 9123 4567").expect("a number"));
    let m = step!(m.bind_mobile(&mei)).expect("a Singapore number");
    let m = step!(m.set_individual_details(&mei));

    // The bank declines the 1 USD pre-authorisation once (003 step 5.3).
    let mut m = outcome!(step!(m.bind_card(&mei)), BindCard::CardBindingFailed);
    m.data_mut().card_verified = true;
    let m = outcome!(step!(m.bind_card(&mei)), BindCard::PaymentMethodBound);

    // Real-name authentication is only for Chinese mainland regions (002
    // §2.1): skipped now, done later from Basic Information (§1.1.12 step 8).
    let m = step!(m.skip_real_name_authentication(&mei));
    let m = step!(m.authenticate_real_name(&mei)).expect("Mei is an adult");
    println!("done: `{}` is a final state", m.state());
}
