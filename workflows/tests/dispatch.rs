//! Dispatch by name against the definition: random event sequences, with
//! random guard answers, outcomes and clocks, fired by name at every
//! reference workflow. Each result must be what the definition says:
//! the same target, or the same refusal (unknown event, not allowed,
//! the first failing guard, a timer not yet due, an automatic timer that
//! comes first, a role the actor does not hold). Dispatch by name calls
//! the typed methods, so this also checks that typed and by-name dispatch
//! agree on every (state, event). Each step is fired by an actor holding
//! every role of the workflow, or, one step in four, a random few of them.

use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime};

use proptest::prelude::*;
use turnstile::{Actor, Dispatch, Why, Workflow};
use turnstile_spec::{StateId, Workflow as Model};
use turnstile_workflows::sign_up::{EnterpriseInformation, TenantRegionChange, TinTicket};

/// A guard's answer for one step, from the step's seed and the guard's name.
fn answer(seed: u64, guard: &str) -> bool {
    !hash(seed, guard).is_multiple_of(4) // mostly true, so that runs get somewhere
}

/// A branching event's outcome for one step.
fn pick(seed: u64, event: &str, n: usize) -> usize {
    (hash(seed, event) % n as u64) as usize
}

fn hash(seed: u64, name: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (seed, name).hash(&mut h);
    h.finish()
}

/// The roles the actor of one step holds: all of the workflow's, or one
/// step in four a subset drawn from the seed.
fn held(seed: u64, roles: &'static [&'static str]) -> Vec<&'static str> {
    if !hash(seed, "roles").is_multiple_of(4) {
        return roles.to_vec();
    }
    let bits = hash(seed, "which roles");
    let mut held = Vec::new();
    for (i, role) in roles.iter().enumerate() {
        if bits >> (i % 64) & 1 == 1 {
            held.push(*role);
        }
    }
    held
}

/// The compound states `state` is inside, outermost first, read from
/// the model's parents (this oracle's own walk, not the generator's).
fn compounds_of(w: &Model, state: StateId) -> Vec<turnstile_spec::CompoundId> {
    let mut out = Vec::new();
    let mut at = w.state(state).parent;
    while let Some(c) = at {
        out.insert(0, c);
        at = w.compound(c).parent;
    }
    out
}

/// When the timer of `t` fired from `state` started: entering the
/// innermost compound written in its `from` that holds the state, or the
/// state (the rule as docs/nested-states.md states it).
fn started(
    w: &Model,
    t: &turnstile_spec::Transition,
    state: StateId,
    entered: SystemTime,
    within: &[SystemTime],
) -> SystemTime {
    let compounds = compounds_of(w, state);
    compounds
        .iter()
        .enumerate()
        .rev()
        .find(|(_, c)| t.from_compounds.contains(c))
        .map_or(entered, |(depth, _)| within[depth])
}

/// The instants of the compounds `to` is inside after `t` moved from
/// `from` at `now`: those of the compounds holding both keep theirs,
/// unless `t` names one of them (or one outside it) as its target.
fn entered_after(
    w: &Model,
    t: &turnstile_spec::Transition,
    from: StateId,
    to: StateId,
    within: &[SystemTime],
    now: SystemTime,
) -> Vec<SystemTime> {
    let before = compounds_of(w, from);
    let after = compounds_of(w, to);
    let named =
        t.to.iter()
            .position(|s| *s == to)
            .and_then(|i| t.to_compounds[i]);
    let mut kept = true;
    after
        .iter()
        .enumerate()
        .map(|(depth, c)| {
            kept = kept && Some(*c) != named && before.get(depth) == Some(c);
            if kept {
                within[depth]
            } else {
                now
            }
        })
        .collect()
}

