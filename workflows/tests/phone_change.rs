//! Phone change driven through every transition of `phone_change.toml`, and
//! its hand-over to the account upgrade.

mod common;

use common::Log;
use turnstile_workflows::rules::phone_change::{self as rules, Material};
use turnstile_workflows::rules::{MobileNumber, Region};
use turnstile_workflows::{account_upgrade, phone_change, CloudAccount, PhoneChange, Verdict};

use phone_change::outcome::{ProvideMaterials, ReviewTicket};
use phone_change::state::*;
use phone_change::Machine;

fn account() -> CloudAccount {
    CloudAccount {
        name: "lopes-lab".into(),
        region: Region::Brazil,
        mobile: Some(MobileNumber::parse("+55 11 91234 5678").unwrap()),
        email: "ana@lopes.example".into(),
    }
}

use common::direct_sales_profile as profile;

fn submitted(log: &mut Log, verdict: Verdict) -> ReviewTicket {
    let mut m = Machine::new(PhoneChange::new(account(), profile()));
    m.data_mut().verdict = verdict;
    let m = fire!(log, m.submit_ticket(&pc_customer()));
    fire!(log, m.review_ticket(&pc_staff()))
}

/// Steps 2 to 6, with the optional deletion of the HUAWEI ID or not.
fn finish(
    log: &mut Log,
    m: Machine<AwaitingDisassociation>,
    delete_id: bool,
) -> Machine<ReadyToUpgrade> {
    let m = fire!(log, m.disassociate(&pc_staff()));
    let m = fire!(log, m.reset_cloud_password(&pc_customer()));
    let mut m = fire!(log, m.log_in_with_cloud_account(&pc_customer()));
    m.data_mut().new_mobile = Some(MobileNumber::parse("+55 21 99876 5432").unwrap());
    let m = fire!(log, m.change_mobile(&pc_customer()));
    let m = fire!(log, m.log_out_of_cloud_account(&pc_customer()));
    let m = fire!(log, m.log_in_with_id(&pc_customer()));
    let m = if delete_id {
        let m = fire!(log, m.delete_id(&pc_customer()));
        fire!(log, m.log_out_of_id(&pc_customer()))
    } else {
        fire!(log, m.log_out_of_id(&pc_customer()))
    };
    fire!(log, m.log_in_to_upgrade(&pc_customer()))
}

/// Provides every material §1.1.17 asks of `profile()`; after-sales then
/// gives `verdict`.
fn provide_all(
    log: &mut Log,
    mut m: Machine<MaterialsRequested>,
    verdict: Verdict,
) -> ProvideMaterials {
    m.data_mut().materials = rules::required_materials(&profile()).expect("a row of the tables");
    m.data_mut().verdict = verdict;
    fire!(log, m.provide_materials(&pc_customer())).expect("the materials are complete")
}

#[test]
fn phone_change_takes_every_transition() {
    let mut log = Log::new("phone_change.toml");

    // A: approved at once; the HUAWEI ID is kept.
    let m = expect_outcome!(
        submitted(&mut log, Verdict::Approved),
        ReviewTicket::AwaitingDisassociation
    );
    let _ = finish(&mut log, m, false);

    // B: a master account's ticket for its members; more materials, then
    // approved; the HUAWEI ID is deleted.
    let mut m = Machine::new(PhoneChange::new(account(), profile()));
    m.data_mut().member_accounts = ["member-a".to_string(), "member-b".to_string()].into();
    m.data_mut().ticket_lists = m.data().member_accounts.clone();
    m.data_mut().verdict = Verdict::MoreMaterials;
    let m = fire!(log, m.submit_ticket_for_members(&pc_master())).expect("every member listed");
    let m = expect_outcome!(
        fire!(log, m.review_ticket(&pc_staff())),
        ReviewTicket::MaterialsRequested
    );
    let m = expect_outcome!(
        provide_all(&mut log, m, Verdict::Approved),
        ProvideMaterials::AwaitingDisassociation
    );
    let _ = finish(&mut log, m, true);

    // C: rejected at once.
    let m = expect_outcome!(
        submitted(&mut log, Verdict::Rejected),
        ReviewTicket::TicketRejected
    );
    const { assert!(<TicketRejected as turnstile::State>::IS_FINAL) };
    let _ = m;

    // D: more materials, more again (002 §1.1.17: "you will be required
    // to provide more materials": the request may repeat), then rejected.
    let m = expect_outcome!(
        submitted(&mut log, Verdict::MoreMaterials),
        ReviewTicket::MaterialsRequested
    );
    let m = expect_outcome!(
        provide_all(&mut log, m, Verdict::MoreMaterials),
        ProvideMaterials::MaterialsRequested
    );
    assert_eq!(m.state(), "materials_requested");
    let _ = expect_outcome!(
        provide_all(&mut log, m, Verdict::Rejected),
        ProvideMaterials::TicketRejected
    );

    log.assert_every_transition_taken();
}

