use turnstile::Workflow;

#[derive(Workflow, Debug, Default)]
#[workflow(file = "tests/ui/workflows/regions.toml", dispatch = false)]
pub struct Account;

pub struct Appeal;

impl account::Guards for Account {
    fn no_pending_orders(&self) -> bool {
        true
    }
    fn appeal_has_reason(&self, payload: &Appeal) -> bool {
        let _ = payload;
        true
    }
}

impl account::Payloads for Account {
    fn appeal(&mut self, _: Appeal) {}
}

impl account::Outcomes for Account {
    fn review(&self) -> account::choice::Review {
        account::choice::Review::InGoodStanding
    }
}

fn main() {
    let now = std::time::SystemTime::now();
    let m = account::Machine::new(Account, now);
    // `over_budget` moves the partner region too, which has no partner.
    let _ = m.over_budget(now);
}
