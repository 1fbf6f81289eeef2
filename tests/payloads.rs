//! Events that bring payloads (`workflows/tests/fixtures/restoration.toml`):
//! the typed method takes the payload, a guard reads it, `Payloads` stores
//! what the transition keeps of it (only once the checks pass: a refused
//! event changes nothing), and the outcome reads what was stored. By name,
//! the payload arrives as JSON: a missing, unreadable or unexpected one is
//! refused with `Why::BadPayload`, and the trail records it, or the digest
//! of a sensitive one; the store keeps it.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use turnstile::{Acting, Actor, Instance, Why, Workflow};

/// A frozen account being restored.
#[derive(Workflow, Debug, Clone, Default, Serialize, Deserialize)]
#[workflow(file = "workflows/tests/fixtures/restoration.toml")]
pub struct Account {
    /// Whether a credit card is bound (two verification methods then).
    card_bound: bool,
    /// How many times materials were submitted.
    submissions: u32,
    /// The decision, once staff made it.
    approved: Option<bool>,
    /// What staff asked for.
    requests: Vec<String>,
}

/// What the customer submits with the ticket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Materials {
    /// The verification methods passed, of the three.
    methods_passed: u8,
    /// The identity document (sensitive).
    id_document: String,
}

/// What staff decide. Unknown fields are refused (a typo in a decision
/// must not pass for a decision).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Restore the account, or not.
    approve: bool,
}

/// What staff ask for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    /// In words.
    what: String,
}

impl restoration::Guards for Account {
    fn verified(&self, payload: &Materials) -> bool {
        payload.methods_passed >= if self.card_bound { 2 } else { 1 }
    }
}

impl restoration::Payloads for Account {
    fn submit_ticket(&mut self, _materials: Materials) {
        // The identity document is checked, not kept.
        self.submissions += 1;
    }
    fn decide(&mut self, decision: Decision) {
        self.approved = Some(decision.approve);
    }
    fn ask_for_more(&mut self, request: Request) {
        self.requests.push(request.what);
    }
}

impl restoration::Outcomes for Account {
    fn decide(&self) -> restoration::choice::Decide {
        match self.approved {
            Some(true) => restoration::choice::Decide::Restored,
            _ => restoration::choice::Decide::Rejected,
        }
    }
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800)
}

fn materials(methods_passed: u8) -> Materials {
    Materials {
        methods_passed,
        id_document: "passport 123".into(),
    }
}

#[test]
fn the_typed_method_takes_the_payload_and_a_refusal_changes_nothing() {
    let customer = Acting::<restoration::role::Customer>::authenticated();
    let staff = Acting::<restoration::role::Staff>::authenticated();
    let account = Account {
        card_bound: true,
        ..Account::default()
    };
    let frozen = restoration::Machine::new(account);
    // One method with a card bound: the guard, reading the payload, refuses;
    // nothing was applied.
    let refused = frozen.submit_ticket(&customer, materials(1)).unwrap_err();
    assert_eq!(refused.guard(), Some("verified"));
    let frozen = refused.into_machine();
    assert_eq!(frozen.data().submissions, 0);
    let review = frozen.submit_ticket(&customer, materials(2)).unwrap();
    assert_eq!(review.data().submissions, 1);
    // A payload on a plain move is applied too.
    let frozen = review.ask_for_more(
        &staff,
        Request {
            what: "a clearer photo".into(),
        },
    );
    assert_eq!(frozen.data().requests, ["a clearer photo"]);
    let review = frozen.submit_ticket(&customer, materials(3)).unwrap();
    // The outcome reads what the payload stored.
    match review.decide(&staff, Decision { approve: true }) {
        restoration::outcome::Decide::Restored(m) => assert_eq!(m.data().approved, Some(true)),
        restoration::outcome::Decide::Rejected(_) => panic!("approved"),
    }
}

/// A payload that is not `Clone` (a file handle, a one-time token): a
/// refused call hands it back with the machine, and it can be sent again.
#[test]
fn a_refused_call_hands_the_payload_back_with_the_machine() {
    let customer = Acting::<restoration::role::Customer>::authenticated();
    let account = Account {
        card_bound: true,
        ..Account::default()
    };
    let frozen = restoration::Machine::new(account);
    let refused = frozen.submit_ticket(&customer, materials(1)).unwrap_err();
    assert_eq!(refused.payload().methods_passed, 1);
    let (frozen, mut materials) = refused.into_machine_and_payload();
    assert_eq!(materials.id_document, "passport 123");
    assert_eq!(frozen.data().submissions, 0);
    // Completed, the same materials go again.
    materials.methods_passed = 2;
    let review = frozen.submit_ticket(&customer, materials).unwrap();
    assert_eq!(review.data().submissions, 1);
}