#[test]
fn incomplete_materials_are_refused_and_the_ticket_waits() {
    let mut log = Log::new("phone_change.toml");
    let mut m = expect_outcome!(
        submitted(&mut log, Verdict::MoreMaterials),
        ReviewTicket::MaterialsRequested
    );
    m.data_mut().materials = [Material::FrontOfCard].into();
    let refused = m
        .provide_materials(&pc_customer())
        .expect_err("two materials missing");
    assert_eq!(refused.guard(), Some("materials_complete"));
    assert_eq!(refused.machine().state(), "materials_requested");
    let mut m = refused.into_machine();
    m.data_mut()
        .materials
        .extend([Material::CardHolderCertificate, Material::ConsumptionProof]);
    assert!(m.provide_materials(&pc_customer()).is_ok());
}

#[test]
fn a_master_ticket_must_list_every_member() {
    let m = Machine::new(PhoneChange::new(account(), profile()));
    let refused = m
        .submit_ticket_for_members(&pc_master())
        .expect_err("no members");
    assert_eq!(refused.guard(), Some("is_enterprise_master"));
    let mut m = refused.into_machine();
    m.data_mut().member_accounts = ["member-a".to_string(), "member-b".to_string()].into();
    m.data_mut().ticket_lists = ["member-a".to_string()].into();
    let refused = m
        .submit_ticket_for_members(&pc_master())
        .expect_err("member-b is missing");
    assert_eq!(refused.guard(), Some("lists_all_member_accounts"));
    // The single-account ticket is still open to the machine handed back.
    assert_eq!(
        refused.into_machine().submit_ticket(&pc_customer()).state(),
        "ticket_submitted"
    );
}

#[test]
fn the_finished_change_hands_over_to_the_upgrade_of_the_same_account() {
    let mut log = Log::new("phone_change.toml");
    let m = expect_outcome!(
        submitted(&mut log, Verdict::Approved),
        ReviewTicket::AwaitingDisassociation
    );
    let ready = finish(&mut log, m, true);
    let upgrade: account_upgrade::Machine<account_upgrade::state::Prompted> = ready.into_upgrade();
    assert_eq!(upgrade.state(), "prompted");
    assert_eq!(upgrade.data().account.name, "lopes-lab");
    assert_eq!(
        upgrade.data().account.mobile,
        Some(MobileNumber::parse("+55 21 99876 5432").unwrap()),
        "the new number is the account's now"
    );
    let chosen = upgrade
        .upgrade_now(&au_customer())
        .upgrade_to_new_id(&au_customer());
    assert_eq!(chosen.state(), "upgraded_to_new_id");
}

// Who acts, as the definitions say (`by`).
fn au_customer() -> turnstile::Acting<turnstile_workflows::account_upgrade::role::Customer> {
    turnstile::Acting::authenticated()
}

fn pc_customer() -> turnstile::Acting<turnstile_workflows::phone_change::role::Customer> {
    turnstile::Acting::authenticated()
}

