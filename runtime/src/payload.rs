//! What an event brings, by name: a definition's `payload = "Type"` makes
//! the event's typed method take a `Type`; by name
//! ([`Instance::fire_with`](crate::Instance::fire_with), the generated
//! `Current::fire_with`) it arrives as text and is read with [`Payload`].

/// A type an event may bring by name: read from the text a caller sent,
/// and written into the audit trail. With the `serde` feature every type
/// that is `Serialize` and `DeserializeOwned` is one, as JSON; without it,
/// implement it yourself.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be brought by name as an event's payload",
    note = "enable turnstile's `serde` feature and derive `Serialize` and `Deserialize` for it, or implement `turnstile::Payload`"
)]
pub trait Payload: Sized {
    /// Reads the payload from `text`, or says what is wrong with it.
    fn decode(text: &str) -> Result<Self, String>;
    /// The payload as text, for the audit trail.
    fn encode(&self) -> String;
}

// Not recommended: a type without serde's traits then gets one error,
// `Payload` not implemented with the note above, instead of two about
// `Serialize` and `Deserialize` listing serde's impls.
#[cfg(feature = "serde")]
#[diagnostic::do_not_recommend]
impl<T: serde::Serialize + serde::de::DeserializeOwned> Payload for T {
    fn decode(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
    fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("unwritable: {e}"))
    }
}

/// What the trail records of a payload: its text, or for a sensitive one
/// `sha256:` and the hex SHA-256 digest of its text (which proves a
/// presented payload was the one, without keeping it).
///
/// The text is the payload's canonical form, [`Payload::encode`] of the
/// value that was read, not the bytes a caller sent: with serde, compact
/// JSON with the type's fields in their declared order. So `{ "a" : 1 }`
/// and `{"a":1}` are recorded alike, and a field the type does not have is
/// not recorded (serde drops it on reading, unless the type says
/// `#[serde(deny_unknown_fields)]`, which refuses it with
/// `Why::BadPayload`). [`trail_record`] gives the record of a text.
pub fn recorded(text: String, sensitive: bool) -> String {
    if !sensitive {
        return text;
    }
    let mut out = String::from("sha256:");
    for byte in sha256(text.as_bytes()) {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// What the trail records when `text` is given as a payload of type `T`
/// (sensitive or not): the canonical text, or its digest, exactly as the
/// step's `payload` holds it; or why `text` does not read as a `T`. This is
/// how a holder of a payload proves it was the one a sensitive step
/// recorded: compare `trail_record::<T>(presented, true)` with the step.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Materials { methods_passed: u8 }
/// use turnstile_runtime::payload::trail_record;
/// let spaced = trail_record::<Materials>("{ \"methods_passed\" : 2 }", false).unwrap();
/// assert_eq!(spaced, "{\"methods_passed\":2}");
/// assert_eq!(
///     trail_record::<Materials>("{\"methods_passed\":2}", true),
///     trail_record::<Materials>("{ \"methods_passed\": 2, \"extra\": 1 }", true),
/// );
/// # }
/// ```
pub fn trail_record<T: Payload>(text: &str, sensitive: bool) -> Result<String, String> {
    Ok(recorded(T::decode(text)?.encode(), sensitive))
}

/// SHA-256 (FIPS 180-4), written here rather than taken from a crate: a
/// hashing crate in the runtime's dependencies would put its traits
/// (`Digest`, `KeyInit`, …) into the "traits that define an item `new`"
/// notes of every user's compiler errors. Tested against the standard's
/// vectors here and against the `sha2` crate in `tests/payloads.rs`.
fn sha256(message: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    // The message, a 1 bit, zeros, and its length in bits: whole blocks.
    let mut padded = message.to_vec();
    padded.push(0x80);
    while padded.len() % 64 != 56 {
        padded.push(0);
    }
    padded.extend_from_slice(&((message.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in padded.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// The refusal of a payload given to an event, allowed from the state at
/// `state`, that brings none.
pub fn unexpected<W: crate::Workflow>(state: usize, event: &str) -> crate::Why {
    crate::Why::BadPayload {
        workflow: W::NAME,
        event: crate::roles::event_name::<W>(event),
        state: W::STATES[state],
        expected: None,
        problem: "one was given".to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_matches_the_standards_vectors() {
        let hex = |text: &str| super::recorded(text.to_string(), true);
        // FIPS 180-4 examples, and the empty message.
        assert_eq!(
            hex(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        // A million `a`s: many blocks.
        assert_eq!(
            hex(&"a".repeat(1_000_000)),
            "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
        assert_eq!(super::recorded("{}".into(), false), "{}");
    }
}
