#![cfg_attr(doc, doc = include_str!("doc_images.md"))]
#![cfg_attr(any(doc, doctest), doc = include_str!("doc_links.md"))]
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub use turnstile_macros::Workflow;
pub use turnstile_runtime::{
    Acting, Actor, Dispatch, Fired, Instance, LoadError, NotBefore, Payload, PreviousVersion,
    Promise, Refusal, Refused, Rejected, Role, State, Step, TimerSpec, TimerStatus, Versions, Why,
    Workflow, MIGRATED,
};

pub use turnstile_runtime::{payload, regions, roles, words};

#[cfg(feature = "serde")]
pub use turnstile_runtime::snapshot;

#[doc(hidden)]
pub use turnstile_runtime::__private;

/// The guides, task pages, references and diagnostics of `docs/`, one
/// module per page, as a docs site shows them. Each page is also compiled
/// as doctests: every Rust snippet in it builds (and runs, unless marked
/// `no_run`), with the imports it shows. The pages are read only by
/// rustdoc (`cfg(doc)`, `cfg(doctest)`): a build of this crate does not
/// carry them.
#[cfg_attr(not(any(doc, doctest)), doc = "The pages of docs/.")]
#[cfg_attr(any(doc, doctest), doc = include_str!("doc_links.md"))]
#[cfg_attr(any(doc, doctest), doc = include_str!("../docs/README.md"))]
pub mod guides {
    /// One page of `docs/`: its links lead to the other pages' modules
    /// (`src/doc_links.md`, kept whole by `tests/doc_links.rs`); a page
    /// marked `images` embeds the images it shows (`src/doc_images.md`).
    macro_rules! page {
        ($name:ident, $path:literal $(, $images:ident)?) => {
            $(#[cfg_attr(doc, doc = include_str!(concat!("doc_", stringify!($images), ".md")))])?
            #[cfg_attr(not(any(doc, doctest)), doc = concat!("The page ", $path, "."))]
            #[cfg_attr(any(doc, doctest), doc = include_str!("doc_links.md"))]
            #[cfg_attr(any(doc, doctest), doc = include_str!($path))]
            pub mod $name {}
        };
    }

    page!(contributing, "../CONTRIBUTING.md");
    page!(long_running, "../docs/long-running.md");
    page!(store, "../docs/store.md");
    page!(roles, "../docs/roles.md");
    page!(diagrams, "../docs/diagrams.md", images);
    page!(performance, "../docs/performance.md");
    page!(fuzzing, "../docs/fuzzing.md");
    page!(access, "../docs/access.md");
    page!(properties, "../docs/properties.md");
    page!(nested_states, "../docs/nested-states.md");
    page!(regions, "../docs/regions.md");
    page!(versions, "../docs/versions.md");

    /// Task pages: how to do one thing with turnstile, start to finish.
    pub mod tasks {
        page!(
            store_in_your_service,
            "../docs/tasks/store-in-your-service.md"
        );
        page!(
            change_data_and_fire,
            "../docs/tasks/change-data-and-fire.md"
        );
        page!(authorization, "../docs/tasks/authorization.md");
        page!(
            deploy_a_changed_definition,
            "../docs/tasks/deploy-a-changed-definition.md"
        );
        page!(explorer, "../docs/tasks/explorer.md");
    }

    /// Reference pages.
    pub mod reference {
        page!(definition, "../docs/reference/definition.md");
    }

    #[cfg_attr(not(any(doc, doctest)), doc = "The pages of docs/diagnostics/.")]
    #[cfg_attr(any(doc, doctest), doc = include_str!("doc_links.md"))]
    #[cfg_attr(any(doc, doctest), doc = include_str!("../docs/diagnostics/README.md"))]
    pub mod diagnostics {
        page!(t001_toml_syntax, "../docs/diagnostics/T001-toml-syntax.md");
        page!(t002_unknown_key, "../docs/diagnostics/T002-unknown-key.md");
        page!(t003_wrong_type, "../docs/diagnostics/T003-wrong-type.md");
        page!(t004_missing_key, "../docs/diagnostics/T004-missing-key.md");
        page!(
            t005_invalid_name,
            "../docs/diagnostics/T005-invalid-name.md"
        );
        page!(
            t006_reserved_name,
            "../docs/diagnostics/T006-reserved-name.md"
        );
        page!(
            t007_duplicate_name,
            "../docs/diagnostics/T007-duplicate-name.md"
        );
        page!(
            t008_undeclared_state,
            "../docs/diagnostics/T008-undeclared-state.md"
        );
        page!(
            t009_unused_guard,
            "../docs/diagnostics/T009-unused-guard.md"
        );
        page!(
            t010_unreachable_state,
            "../docs/diagnostics/T010-unreachable-state.md"
        );
        page!(
            t011_dead_end_state,
            "../docs/diagnostics/T011-dead-end-state.md"
        );
        page!(
            t012_transition_from_final,
            "../docs/diagnostics/T012-transition-from-final.md"
        );
        page!(
            t013_nondeterministic,
            "../docs/diagnostics/T013-nondeterministic.md"
        );
        page!(
            t014_outcome_mismatch,
            "../docs/diagnostics/T014-outcome-mismatch.md"
        );
        page!(t015_file, "../docs/diagnostics/T015-file.md");
        page!(t016_attribute, "../docs/diagnostics/T016-attribute.md");
        page!(
            t017_invalid_duration,
            "../docs/diagnostics/T017-invalid-duration.md"
        );
        page!(
            t018_duration_not_positive,
            "../docs/diagnostics/T018-duration-not-positive.md"
        );
        page!(
            t019_timer_from_final,
            "../docs/diagnostics/T019-timer-from-final.md"
        );
        page!(
            t020_conflicting_timers,
            "../docs/diagnostics/T020-conflicting-timers.md"
        );
        page!(
            t021_undeclared_role_or_capability,
            "../docs/diagnostics/T021-undeclared-role-or-capability.md"
        );
        page!(
            t022_unused_role_or_capability,
            "../docs/diagnostics/T022-unused-role-or-capability.md"
        );
        page!(
            t023_role_on_automatic,
            "../docs/diagnostics/T023-role-on-automatic.md"
        );
        page!(
            t024_partly_restricted_event,
            "../docs/diagnostics/T024-partly-restricted-event.md"
        );
        page!(t025_payload, "../docs/diagnostics/T025-payload.md");
        page!(
            t026_property_form,
            "../docs/diagnostics/T026-property-form.md"
        );
        page!(
            t027_property_broken,
            "../docs/diagnostics/T027-property-broken.md"
        );
        page!(
            t028_parent_cycle,
            "../docs/diagnostics/T028-parent-cycle.md"
        );
        page!(
            t029_compound_initial,
            "../docs/diagnostics/T029-compound-initial.md"
        );
        page!(
            t030_compound_key,
            "../docs/diagnostics/T030-compound-key.md"
        );
        page!(
            t031_compound_timer,
            "../docs/diagnostics/T031-compound-timer.md"
        );
        page!(
            t032_region_shape,
            "../docs/diagnostics/T032-region-shape.md"
        );
        page!(
            t033_region_condition,
            "../docs/diagnostics/T033-region-condition.md"
        );
        page!(
            t034_region_unsupported,
            "../docs/diagnostics/T034-region-unsupported.md"
        );
        page!(
            t035_dead_transition,
            "../docs/diagnostics/T035-dead-transition.md"
        );
    }
}
