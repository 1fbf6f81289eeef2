//! `turnstile_spec::diff`: each kind of change between two versions of a
//! definition, its class, its lines in both files, and renames recognised
//! or stated.

use turnstile_spec::diff::{diff, worst, Change, Class, Rename};
use turnstile_spec::{load, SourceFile};

/// A ticket: opened, reviewed within 48h or escalated by a timer, closed.
const V1: &str = r#"[workflow]
name = "ticket"
initial = "open"

[roles.customer]
[roles.agent]
[roles.lead]
[guards.described]
[capabilities.comment]

[states.open]
permits = "comment"
[states.reviewing]
permits = "comment"
[states.escalated]
[states.closed]
final = true

[[transitions]]
event = "submit"
from = "open"
to = "reviewing"
by = "customer"
guard = "described"

[[transitions]]
event = "escalate"
from = "reviewing"
to = "escalated"
after = "48h"

[[transitions]]
event = "resolve"
from = ["reviewing", "escalated"]
to = "closed"
by = ["agent", "lead"]
"#;

fn changes(old: &str, new: &str, renames: &[Rename]) -> Vec<Change> {
    let (a, b) = (
        SourceFile::new("v1.toml", old),
        SourceFile::new("v2.toml", new),
    );
    let (wa, wb) = (load(&a).expect("v1 valid"), load(&b).expect("v2 valid"));
    diff(&wa, &a, &wb, &b, renames).expect("renames apply")
}

fn only(changes: &[Change], kind: &str) -> Change {
    let of: Vec<&Change> = changes.iter().filter(|c| c.kind == kind).collect();
    assert_eq!(of.len(), 1, "one `{kind}` in {changes:#?}");
    of[0].clone()
}

/// The 1-based line of the first occurrence of `text` in `file`.
fn line_of(file: &str, text: &str) -> usize {
    file[..file.find(text).unwrap_or_else(|| panic!("{text}"))]
        .lines()
        .count()
        + 1
}

#[test]
fn the_same_definition_has_no_change() {
    let c = changes(V1, V1, &[]);
    assert!(c.is_empty(), "{c:#?}");
    assert_eq!(worst(&c), Class::Compatible);
    assert_eq!(worst(&c).exit_code(), 0);
}

#[test]
fn a_renamed_state_is_recognised_and_needs_a_mapping() {
    let v2 = V1.replace("escalated", "with_lead");
    let c = changes(V1, &v2, &[]);
    let renamed = only(&c, "state_renamed");
    assert_eq!(renamed.class, Class::NeedsMapping);
    assert!(
        renamed.what.contains("`escalated` renamed to `with_lead`"),
        "{renamed:?}"
    );
    assert_eq!(renamed.old_line, Some(line_of(V1, "[states.escalated]")));
    assert_eq!(renamed.new_line, Some(line_of(&v2, "[states.with_lead]")));
    // Not also reported as removed and added.
    assert!(!c
        .iter()
        .any(|c| c.kind == "state_removed" || c.kind == "state_added"));
    assert!(
        !c.iter().any(|c| c.kind.starts_with("transition_")),
        "{c:#?}"
    );
    assert_eq!(worst(&c).exit_code(), 5);
}

#[test]
fn a_removed_state_holding_instances_needs_a_mapping() {
    // Escalation goes away: `escalated` and both ways through it.
    let v2 = V1
        .replace("[states.escalated]\n", "")
        .replace(
            "[[transitions]]\nevent = \"escalate\"\nfrom = \"reviewing\"\nto = \"escalated\"\nafter = \"48h\"\n\n",
            "",
        )
        .replace("from = [\"reviewing\", \"escalated\"]", "from = \"reviewing\"");
    let c = changes(V1, &v2, &[]);
    let removed = only(&c, "state_removed");
    assert_eq!(removed.class, Class::NeedsMapping);
    assert!(removed
        .consequence
        .contains("stored instances in `escalated` need a state"));
    assert_eq!(removed.old_line, Some(line_of(V1, "[states.escalated]")));
    assert_eq!(removed.new_line, None);
    let gone: Vec<&Change> = c
        .iter()
        .filter(|c| c.kind == "transition_removed")
        .collect();
    assert_eq!(gone.len(), 2, "{c:#?}");
    assert!(gone.iter().all(|g| g.class == Class::NeedsMapping));
    assert_eq!(worst(&c), Class::NeedsMapping);
}