/// What the definition says firing `event` in `state` at `now` by an
/// actor holding `roles` does.
#[allow(clippy::too_many_arguments)]
fn expected(
    w: &Model,
    state: StateId,
    entered: SystemTime,
    within: &[SystemTime],
    event: &str,
    seed: u64,
    roles: &[&str],
    now: SystemTime,
) -> Result<StateId, String> {
    let name = |s: StateId| w.state(s).name.to_string();
    if !w.transitions.iter().any(|t| t.event.as_str() == event) {
        return Err(format!("unknown {event}"));
    }
    let outgoing: Vec<_> = w.transitions_from(state).map(|(_, t)| t).collect();
    let Some(t) = outgoing.iter().find(|t| t.event.as_str() == event) else {
        return Err(format!("not allowed {event} in {}", name(state)));
    };
    if !t.by.is_empty()
        && !t
            .by
            .iter()
            .any(|r| roles.contains(&w.role(*r).name.as_str()))
    {
        return Err(format!("forbidden {event}"));
    }
    let due_at = |t: &turnstile_spec::Transition, after: Duration| {
        started(w, t, state, entered, within) + after
    };
    for other in &outgoing {
        let Some(timer) = other.timer.as_ref().filter(|t| t.automatic) else {
            continue;
        };
        let other_due = due_at(other, timer.after);
        let own_first = t
            .timer
            .as_ref()
            .is_some_and(|own| own.automatic && due_at(t, own.after) <= other_due);
        if other.event != t.event && !own_first && now >= other_due {
            return Err(format!("overdue {}", other.event));
        }
    }
    if let Some(timer) = &t.timer {
        if now < due_at(t, timer.after) {
            return Err(format!("not yet {event}"));
        }
    }
    for g in &t.guards {
        let guard = w.guard(*g).name.as_str();
        if !answer(seed, guard) {
            return Err(format!("guard {guard}"));
        }
    }
    Ok(t.to[pick(seed, event, t.to.len())])
}

/// The same, as dispatch by name reports it.
fn observed(why: &Why) -> String {
    match why {
        Why::UnknownEvent { event, .. } => format!("unknown {event}"),
        Why::NotAllowed { event, state, .. } => format!("not allowed {event} in {state}"),
        Why::Forbidden { event, .. } => format!("forbidden {event}"),
        Why::Overdue(r) => format!("overdue {}", r.preempted_by().unwrap_or("?")),
        Why::NotYet(r) => format!("not yet {}", r.event()),
        Why::Guard(r) => format!("guard {}", r.guard().unwrap_or("?")),
        other => format!("unexpected {other}"),
    }
}

/// Fires `steps` (event index, seed, time step) at a fresh `W` by name and
/// checks every result against the model.
fn run<W>(steps: &[(usize, u64, usize)], seed_of: impl Fn(&mut W) -> &mut u64)
where
    W: Dispatch + Default + Payloaded,
{
    const WAITS: [Duration; 9] = [
        Duration::ZERO,
        Duration::from_secs(3600),
        Duration::from_secs(23 * 3600 + 59 * 60),
        Duration::from_secs(24 * 3600),
        Duration::from_secs(7 * 24 * 3600),
        Duration::from_secs(29 * 24 * 3600),
        Duration::from_secs(89 * 24 * 3600),
        Duration::from_secs(90 * 24 * 3600),
        Duration::from_secs(100 * 24 * 3600),
    ];
    let file = turnstile_spec::SourceFile::new("definition.toml", W::DEFINITION);
    let w = turnstile_spec::load(&file).expect("a valid definition");
    let mut names: Vec<&str> = W::EVENTS.to_vec();
    names.push("no_such_event");
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800);
    let mut now = t0;
    let mut current = W::start(W::default(), now);
    let mut state = w.initial;
    let mut entered = now;
    let mut within = vec![now; compounds_of(&w, state).len()];
    let compound_timers = !W::KEPT.is_empty();
    for &(event, seed, wait) in steps {
        let event = names[event % names.len()];
        now += WAITS[wait % WAITS.len()];
        *seed_of(W::data_mut(&mut current)) = seed;
        let roles = held(seed, W::ROLES);
        let actor = Actor::new("tester").with_roles(&roles);
        let want = expected(&w, state, entered, &within, event, seed, &roles, now);
        let fired = W::fire_with(current, event, W::payload(event), &actor, now);
        current = match (fired.map(|(next, _)| next), want) {
            (Ok(next), Ok(target)) => {
                assert_eq!(W::state(&next), w.state(target).name.as_str(), "{event}");
                let t = w
                    .transitions_from(state)
                    .map(|(_, t)| t)
                    .find(|t| t.event.as_str() == event)
                    .expect("allowed");
                within = entered_after(&w, t, state, target, &within, now);
                if compound_timers {
                    assert_eq!(W::within(&next), within.as_slice(), "{event}");
                }
                state = target;
                entered = now;
                next
            }
            (Err(refused), Err(reason)) => {
                assert_eq!(observed(refused.why()), reason);
                let back = refused.into_inner();
                assert_eq!(W::state(&back), w.state(state).name.as_str());
                back
            }
            (Ok(next), Err(reason)) => panic!(
                "{}: `{event}` took {} where the definition says {reason}",
                W::NAME,
                W::state(&next)
            ),
            (Err(refused), Ok(target)) => panic!(
                "{}: `{event}` was refused ({}) where the definition goes to {}",
                W::NAME,
                refused.why(),
                w.state(target).name
            ),
        };
        assert_eq!(W::allowed(&current), allowed(&w, state).as_slice());
    }
}

