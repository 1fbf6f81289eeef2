//! Each reference workflow (and three fixtures) derived again on data whose
//! guards and branch outcomes a test sets step by step: the explorer's
//! differential test and the replay of the checker's counterexamples both
//! drive the real generated machines through it.

#![allow(dead_code)] // each test file uses some of the workflows

/// The data of a workflow derived again for the test: its guards hold
/// unless named in `failing`, and each branching event takes the outcome
/// at `outcome` (modulo how many it has), in the order `to` lists them.
pub trait Scripted: turnstile::Dispatch + Default {
    fn script(&mut self, failing: Vec<String>, outcome: usize);
    /// A payload that reads, for an event that brings one.
    fn payload(event: &str) -> Option<&'static str>;
}

macro_rules! scripted {
    ($module:ident, $file:literal, $wf:ident,
     guards [$($g:ident $(: $gty:ty)?),*],
     outcomes [$($ev:ident => $pascal:ident [$($to:ident),+]);*]) => {
        scripted!($module, $file, $wf, uses {}, guards [$($g $(: $gty)?),*], payloads [],
            outcomes [$($ev => $pascal [$($to),+]);*]);
    };
    ($module:ident, $file:literal, $wf:ident,
     uses { $($use:tt)* },
     guards [$($g:ident $(: $gty:ty)?),*],
     payloads [$($pe:ident : $pty:ty = $text:literal),*],
     outcomes [$($ev:ident => $pascal:ident [$($to:ident),+]);*]) => {
        pub mod $module {
            use turnstile::Workflow;
            $($use)*

            #[derive(Workflow, Default)]
            #[workflow(file = $file)]
            pub struct Sim {
                failing: Vec<String>,
                outcome: usize,
            }

            impl $crate::scripted::Scripted for Sim {
                fn script(&mut self, failing: Vec<String>, outcome: usize) {
                    self.failing = failing;
                    self.outcome = outcome;
                }
                fn payload(event: &str) -> Option<&'static str> {
                    match event {
                        $(stringify!($pe) => Some($text),)*
                        _ => None,
                    }
                }
            }

            scripted!(@guards $wf [$($g $(: $gty)?),*]);
            scripted!(@payloads $wf [$($pe : $pty),*]);
            scripted!(@outcomes $wf [$($ev => $pascal [$($to),+]);*]);
        }
    };
    (@guards $wf:ident []) => {};
    (@guards $wf:ident [$($g:ident $(: $gty:ty)?),+]) => {
        impl $wf::Guards for Sim {
            $(fn $g(&self $(, _payload: &$gty)?) -> bool {
                !self.failing.iter().any(|f| f == stringify!($g))
            })+
        }
    };
    (@payloads $wf:ident []) => {};
    (@payloads $wf:ident [$($pe:ident : $pty:ty),+]) => {
        impl $wf::Payloads for Sim {
            $(fn $pe(&mut self, _payload: $pty) {})+
        }
    };
    (@outcomes $wf:ident []) => {};
    (@outcomes $wf:ident [$($ev:ident => $pascal:ident [$($to:ident),+]);+]) => {
        impl $wf::Outcomes for Sim {
            $(fn $ev(&self) -> $wf::choice::$pascal {
                let all = [$($wf::choice::$pascal::$to),+];
                all[self.outcome % all.len()]
            })+
        }
    };
}

scripted!(sign_up_sim, "sign_up.toml", sign_up,
    uses { use turnstile_workflows::sign_up::{EnterpriseInformation, TenantRegionChange, TinTicket}; },
    guards [on_international_site, tin_ticket_complete: TinTicket,
        certificate_from_new_region: TenantRegionChange, region_allowed_on_site, email_code_verified, password_valid, email_unused,
        information_email_code_verified, outside_russia, registered_in_russia, security_code_verified, agreements_accepted, region_may_enable_services,
        mobile_in_registration_region, sms_code_verified, is_individual: EnterpriseInformation,
        has_alternative_funding, is_adult],
    payloads [submit_tin_ticket: TinTicket = r#"{"enterprise": {"tin": "201912345K", "name": "Tanjong Labs", "address": "1 Tanjong Pagar Road", "city": "Singapore", "state_province": "Singapore", "postal_code": "088539"}}"#,
        change_to_enterprise: EnterpriseInformation = r#"{"tin": "201912345K", "name": "Tanjong Labs", "address": "1 Tanjong Pagar Road", "city": "Singapore", "state_province": "Singapore", "postal_code": "088539"}"#,
        change_tenant_region: TenantRegionChange = r#"{"region": "Brazil", "certificate_issued_in": "Brazil"}"#],
    outcomes [enable_services => EnableServices [ServicesEnabled, SystemBusy];
        set_enterprise_details => SetEnterpriseDetails [AccountDetailsSet, TinLookupFailed];
        bind_card => BindCard [PaymentMethodBound, CardBindingFailed]]);
scripted!(account_upgrade_sim, "account_upgrade.toml", account_upgrade,
    guards [],
    outcomes [associate_existing_id => AssociateExistingId [AssociatedWithExistingId,
        RefusedRegionDiffers, RefusedContactsDiffer, RefusedIdTaken, RefusedIdFrozen,
        AssociateFromId]]);
scripted!(phone_change_sim, "phone_change.toml", phone_change,
    guards [is_enterprise_master, lists_all_member_accounts, materials_complete],
    outcomes [review_ticket => ReviewTicket [AwaitingDisassociation, MaterialsRequested,
        TicketRejected];
        provide_materials => ProvideMaterials [AwaitingDisassociation, MaterialsRequested, TicketRejected]]);
scripted!(partner_association_sim, "partner_association.toml", partner_association,
    guards [is_reseller_model, is_not_reseller_model, password_valid, email_code_verified,
        invitation_is_online_link, billing_region_matches, agreements_accepted,
        not_chinese_mainland_site, no_other_partner, no_special_contract,
        registered_within_seven_days_without_cash_expenditure, no_unpaid_bills,
        not_under_unified_accounting_master, reseller_no_professional_service_contract,
        reseller_no_valid_reserved_instances, reseller_not_enterprise_member,
        reseller_not_master_with_independent_members],
    outcomes [enable_and_associate => EnableAndAssociate [Associated, FrozenUntilBudget];
        associate => Associate [Associated, FrozenUntilBudget]]);
scripted!(service_closing_sim, "service_closing.toml", service_closing,
    guards [id_not_frozen, no_frozen_resources, no_partner_ties, not_enterprise_account,
        no_site_binding, no_resources_in_use, no_funds, no_pending_finance],
    outcomes []);
scripted!(clockwork_sim, "tests/fixtures/clockwork.toml", clockwork,
    guards [ready, approved],
    outcomes [check => Check [Checked, Escalated]]);
scripted!(unbinding_sim, "tests/fixtures/unbinding.toml", unbinding,
    guards [materials_complete],
    outcomes [review => Review [Approved, Rejected]]);
scripted!(retention_sim, "tests/fixtures/nested_timers.toml", retention,
    guards [],
    outcomes []);