#[test]
fn a_shortened_timer_changes_pending_work() {
    let v2 = V1.replace("after = \"48h\"", "after = \"24h\"");
    let c = changes(V1, &v2, &[]);
    assert_eq!(c.len(), 1, "{c:#?}");
    let t = only(&c, "timer_shortened");
    assert_eq!(t.class, Class::ChangesPendingWork);
    assert!(t.what.contains("from 48h to 24h"), "{t:?}");
    assert_eq!(
        t.consequence,
        "instances in `reviewing` since more than 24h become due at once; the others fall due 24h after entering it"
    );
    assert_eq!(t.old_line, Some(line_of(V1, "after = \"48h\"")));
    assert_eq!(t.new_line, Some(line_of(&v2, "after = \"24h\"")));
    assert_eq!(worst(&c).exit_code(), 4);
    // Lengthened: the same class; steps already taken keep their version.
    let v3 = V1.replace("after = \"48h\"", "after = \"72h\"");
    let t = only(&changes(V1, &v3, &[]), "timer_lengthened");
    assert_eq!(t.class, Class::ChangesPendingWork);
    assert!(
        t.consequence.contains(
            "wait until 72h after entering it instead of 48h; steps already taken keep the version"
        ),
        "{t:?}"
    );
}

#[test]
fn a_narrowed_role_needs_a_mapping_and_a_widened_one_is_compatible() {
    let v2 = V1
        .replace("by = [\"agent\", \"lead\"]", "by = \"lead\"")
        .replace("[roles.agent]\n", "");
    let c = changes(V1, &v2, &[]);
    let r = only(&c, "role_narrowed");
    assert_eq!(r.class, Class::NeedsMapping);
    assert!(r.what.contains("no longer for `agent`"), "{r:?}");
    assert_eq!(r.new_line, Some(line_of(&v2, "event = \"resolve\"") - 1));
    // Open to anyone, then restricted: narrowed too.
    let open_to_anyone = V1
        .replace(
            "to = \"reviewing\"\nby = \"customer\"\n",
            "to = \"reviewing\"\n",
        )
        .replace("[roles.customer]\n", "");
    let n = only(&changes(&open_to_anyone, V1, &[]), "role_narrowed");
    assert_eq!(n.class, Class::NeedsMapping);
    assert!(
        n.what
            .contains("open to anyone, is now only for `customer`"),
        "{n:?}"
    );
    // The other way: widened, compatible.
    let c = changes(&v2, V1, &[]);
    assert_eq!(only(&c, "role_widened").class, Class::Compatible);
    assert_eq!(worst(&c), Class::Compatible);
}

#[test]
fn a_new_optional_event_is_compatible() {
    let v2 = format!(
        "{V1}\n[[transitions]]\nevent = \"reopen\"\nfrom = \"escalated\"\nto = \"reviewing\"\nby = \"customer\"\n"
    );
    let c = changes(V1, &v2, &[]);
    let added = only(&c, "transition_added");
    assert_eq!(added.class, Class::Compatible);
    assert!(
        added.what.contains("`escalated` --reopen--> `reviewing`"),
        "{added:?}"
    );
    assert_eq!(added.new_line, Some(line_of(&v2, "event = \"reopen\"") - 1));
    assert_eq!(added.old_line, None);
    assert_eq!(worst(&c).exit_code(), 0);
}

#[test]
fn guards_capabilities_and_payloads() {
    // A guard added: behaviour; removed: compatible.
    let v2 = V1.replace(
        "to = \"closed\"\nby = [\"agent\", \"lead\"]",
        "to = \"closed\"\nby = [\"agent\", \"lead\"]\nguard = \"described\"",
    );
    let c = changes(V1, &v2, &[]);
    assert_eq!(only(&c, "guard_added").class, Class::ChangesBehaviour);
    assert_eq!(worst(&c).exit_code(), 3);
    assert_eq!(
        only(&changes(&v2, V1, &[]), "guard_removed").class,
        Class::Compatible
    );
    // A capability withdrawn: behaviour.
    let v3 = V1.replacen(
        "[states.reviewing]\npermits = \"comment\"\n",
        "[states.reviewing]\n",
        1,
    );
    let w = only(&changes(V1, &v3, &[]), "capability_withdrawn");
    assert_eq!(w.class, Class::ChangesBehaviour);
    assert!(w.what.contains("`reviewing` no longer permits `comment`"));
    // A payload added to an event: needs a mapping, at the payload's line.
    let v4 = V1.replace(
        "by = \"customer\"\nguard = \"described\"",
        "by = \"customer\"\nguard = \"described\"\npayload = \"Details\"",
    );
    let p = only(&changes(V1, &v4, &[]), "payload_changed");
    assert_eq!(p.class, Class::NeedsMapping);
    assert_eq!(p.new_line, Some(line_of(&v4, "payload = \"Details\"")));
    let v5 = v4.replace("payload = \"Details\"", "payload = \"Form\"");
    let p = only(&changes(&v4, &v5, &[]), "payload_changed");
    assert!(
        p.what.contains("now brings `Form` instead of `Details`"),
        "{p:?}"
    );
}