/// The events `state` allows, in declaration order of the events.
fn allowed(w: &Model, state: StateId) -> Vec<&str> {
    let mut events = Vec::new();
    for e in w.events() {
        if w.states_allowing_event(&e).contains(&state) {
            events.push(e.name.as_str());
        }
    }
    events
}

fn steps() -> impl Strategy<Value = Vec<(usize, u64, usize)>> {
    prop::collection::vec((0usize..64, any::<u64>(), 0usize..9), 1..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_up_by_name_follows_the_definition(steps in steps()) {
        run::<OracleSignUp>(&steps, |d| &mut d.seed);
    }

    #[test]
    fn account_upgrade_by_name_follows_the_definition(steps in steps()) {
        run::<OracleAccountUpgrade>(&steps, |d| &mut d.seed);
    }

    #[test]
    fn phone_change_by_name_follows_the_definition(steps in steps()) {
        run::<OraclePhoneChange>(&steps, |d| &mut d.seed);
    }

    #[test]
    fn partner_association_by_name_follows_the_definition(steps in steps()) {
        run::<OraclePartnerAssociation>(&steps, |d| &mut d.seed);
    }

    #[test]
    fn service_closing_by_name_follows_the_definition(steps in steps()) {
        run::<OracleServiceClosing>(&steps, |d| &mut d.seed);
    }

    #[test]
    fn nested_timers_by_name_follows_the_definition(steps in steps()) {
        run::<OracleRetention>(&steps, |d| &mut d.seed);
    }
}

/// `tests/fixtures/nested_timers.toml`: timers at three levels (a
/// compound, a compound inside it, a state), an event at two levels, a
/// transition that names a compound as its target.
#[derive(Workflow, Debug, Default)]
#[workflow(file = "tests/fixtures/nested_timers.toml")]
pub struct OracleRetention {
    seed: u64,
}

/// A payload that reads for each event that brings one (the oracles'
/// guards answer from the seed, whatever it holds).
trait Payloaded {
    fn payload(_event: &str) -> Option<&'static str> {
        None
    }
}

impl Payloaded for OracleRetention {}
impl Payloaded for OracleAccountUpgrade {}
impl Payloaded for OraclePhoneChange {}
impl Payloaded for OraclePartnerAssociation {}
impl Payloaded for OracleServiceClosing {}

impl Payloaded for OracleSignUp {
    fn payload(event: &str) -> Option<&'static str> {
        const ENTERPRISE: &str = r#"{"tin": "1", "name": "n", "address": "a", "city": "c", "state_province": "s", "postal_code": "p"}"#;
        match event {
            "submit_tin_ticket" => Some(
                r#"{"enterprise": {"tin": "1", "name": "n", "address": "a", "city": "c", "state_province": "s", "postal_code": "p"}}"#,
            ),
            "change_to_enterprise" => Some(ENTERPRISE),
            "change_tenant_region" => {
                Some(r#"{"region": "Brazil", "certificate_issued_in": "Brazil"}"#)
            }
            _ => None,
        }
    }
}

impl sign_up::Payloads for OracleSignUp {
    fn submit_tin_ticket(&mut self, _: TinTicket) {}
    fn change_to_enterprise(&mut self, _: EnterpriseInformation) {}
    fn change_tenant_region(&mut self, _: TenantRegionChange) {}
}

/// `sign_up.toml` with guards and outcomes answered from `seed`.
#[derive(Workflow, Debug, Default)]
#[workflow(file = "sign_up.toml")]
pub struct OracleSignUp {
    seed: u64,
}

