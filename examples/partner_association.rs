//! A customer follows a reseller partner's invitation (seed 004): agrees to
//! the instructions, logs in with an existing account, is refused once by an
//! eligibility rule, is associated and frozen until the partner sets a budget.
//! Run: `cargo run --example partner_association`.

mod common;

use std::time::Duration;

use common::refused;
use turnstile_workflows::partner_association::outcome::Associate;
use turnstile_workflows::rules::Region;
use turnstile_workflows::{
    partner_association, CustomerRecord, Invitation, PartnerAssociation, PartnerModel,
};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn main() {
    println!("partner_association: Thabo opens a reseller's invitation link");
    let mut data = PartnerAssociation::new(
        PartnerModel::Reseller,
        Invitation::OnlineLink,
        Region::SouthAfrica,
    );
    data.customer = CustomerRecord::new(5 * DAY);
    data.customer.valid_reserved_instances = 1;
    let m = partner_association::Machine::new(data);

    // Refused: outside the reseller model there are no instructions; here
    // they are required, so going straight on is refused.
    let m = refused(step!(m.continue_without_instructions(&customer())).unwrap_err());
    let m = step!(m.agree_instructions(&customer())).expect("a reseller");
    // The Letter of Authorization is optional (004 step 2 note).
    let m = step!(m.skip_letter_of_authorization(&customer()));
    let m = step!(m.log_in_for_association(&customer())).expect("an online link");

    // Refused: a valid reserved instance rules out the reseller model.
    let mut m = refused(step!(m.associate(&customer())).unwrap_err());
    m.data_mut().customer.valid_reserved_instances = 0;
    let m = outcome!(
        step!(m.associate(&customer())).unwrap(),
        Associate::FrozenUntilBudget
    );

    // Frozen until the partner sets a budget (002 §1.1.11).
    let m = step!(m.set_budget(&partner()));
    let m = step!(m.exceed_budget(&system()));
    let m = step!(m.set_budget(&partner()));
    println!("done: `{}`", m.state());
}

// Who acts, as the definitions say (`by`).
fn customer() -> turnstile::Acting<turnstile_workflows::partner_association::role::Customer> {
    turnstile::Acting::authenticated()
}

fn partner() -> turnstile::Acting<turnstile_workflows::partner_association::role::Partner> {
    turnstile::Acting::authenticated()
}

fn system() -> turnstile::Acting<turnstile_workflows::partner_association::role::System> {
    turnstile::Acting::authenticated()
}