#[test]
fn a_rename_stated_where_the_rest_changed_too() {
    // `escalated` becomes `with_lead` and gains a way back: not the same
    // transitions, so not recognised; stated, it is a rename plus a new
    // transition.
    let v2 = format!(
        "{}\n[[transitions]]\nevent = \"reopen\"\nfrom = \"with_lead\"\nto = \"reviewing\"\n",
        V1.replace("escalated", "with_lead")
    );
    let unstated = changes(V1, &v2, &[]);
    assert_eq!(
        only(&unstated, "state_removed").what,
        "state `escalated` removed"
    );
    let stated = changes(V1, &v2, &["escalated=with_lead".parse().unwrap()]);
    let r = only(&stated, "state_renamed");
    assert!(r.what.contains("(as stated)"), "{r:?}");
    assert_eq!(only(&stated, "transition_added").class, Class::Compatible);
    assert!(!stated.iter().any(|c| c.kind == "state_removed"));
    // An event renamed, recognised by its transitions.
    let v3 = V1.replace("\"resolve\"", "\"close\"");
    let e = only(&changes(V1, &v3, &[]), "event_renamed");
    assert_eq!(e.class, Class::NeedsMapping);
    assert!(e.what.contains("`resolve` renamed to `close`"));
    // A rename of what the versions lack is refused, saying why.
    let (a, b) = (
        SourceFile::new("v1.toml", V1),
        SourceFile::new("v2.toml", V1),
    );
    let (wa, wb) = (load(&a).unwrap(), load(&b).unwrap());
    let bad = diff(&wa, &a, &wb, &b, &["nowhere=here".parse().unwrap()]).unwrap_err();
    assert_eq!(
        bad.to_string(),
        "the rename `nowhere=here` does not apply: the old version has no state or event `nowhere`"
    );
    assert!("noequals".parse::<Rename>().is_err());
}

#[test]
fn the_initial_state_moved_needs_a_mapping() {
    let v2 = V1.replace("initial = \"open\"", "initial = \"reviewing\"")
        + "\n[[transitions]]\nevent = \"draft\"\nfrom = \"reviewing\"\nto = \"open\"\n";
    let c = changes(V1, &v2, &[]);
    assert_eq!(only(&c, "initial_changed").class, Class::NeedsMapping);
    // Worst first.
    assert_eq!(c[0].class, Class::NeedsMapping);
}

/// `plan`: every old state is carried (as itself or renamed) or named for a
/// decision, and the decisions are exactly the states the changes name: a
/// removed state, a state that lost a way out, a state whose way out
/// changed hands.
#[test]
fn the_plan_names_exactly_the_states_that_need_a_decision() {
    let old = r#"
[workflow]
name = "t"
initial = "open"
[roles.customer]
[roles.agent]
[states.open]
[states.waiting]
[states.answered]
final = true
[states.withdrawn]
final = true
[[transitions]]
event = "ask"
from = "open"
to = "waiting"
by = ["customer", "agent"]
[[transitions]]
event = "answer"
from = "waiting"
to = "answered"
by = "agent"
[[transitions]]
event = "withdraw"
from = "open"
to = "withdrawn"
by = "customer"
"#;
    // `answered` renamed `resolved`; `withdrawn` and `withdraw` removed;
    // `ask` only for the agent now.
    let new = old
        .replace("answered", "resolved")
        .replace(
            "[[transitions]]\nevent = \"withdraw\"\nfrom = \"open\"\nto = \"withdrawn\"\nby = \"customer\"\n",
            "[[transitions]]\nevent = \"remind\"\nfrom = \"waiting\"\nto = \"waiting\"\nby = \"customer\"\n",
        )
        .replace("[states.withdrawn]\nfinal = true\n", "")
        .replace("by = [\"customer\", \"agent\"]", "by = \"agent\"");
    let (a, b) = (
        SourceFile::new("v1.toml", old),
        SourceFile::new("v2.toml", &new),
    );
    let (wa, wb) = (load(&a).expect("v1 valid"), load(&b).expect("v2 valid"));
    let plan = turnstile_spec::diff::plan(&wa, &a, &wb, &b, &[]).unwrap();
    let decide: Vec<&str> = plan.decide.keys().map(String::as_str).collect();
    assert_eq!(decide, ["open", "withdrawn"], "{plan:#?}");
    assert!(
        plan.decide["open"].iter().any(|w| w.contains("withdraw")),
        "{plan:#?}"
    );
    assert!(
        plan.decide["open"]
            .iter()
            .any(|w| w.contains("no longer for `customer`")),
        "{plan:#?}"
    );
    let carried: Vec<(&str, &str)> = plan
        .carried
        .iter()
        .map(|(o, n)| (o.as_str(), n.as_str()))
        .collect();
    assert_eq!(carried, [("answered", "resolved"), ("waiting", "waiting")]);
}
