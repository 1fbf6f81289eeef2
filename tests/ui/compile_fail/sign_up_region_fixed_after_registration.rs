//! The registration country/region cannot be changed once the HUAWEI ID is
//! registered (002 §1.2.2): `choose_region` is permitted in `visitor` alone,
//! and the field itself is private.
use turnstile_workflows::rules::Region;
use turnstile_workflows::sign_up;

fn in_state(mut m: sign_up::Machine<sign_up::state::IdRegistered>) {
    m.choose_region(Region::Thailand);
    m.data_mut().region = Region::Thailand;
}

fn main() {}
