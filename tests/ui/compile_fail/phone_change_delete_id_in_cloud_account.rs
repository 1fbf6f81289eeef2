//! The HUAWEI ID is deleted from the Huawei account center, after logging in with it (002 §1.1.14 step 5).
use turnstile::Acting;
use turnstile_workflows::phone_change;

fn in_state(m: phone_change::Machine<phone_change::state::InCloudAccount>, by: &Acting<phone_change::role::Customer>) {
    let _ = m.delete_id(by);
}

fn main() {}