impl sign_up::Guards for OracleSignUp {
    fn on_international_site(&self) -> bool {
        answer(self.seed, "on_international_site")
    }
    fn tin_ticket_complete(&self, _: &TinTicket) -> bool {
        answer(self.seed, "tin_ticket_complete")
    }
    fn certificate_from_new_region(&self, _: &TenantRegionChange) -> bool {
        answer(self.seed, "certificate_from_new_region")
    }
    fn region_allowed_on_site(&self) -> bool {
        answer(self.seed, "region_allowed_on_site")
    }
    fn email_code_verified(&self) -> bool {
        answer(self.seed, "email_code_verified")
    }
    fn information_email_code_verified(&self) -> bool {
        answer(self.seed, "information_email_code_verified")
    }
    fn outside_russia(&self) -> bool {
        answer(self.seed, "outside_russia")
    }
    fn registered_in_russia(&self) -> bool {
        answer(self.seed, "registered_in_russia")
    }
    fn password_valid(&self) -> bool {
        answer(self.seed, "password_valid")
    }
    fn email_unused(&self) -> bool {
        answer(self.seed, "email_unused")
    }
    fn security_code_verified(&self) -> bool {
        answer(self.seed, "security_code_verified")
    }
    fn agreements_accepted(&self) -> bool {
        answer(self.seed, "agreements_accepted")
    }
    fn region_may_enable_services(&self) -> bool {
        answer(self.seed, "region_may_enable_services")
    }
    fn mobile_in_registration_region(&self) -> bool {
        answer(self.seed, "mobile_in_registration_region")
    }
    fn sms_code_verified(&self) -> bool {
        answer(self.seed, "sms_code_verified")
    }
    fn is_individual(&self, _: &EnterpriseInformation) -> bool {
        answer(self.seed, "is_individual")
    }
    fn has_alternative_funding(&self) -> bool {
        answer(self.seed, "has_alternative_funding")
    }
    fn is_adult(&self) -> bool {
        answer(self.seed, "is_adult")
    }
}

impl sign_up::Outcomes for OracleSignUp {
    fn enable_services(&self) -> sign_up::choice::EnableServices {
        [
            sign_up::choice::EnableServices::ServicesEnabled,
            sign_up::choice::EnableServices::SystemBusy,
        ][pick(self.seed, "enable_services", 2)]
    }
    fn set_enterprise_details(&self) -> sign_up::choice::SetEnterpriseDetails {
        [
            sign_up::choice::SetEnterpriseDetails::AccountDetailsSet,
            sign_up::choice::SetEnterpriseDetails::TinLookupFailed,
        ][pick(self.seed, "set_enterprise_details", 2)]
    }
    fn bind_card(&self) -> sign_up::choice::BindCard {
        [
            sign_up::choice::BindCard::PaymentMethodBound,
            sign_up::choice::BindCard::CardBindingFailed,
        ][pick(self.seed, "bind_card", 2)]
    }
}

/// `account_upgrade.toml` with guards and outcomes answered from `seed`.
#[derive(Workflow, Debug, Default)]
#[workflow(file = "account_upgrade.toml")]
pub struct OracleAccountUpgrade {
    seed: u64,
}

impl account_upgrade::Outcomes for OracleAccountUpgrade {
    fn associate_existing_id(&self) -> account_upgrade::choice::AssociateExistingId {
        [
            account_upgrade::choice::AssociateExistingId::AssociatedWithExistingId,
            account_upgrade::choice::AssociateExistingId::RefusedRegionDiffers,
            account_upgrade::choice::AssociateExistingId::RefusedContactsDiffer,
            account_upgrade::choice::AssociateExistingId::RefusedIdTaken,
            account_upgrade::choice::AssociateExistingId::RefusedIdFrozen,
            account_upgrade::choice::AssociateExistingId::AssociateFromId,
        ][pick(self.seed, "associate_existing_id", 6)]
    }
}

/// `phone_change.toml` with guards and outcomes answered from `seed`.
#[derive(Workflow, Debug, Default)]
#[workflow(file = "phone_change.toml")]
pub struct OraclePhoneChange {
    seed: u64,
}

impl phone_change::Guards for OraclePhoneChange {
    fn is_enterprise_master(&self) -> bool {
        answer(self.seed, "is_enterprise_master")
    }
    fn lists_all_member_accounts(&self) -> bool {
        answer(self.seed, "lists_all_member_accounts")
    }
    fn materials_complete(&self) -> bool {
        answer(self.seed, "materials_complete")
    }
}

impl phone_change::Outcomes for OraclePhoneChange {
    fn review_ticket(&self) -> phone_change::choice::ReviewTicket {
        [
            phone_change::choice::ReviewTicket::AwaitingDisassociation,
            phone_change::choice::ReviewTicket::MaterialsRequested,
            phone_change::choice::ReviewTicket::TicketRejected,
        ][pick(self.seed, "review_ticket", 3)]
    }
    fn provide_materials(&self) -> phone_change::choice::ProvideMaterials {
        [
            phone_change::choice::ProvideMaterials::AwaitingDisassociation,
            phone_change::choice::ProvideMaterials::MaterialsRequested,
            phone_change::choice::ProvideMaterials::TicketRejected,
        ][pick(self.seed, "provide_materials", 3)]
    }
}