/// The trail records the payload's canonical text (the type's compact
/// JSON), not the caller's bytes: spacing and order do not change it, a
/// field the type lacks is dropped unless the type refuses unknown fields,
/// and the digest of a sensitive payload is of that canonical text, as
/// `payload::trail_record` reproduces it.
#[test]
fn the_trail_records_the_canonical_payload_and_says_how_to_reproduce_its_digest() {
    let customer = Actor::new("c-1").with_roles(&["customer"]);
    let staff = Actor::new("s-1").with_roles(&["staff"]);
    let presented =
        "{ \"id_document\" : \"passport 123\",\n  \"methods_passed\": 1, \"colour\": \"blue\" }";
    let instance = Instance::start(Account::default(), t0())
        .fire_with("submit_ticket", Some(presented), customer, t0())
        .unwrap();
    let digest = instance.trail()[0].payload.clone().unwrap();
    assert_eq!(
        digest,
        turnstile::payload::trail_record::<Materials>(presented, true).unwrap()
    );
    let canonical = r#"{"methods_passed":1,"id_document":"passport 123"}"#;
    assert_eq!(
        digest,
        turnstile::payload::trail_record::<Materials>(canonical, true).unwrap()
    );
    assert_eq!(
        turnstile::payload::trail_record::<Materials>(presented, false).unwrap(),
        canonical,
        "the unknown field is dropped, the fields come in the type's order"
    );
    // `Decision` refuses unknown fields: by name, that is a bad payload.
    let refused = instance
        .fire_with(
            "decide",
            Some(r#"{"approve": true, "approv": false}"#),
            staff,
            t0(),
        )
        .unwrap_err();
    assert!(matches!(refused.why(), Why::BadPayload { .. }));
    assert!(
        refused.to_string().contains("unknown field `approv`"),
        "{refused}"
    );
    let instance = refused
        .into_inner()
        .fire_with("decide", Some("{ \"approve\": true }"), staff, t0())
        .unwrap();
    assert_eq!(
        instance.trail()[1].payload.as_deref(),
        Some(r#"{"approve":true}"#)
    );
}

#[test]
fn by_name_the_payload_arrives_as_json_and_the_trail_records_it() {
    let customer = Actor::new("c-1").with_roles(&["customer"]);
    let staff = Actor::new("s-1").with_roles(&["staff"]);
    let instance = Instance::start(Account::default(), t0());
    let said = |r: turnstile::Refused<Instance<Account>>| (r.to_string(), r.into_inner());
    // Missing, unreadable, and given to an event that brings none.
    let (words, instance) = said(instance.fire("submit_ticket", customer, t0()).unwrap_err());
    assert_eq!(
        words,
        "restoration: event `submit_ticket` refused in state `frozen`: its payload (`Materials`) was not given"
    );
    let (words, instance) = said(
        instance
            .fire_with("submit_ticket", Some("{\"methods\": 2}"), customer, t0())
            .unwrap_err(),
    );
    assert!(
        words.starts_with(
            "restoration: event `submit_ticket` refused in state `frozen`: its payload (`Materials`) does not read: missing field `methods_passed`"
        ),
        "{words}"
    );
    // A role the actor lacks comes before the payload.
    let refused = instance
        .fire_with("submit_ticket", Some("{}"), staff, t0())
        .unwrap_err();
    assert!(matches!(refused.why(), Why::Forbidden { .. }));
    let instance = refused.into_inner();
    assert!(instance.trail().is_empty());
    let text = serde_json::to_string(&materials(1)).unwrap();
    let instance = instance
        .fire_with("submit_ticket", Some(&text), customer, t0())
        .unwrap();
    let (words, instance) = said(
        instance
            .fire_with("decide", Some("{\"approve\": true}"), customer, t0())
            .unwrap_err(),
    );
    assert!(words.contains("may be fired by `staff` only"), "{words}");
    let instance = instance
        .fire_with("decide", Some("{\"approve\": true}"), staff, t0())
        .unwrap();
    assert_eq!(instance.state(), "restored");
    let trail: Vec<(&str, Option<&str>)> = instance
        .trail()
        .iter()
        .map(|s| (s.event.as_str(), s.payload.as_deref()))
        .collect();
    // The sensitive payload is its digest: the SHA-256 of its JSON text.
    assert_eq!(trail[0].0, "submit_ticket");
    let digest = trail[0].1.unwrap();
    assert!(!digest.contains("passport"));
    // The runtime's own SHA-256 agrees with the `sha2` crate's.
    let expected: String = {
        use sha2::Digest;
        sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(digest, format!("sha256:{expected}"));
    assert_eq!(trail[1], ("decide", Some("{\"approve\":true}")));

    // An event that brings no payload refuses one where it is allowed.
    let fresh = Instance::start(Account::default(), t0());
    let (words, _) = said(
        fresh
            .fire_with("decide", Some("{}"), staff, t0())
            .unwrap_err(),
    );
    assert_eq!(
        words,
        "restoration: event `decide` is not allowed in state `frozen`; allowed now: `submit_ticket`"
    );
}

#[tokio::test]
async fn the_store_keeps_what_each_step_brought() {
    use turnstile_store::{Store, StoreError};
    let store = Store::in_memory().await.expect("an in-memory store");
    store
        .create("a-1", Instance::start(Account::default(), t0()))
        .await
        .expect("created");
    let customer = Actor::new("c-1").with_roles(&["customer"]);
    match store
        .fire_with::<Account>("a-1", "submit_ticket", Some("not json"), customer, t0())
        .await
    {
        Err(StoreError::Refused { why, .. }) => {
            assert!(matches!(*why, Why::BadPayload { .. }), "{why}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let text = serde_json::to_string(&materials(1)).unwrap();
    store
        .fire_with::<Account>("a-1", "submit_ticket", Some(&text), customer, t0())
        .await
        .expect("submitted");
    let staff = Actor::new("s-1").with_roles(&["staff"]);
    store
        .fire_with::<Account>(
            "a-1",
            "ask_for_more",
            Some("{\"what\": \"a clearer photo\"}"),
            staff,
            t0(),
        )
        .await
        .expect("asked for more");
    let loaded = store.load::<Account>("a-1").await.expect("loads");
    assert_eq!(loaded.instance.data().requests, ["a clearer photo"]);
    let payloads: Vec<Option<&str>> = loaded
        .instance
        .trail()
        .iter()
        .map(|s| s.payload.as_deref())
        .collect();
    assert!(payloads[0].unwrap().starts_with("sha256:"));
    assert_eq!(payloads[1], Some("{\"what\":\"a clearer photo\"}"));
}
