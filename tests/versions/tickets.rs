// The test ticket in four versions (`ticket_v1.toml` to `ticket_v4.toml`
// here), each derived as the build of that version would: included by
// tests/versions.rs and tests/rolling.rs (its nodes), so the
// versions and version 4's decisions have one owner.

/// Version 1, as the nodes not yet upgraded have it.
#[allow(dead_code)]
mod v1 {
    use turnstile::Workflow;
    #[derive(Workflow, Debug, Default, serde::Serialize, serde::Deserialize)]
    #[workflow(file = "tests/versions/ticket_v1.toml")]
    pub struct Ticket {
        pub subject: String,
    }
}

/// Version 2, which reads version 1's instances as its own.
#[allow(dead_code)]
mod v2 {
    use turnstile::Workflow;
    #[derive(Workflow, Debug, Default, serde::Serialize, serde::Deserialize)]
    #[workflow(
        file = "tests/versions/ticket_v2.toml",
        previous = "tests/versions/ticket_v1.toml"
    )]
    pub struct Ticket {
        pub subject: String,
    }
}

/// Version 3, which renamed version 2's `expired` to `lapsed`: the
/// rename is the mapping, nothing to decide.
mod v3 {
    use turnstile::Workflow;
    #[derive(Workflow, Debug, Default, serde::Serialize, serde::Deserialize)]
    #[workflow(
        file = "tests/versions/ticket_v3.toml",
        previous = "tests/versions/ticket_v2.toml"
    )]
    pub struct Ticket {
        pub subject: String,
    }
}

/// Version 4, which removed `withdraw` and `withdrawn`: where version 3's
/// instances in `withdrawn` and `open` go is decided here, typed.
mod v4 {
    use std::time::SystemTime;

    use turnstile::Workflow;
    #[derive(Workflow, Debug, Default, serde::Serialize, serde::Deserialize)]
    #[workflow(
        file = "tests/versions/ticket_v4.toml",
        previous = "tests/versions/ticket_v3.toml"
    )]
    pub struct Ticket {
        pub subject: String,
        #[serde(default)]
        pub note: String,
    }

    impl ticket::previous::Migrate for Ticket {
        fn withdrawn(&mut self, _entered_at: SystemTime) -> Result<ticket::previous::To, String> {
            self.note = "withdrawn by the customer before version 4".into();
            Ok(ticket::previous::To::Closed)
        }
        fn open(&mut self, _entered_at: SystemTime) -> Result<ticket::previous::To, String> {
            if self.subject == "refuse me" {
                return Err("the subject asks to be refused".into());
            }
            // A decision that breaks a promise of version 4's properties:
            // the migration refuses it (tests/versions.rs).
            if self.subject == "answer me" {
                return Ok(ticket::previous::To::Answered);
            }
            Ok(ticket::previous::To::Open)
        }
    }
}


/// Version 5, which renamed version 4's `closed` to `shut` and let a
/// customer reopen it: a rename the derive is told of.
#[allow(dead_code)]
mod v5 {
    use turnstile::Workflow;
    #[derive(Workflow, Debug, Default, serde::Serialize, serde::Deserialize)]
    #[workflow(
        file = "tests/versions/ticket_v5.toml",
        previous = "tests/versions/ticket_v4.toml",
        renames = "closed=shut"
    )]
    pub struct Ticket {
        pub subject: String,
        #[serde(default)]
        pub note: String,
    }
}