/// `partner_association.toml` with guards and outcomes answered from `seed`.
#[derive(Workflow, Debug, Default)]
#[workflow(file = "partner_association.toml")]
pub struct OraclePartnerAssociation {
    seed: u64,
}

impl partner_association::Guards for OraclePartnerAssociation {
    fn is_reseller_model(&self) -> bool {
        answer(self.seed, "is_reseller_model")
    }
    fn is_not_reseller_model(&self) -> bool {
        answer(self.seed, "is_not_reseller_model")
    }
    fn password_valid(&self) -> bool {
        answer(self.seed, "password_valid")
    }
    fn email_code_verified(&self) -> bool {
        answer(self.seed, "email_code_verified")
    }
    fn invitation_is_online_link(&self) -> bool {
        answer(self.seed, "invitation_is_online_link")
    }
    fn billing_region_matches(&self) -> bool {
        answer(self.seed, "billing_region_matches")
    }
    fn agreements_accepted(&self) -> bool {
        answer(self.seed, "agreements_accepted")
    }
    fn not_chinese_mainland_site(&self) -> bool {
        answer(self.seed, "not_chinese_mainland_site")
    }
    fn no_other_partner(&self) -> bool {
        answer(self.seed, "no_other_partner")
    }
    fn no_special_contract(&self) -> bool {
        answer(self.seed, "no_special_contract")
    }
    fn registered_within_seven_days_without_cash_expenditure(&self) -> bool {
        answer(
            self.seed,
            "registered_within_seven_days_without_cash_expenditure",
        )
    }
    fn no_unpaid_bills(&self) -> bool {
        answer(self.seed, "no_unpaid_bills")
    }
    fn not_under_unified_accounting_master(&self) -> bool {
        answer(self.seed, "not_under_unified_accounting_master")
    }
    fn reseller_no_professional_service_contract(&self) -> bool {
        answer(self.seed, "reseller_no_professional_service_contract")
    }
    fn reseller_no_valid_reserved_instances(&self) -> bool {
        answer(self.seed, "reseller_no_valid_reserved_instances")
    }
    fn reseller_not_enterprise_member(&self) -> bool {
        answer(self.seed, "reseller_not_enterprise_member")
    }
    fn reseller_not_master_with_independent_members(&self) -> bool {
        answer(self.seed, "reseller_not_master_with_independent_members")
    }
}

impl partner_association::Outcomes for OraclePartnerAssociation {
    fn enable_and_associate(&self) -> partner_association::choice::EnableAndAssociate {
        [
            partner_association::choice::EnableAndAssociate::Associated,
            partner_association::choice::EnableAndAssociate::FrozenUntilBudget,
        ][pick(self.seed, "enable_and_associate", 2)]
    }
    fn associate(&self) -> partner_association::choice::Associate {
        [
            partner_association::choice::Associate::Associated,
            partner_association::choice::Associate::FrozenUntilBudget,
        ][pick(self.seed, "associate", 2)]
    }
}

/// `service_closing.toml` with guards and outcomes answered from `seed`.
#[derive(Workflow, Debug, Default)]
#[workflow(file = "service_closing.toml")]
pub struct OracleServiceClosing {
    seed: u64,
}

impl service_closing::Guards for OracleServiceClosing {
    fn id_not_frozen(&self) -> bool {
        answer(self.seed, "id_not_frozen")
    }
    fn no_frozen_resources(&self) -> bool {
        answer(self.seed, "no_frozen_resources")
    }
    fn no_partner_ties(&self) -> bool {
        answer(self.seed, "no_partner_ties")
    }
    fn not_enterprise_account(&self) -> bool {
        answer(self.seed, "not_enterprise_account")
    }
    fn no_site_binding(&self) -> bool {
        answer(self.seed, "no_site_binding")
    }
    fn no_resources_in_use(&self) -> bool {
        answer(self.seed, "no_resources_in_use")
    }
    fn no_funds(&self) -> bool {
        answer(self.seed, "no_funds")
    }
    fn no_pending_finance(&self) -> bool {
        answer(self.seed, "no_pending_finance")
    }
}
