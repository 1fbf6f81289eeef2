//! Snapshots of instances of every reference workflow, in every state:
//! round trips in JSON and CBOR, and each kind of bad snapshot refused
//! with an error that names it.

#[allow(dead_code)] // the transition log is for the coverage tests
mod common;

use std::time::{Duration, SystemTime};

use common::{acme_account as account, direct_sales_profile};

use serde::{de::DeserializeOwned, Serialize};
use turnstile::{Dispatch, Instance, Step};
use turnstile_spec::graph::Graph;
use turnstile_workflows::rules::Region;
use turnstile_workflows::{
    AccountUpgrade, Invitation, PartnerAssociation, PartnerModel, PhoneChange, ServiceClosing,
    SignUp,
};

/// The envelope's fields, in the order docs/long-running.md documents.
const ENVELOPE_FIELDS: [&str; 8] = [
    "format",
    "workflow",
    "fingerprint",
    "state",
    "started_at",
    "entered_at",
    "data",
    "trail",
];

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800)
}

/// For each state of `W`'s definition, an instance in it: the trail is the
/// shortest event sequence to it, one step every 100 days (beyond every
/// timer), so it replays.
fn every_state<W: Dispatch + Clone>(data: W) -> Vec<Instance<W>> {
    let file = turnstile_spec::SourceFile::new("definition.toml", W::DEFINITION);
    let w = turnstile_spec::load(&file).expect("a valid definition");
    let graph = Graph::new(&w);
    let paths = graph.shortest_paths();
    assert_eq!(paths.len(), w.states.len(), "every state is reachable");
    paths
        .into_iter()
        .map(|(state, steps)| {
            let mut at = t0();
            let mut from = w.state(w.initial).name.to_string();
            let mut trail = Vec::new();
            for step in steps {
                at += Duration::from_secs(100 * 24 * 3600);
                let to = w.state(step.to).name.to_string();
                trail.push(Step {
                    from: std::mem::replace(&mut from, to.clone()),
                    event: w.transition(step.transition).event.to_string(),
                    to,
                    at,
                    actor: Some("tester".into()),
                    role: None,
                    payload: None,
                    migrated: None,
                });
            }
            Instance::resume(
                Some(t0()),
                w.state(state).name.as_str(),
                data.clone(),
                at,
                trail,
            )
            .expect("the shortest path replays")
        })
        .collect()
}

fn round_trips<W>(data: W)
where
    W: Dispatch + Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned,
{
    let instances = every_state(data);
    for instance in &instances {
        let json = serde_json::to_string(instance).unwrap();
        let back: Instance<W> = serde_json::from_str(&json).unwrap();
        assert_same(instance, &back);

        let mut cbor = Vec::new();
        ciborium::into_writer(instance, &mut cbor).unwrap();
        let back: Instance<W> = ciborium::from_reader(cbor.as_slice()).unwrap();
        assert_same(instance, &back);
    }
    println!("{}: {} states round-trip", W::NAME, instances.len());
}

fn assert_same<W: Dispatch + PartialEq + std::fmt::Debug>(a: &Instance<W>, b: &Instance<W>) {
    assert_eq!(a.started_at(), b.started_at());
    assert_eq!(a.state(), b.state());
    assert_eq!(a.data(), b.data());
    assert_eq!(a.entered_at(), b.entered_at());
    assert_eq!(a.trail(), b.trail());
}

#[test]
fn every_state_of_every_reference_workflow_round_trips() {
    round_trips(SignUp::new(Region::Singapore, "mei@example.sg"));
    round_trips(AccountUpgrade::new(account()));
    round_trips(PhoneChange::new(account(), direct_sales_profile()));
    round_trips(PartnerAssociation::new(
        PartnerModel::Reseller,
        Invitation::OnlineLink,
        Region::SouthAfrica,
    ));
    round_trips(ServiceClosing::new("acme-ops"));
}

/// A closed account's snapshot as JSON, to spoil field by field.
fn closed() -> serde_json::Value {
    let instance = Instance::start(ServiceClosing::new("acme-ops"), t0())
        .fire(
            "close",
            turnstile::Actor::new("alice").with_roles(&["customer"]),
            t0() + Duration::from_secs(3600),
        )
        .unwrap();
    serde_json::to_value(&instance).unwrap()
}

