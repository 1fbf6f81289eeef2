//! After-sales staff decide a details-change ticket from its materials; the
//! customer who submitted it cannot approve it (002 §1.1.17).
use turnstile::Acting;
use turnstile_workflows::details_change::{role, state, Machine};
use turnstile_workflows::rules::materials::Verdict;

fn in_state(m: Machine<state::UnderReview>, customer: &Acting<role::Customer>) {
    let _ = m.review_materials(customer, Verdict::Approved);
}

fn main() {}