fn pc_master() -> turnstile::Acting<turnstile_workflows::phone_change::role::MasterAccount> {
    turnstile::Acting::authenticated()
}

fn pc_staff() -> turnstile::Acting<turnstile_workflows::phone_change::role::Staff> {
    turnstile::Acting::authenticated()
}

/// 002 §1.1.14 steps 1–2: the customer (or the master account for its
/// members) submits, Huawei Cloud staff review and disassociate. By name,
/// a customer reviewing its own ticket is refused and nothing is recorded;
/// the typed direction is `tests/ui/compile_fail/phone_change_customer_cannot_approve.rs`.
#[test]
fn only_staff_review_the_ticket_and_disassociate() {
    use std::time::SystemTime;
    use turnstile::{Actor, Instance, Why};
    let now = SystemTime::UNIX_EPOCH;
    let ana = Actor::new("ana").with_roles(&["customer"]);
    let staff = Actor::new("after-sales").with_roles(&["staff"]);

    let mut data = PhoneChange::new(account(), profile());
    data.verdict = Verdict::Approved;
    let instance = Instance::start(data, now);
    let refused = instance.fire("submit_ticket", staff, now).unwrap_err();
    assert!(matches!(refused.why(), Why::Forbidden { .. }), "{refused}");
    let instance = refused
        .into_inner()
        .fire("submit_ticket", ana, now)
        .unwrap();

    let refused = instance.fire("review_ticket", ana, now).unwrap_err();
    assert!(
        matches!(refused.why(), Why::Forbidden { allowed, held, .. } if *allowed == ["staff"] && *held == ["customer"]),
        "{refused}"
    );
    assert_eq!(
        refused.to_string(),
        "phone_change: event `review_ticket` refused in state `ticket_submitted`: it may be \
         fired by `staff` only; the actor `ana` holds `customer`"
    );
    let instance = refused.into_inner();
    assert_eq!(instance.trail().len(), 1);
    let instance = instance.fire("review_ticket", staff, now).unwrap();
    assert_eq!(instance.state(), "awaiting_disassociation");
    assert_eq!(instance.trail()[1].role.as_deref(), Some("staff"));
    let refused = instance.fire("disassociate", ana, now).unwrap_err();
    assert!(matches!(refused.why(), Why::Forbidden { .. }));
    let instance = refused
        .into_inner()
        .fire("disassociate", staff, now)
        .unwrap();
    assert_eq!(instance.state(), "disassociated");
}

/// 002 §1.1.14 step 1: the master account submits one ticket for all its
/// members and provides the materials asked for it; a member's own
/// customer role does not submit for the others.
#[test]
fn the_master_account_acts_for_its_members() {
    use std::time::SystemTime;
    use turnstile::{Actor, Instance, Why};
    let now = SystemTime::UNIX_EPOCH;
    let mut data = PhoneChange::new(account(), profile());
    data.member_accounts = ["member-a".to_string(), "member-b".to_string()].into();
    data.ticket_lists = data.member_accounts.clone();
    data.verdict = Verdict::MoreMaterials;
    let member = Actor::new("member-a").with_roles(&["customer"]);
    let master = Actor::new("lopes-master").with_roles(&["master_account"]);

    let refused = Instance::start(data, now)
        .fire("submit_ticket_for_members", member, now)
        .unwrap_err();
    assert!(
        matches!(refused.why(), Why::Forbidden { allowed, .. } if *allowed == ["master_account"])
    );
    let instance = refused
        .into_inner()
        .fire("submit_ticket_for_members", master, now)
        .unwrap()
        .fire(
            "review_ticket",
            Actor::new("ops").with_roles(&["staff"]),
            now,
        )
        .unwrap();
    assert_eq!(instance.state(), "materials_requested");
    // The master provides the materials (incomplete here: the guard
    // refuses, not the role).
    let refused = instance.fire("provide_materials", master, now).unwrap_err();
    assert!(matches!(refused.why(), Why::Guard(_)), "{refused}");
}