/// The envelope's text with its fields in the order written (a
/// `serde_json::Value` sorts them), then any others.
fn text(value: &serde_json::Value) -> String {
    let map = value.as_object().unwrap();
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| {
        ENVELOPE_FIELDS
            .iter()
            .position(|o| o == k)
            .unwrap_or(ENVELOPE_FIELDS.len())
    });
    let fields: Vec<String> = keys
        .iter()
        .map(|k| format!("{}:{}", serde_json::Value::from(k.as_str()), map[*k]))
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn load(value: serde_json::Value) -> String {
    match serde_json::from_str::<Instance<ServiceClosing>>(&text(&value)) {
        Ok(instance) => panic!("loaded a bad snapshot in `{}`", instance.state()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_envelope_is_the_documented_one() {
    let value = closed();
    let instance: Instance<ServiceClosing> = serde_json::from_value(value.clone()).unwrap();
    let written = serde_json::to_string(&instance).unwrap();
    let at = |key: &str| written.find(&format!("\"{key}\":")).unwrap();
    assert!(
        ENVELOPE_FIELDS.windows(2).all(|w| at(w[0]) < at(w[1])),
        "{written}"
    );
    assert_eq!(value.as_object().unwrap().len(), 8);
    assert_eq!(value["format"], "turnstile-instance/2");
    assert_eq!(value["started_at"], "2026-11-24T09:00:00Z");
    assert_eq!(value["entered_at"], "2026-11-24T10:00:00Z");
    assert_eq!(
        value["trail"],
        serde_json::json!([{
            "from": "active", "event": "close", "to": "closed",
            "at": "2026-11-24T10:00:00Z", "actor": "alice", "role": "customer"
        }])
    );
    assert_eq!(
        value["fingerprint"],
        <ServiceClosing as Dispatch>::FINGERPRINT
    );
}

#[test]
fn each_kind_of_bad_snapshot_is_refused_by_name() {
    let spoil = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut value = closed();
        f(&mut value);
        load(value)
    };
    assert!(spoil(&|v| v["workflow"] = "sign_up".into())
        .starts_with("service_closing: the snapshot is of the workflow `sign_up`"),);
    // Another workflow's data has another shape: named as another workflow,
    // not as a data error, because `workflow` is read first.
    assert!(spoil(&|v| {
        v["workflow"] = "sign_up".into();
        v["data"] = serde_json::json!({"region": "Singapore"});
    })
    .starts_with("service_closing: the snapshot is of the workflow `sign_up`"));
    assert!(spoil(&|v| v["state"] = "archived".into())
        .starts_with("service_closing: the snapshot's state `archived` is not a state"));
    assert!(spoil(&|v| v["fingerprint"] = "sha256:0123".into()).starts_with(
        "service_closing: the snapshot was taken under another version of the definition (fingerprint sha256:0123"
    ));
    assert!(
        spoil(&|v| v["format"] = "turnstile-instance/3".into()).starts_with(
            "not a turnstile instance snapshot this version reads: format `turnstile-instance/3`"
        )
    );
    // Format 2 needs the start; format 1 has none.
    assert!(spoil(&|v| {
        v.as_object_mut().unwrap().remove("started_at");
    })
    .starts_with("missing field `started_at`"));
    assert!(spoil(&|v| v["format"] = "turnstile-instance/1".into())
        .starts_with("`started_at` is not a field of the format `turnstile-instance/1`"));
    assert!(spoil(&|v| {
        v.as_object_mut().unwrap().remove("trail");
    })
    .starts_with("missing field `trail`"));
    assert!(spoil(&|v| {
        v.as_object_mut()
            .unwrap()
            .insert("owner".into(), "x".into());
    })
    .starts_with("unknown field `owner`"));
    assert!(spoil(&|v| v["entered_at"] = "yesterday".into())
        .starts_with("`yesterday` is not an RFC 3339 instant"));
    assert!(spoil(&|v| v["data"]["obstacles"] = "none".into()).contains("invalid type"));
    // A state the trail does not lead to.
    assert!(spoil(&|v| v["state"] = "active".into()).starts_with(
        "service_closing: the audit trail does not replay at step 1: it ends in `closed`, but the stored state is `active`"
    ));
    // A step that is not a transition of the definition.
    assert!(spoil(&|v| v["trail"][0]["event"] = "disable".into()).starts_with(
        "service_closing: the audit trail does not replay at step 0: `active` --disable--> `closed` is not a transition"
    ));
    // An entered_at that is not the last step's.
    assert!(spoil(&|v| v["entered_at"] = "2026-11-24T11:00:00Z".into())
        .contains("the state was entered at another instant than the last step's"));

    // Truncated and malformed input.
    let text = serde_json::to_string(&closed()).unwrap();
    for cut in [0, 1, text.len() / 2, text.len() - 1] {
        assert!(serde_json::from_str::<Instance<ServiceClosing>>(&text[..cut]).is_err());
    }
    let mut cbor = Vec::new();
    ciborium::into_writer(&closed(), &mut cbor).unwrap();
    for cut in [0, 1, cbor.len() / 2, cbor.len() - 1] {
        assert!(ciborium::from_reader::<Instance<ServiceClosing>, _>(&cbor[..cut]).is_err());
    }
}

#[test]
fn a_timed_step_taken_too_early_does_not_replay() {
    let mut value = closed();
    let closed_at = value["entered_at"].clone();
    // A restore one hour after closing: the timer wants 24 hours.
    value["trail"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "from": "closed", "event": "restore", "to": "active",
            "at": "2026-11-24T11:00:00Z", "actor": null
        }));
    value["state"] = "active".into();
    value["entered_at"] = "2026-11-24T11:00:00Z".into();
    assert_eq!(closed_at, "2026-11-24T10:00:00Z");
    assert!(load(value)
        .contains("`restore` was taken before its timer (1d after entering `closed`) was due"));
}

#[test]
fn a_changed_definition_is_migrated_by_the_users_hook() {
    use turnstile::snapshot::{Envelope, Migrated};
    // A snapshot of an older definition in which `closed` was `in_retention`.
    let mut value = closed();
    value["fingerprint"] = "sha256:an-older-definition".into();
    value["state"] = "in_retention".into();
    value["trail"][0]["to"] = "in_retention".into();
    assert!(load(value.clone()).contains("load it with `Instance::migrate`"));

    let old: Envelope<ServiceClosing> = serde_json::from_value(value).unwrap();
    let rename = |s: String| {
        if s == "in_retention" {
            "closed".to_string()
        } else {
            s
        }
    };
    let instance = Instance::<ServiceClosing>::migrate(old, |old| {
        Ok(Migrated {
            state: rename(old.state),
            data: old.data,
            trail: old
                .trail
                .into_iter()
                .map(|mut step| {
                    step.from = rename(step.from);
                    step.to = rename(step.to);
                    step
                })
                .collect(),
        })
    })
    .expect("migrated");
    assert_eq!(instance.state(), "closed");
    // Stored again, it carries the current fingerprint and loads strictly.
    let again: Instance<ServiceClosing> =
        serde_json::from_value(serde_json::to_value(&instance).unwrap()).unwrap();
    assert_eq!(again.state(), "closed");
}

mod cooling {
    use turnstile::Workflow;

    /// A workflow whose first step waits an hour after the start.
    #[derive(Workflow, Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    #[workflow(file = "tests/fixtures/cooling_off.toml")]
    pub struct Cooling {
        pub applicant: String,
    }
}

use cooling::Cooling;

/// A snapshot of `cooling_off` in `confirmed`, its one step at `at`, in
/// format 2 (with the start) or 1 (without).
fn cooling_snapshot(at: &str, with_start: bool) -> String {
    let start = if with_start {
        r#""started_at":"2026-11-24T09:00:00Z","#
    } else {
        ""
    };
    let format = if with_start { 2 } else { 1 };
    format!(
        r#"{{"format":"turnstile-instance/{format}","workflow":"cooling_off","fingerprint":{},"state":"confirmed",{start}"entered_at":"{at}","data":{{"applicant":"mei"}},"trail":[{{"from":"applied","event":"confirm","to":"confirmed","at":"{at}","actor":null}}]}}"#,
        serde_json::Value::from(<Cooling as Dispatch>::FINGERPRINT)
    )
}

/// The start instant is kept, so the first step's timer is checked as
/// every other step's: confirmed one second after the start does not
/// load, as `fire` would have refused it; an hour after, it does.
#[test]
fn the_first_timed_step_is_checked_against_the_start() {
    let start = Instance::start(
        Cooling {
            applicant: "mei".into(),
        },
        t0(),
    );
    assert_eq!(start.started_at(), Some(t0()));
    let early = start
        .fire("confirm", None, t0() + Duration::from_secs(1))
        .unwrap_err();
    assert!(matches!(early.why(), turnstile::Why::NotYet(_)));

    let refused =
        serde_json::from_str::<Instance<Cooling>>(&cooling_snapshot("2026-11-24T09:00:01Z", true))
            .unwrap_err()
            .to_string();
    assert!(
        refused.contains(
            "the audit trail does not replay at step 0: `confirm` was taken before its timer \
             (1h after entering `applied`) was due"
        ),
        "{refused}"
    );
    let loaded: Instance<Cooling> =
        serde_json::from_str(&cooling_snapshot("2026-11-24T10:00:00Z", true)).unwrap();
    assert_eq!(loaded.state(), "confirmed");
    assert_eq!(loaded.started_at(), Some(t0()));

    // A step before the start is refused too.
    let before =
        serde_json::from_str::<Instance<Cooling>>(&cooling_snapshot("2026-11-24T08:00:00Z", true))
            .unwrap_err()
            .to_string();
    assert!(
        before.contains("it is earlier than the instance's start"),
        "{before}"
    );

    // Format 1 did not keep the start: its first step is taken as stored.
    let old: Instance<Cooling> =
        serde_json::from_str(&cooling_snapshot("2026-11-24T09:00:01Z", false)).unwrap();
    assert_eq!(old.started_at(), None);
    // Written again, it stays format 1: it has no start to write.
    let again = serde_json::to_value(&old).unwrap();
    assert_eq!(again["format"], "turnstile-instance/1");
}
