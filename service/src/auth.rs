//! Who is calling: bearer tokens, checked before any route but
//! `GET /health`.
//!
//! A token is a JWT signed with HMAC-SHA256 under the operator's secret
//! (`TURNSTILE_JWT_SECRET`, or the file `--jwt-secret-file` names, at
//! least 32 bytes). Its claims: `sub`, the caller's id, recorded as the
//! actor of each step and as the owner of each instance the caller
//! creates; `roles`, the roles the caller holds; `exp`, when it expires
//! (seconds since 1970). `account_service token --sub alice --roles
//! customer` mints one with the same secret.
//!
//! The signature is checked by `jsonwebtoken` (constant-time comparison);
//! only HS256 is accepted, and `exp` is required. A token is never logged
//! nor echoed: a refusal says only what was wrong with it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use turnstile_runtime::Actor;

/// The shortest secret accepted, in bytes (HS256's key is 256 bits).
pub const MIN_SECRET: usize = 32;

/// A token's claims.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The caller's id.
    pub sub: String,
    /// The roles the caller holds.
    #[serde(default)]
    pub roles: Vec<String>,
    /// When the token expires, in seconds since 1970.
    pub exp: u64,
}

/// The keys made from the operator's secret.
#[derive(Clone)]
pub struct Keys {
    decoding: DecodingKey,
    encoding: EncodingKey,
    validation: Validation,
}

impl Keys {
    /// The keys of `secret`, refused if shorter than [`MIN_SECRET`].
    pub fn new(secret: &[u8]) -> Result<Keys, String> {
        if secret.len() < MIN_SECRET {
            return Err(format!(
                "the token secret is {} bytes: at least {MIN_SECRET} bytes are needed",
                secret.len()
            ));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = 0;
        Ok(Keys {
            decoding: DecodingKey::from_secret(secret).map_err(|e| e.to_string())?,
            encoding: EncodingKey::from_secret(secret).map_err(|e| e.to_string())?,
            validation,
        })
    }

    /// A token for `sub` holding `roles`, valid for `ttl`.
    pub fn mint(&self, sub: &str, roles: &[String], ttl: Duration) -> Result<String, String> {
        let exp = (SystemTime::now() + ttl)
            .duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let claims = Claims {
            sub: sub.to_string(),
            roles: roles.to_vec(),
            exp,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's `sub`.
    pub id: String,
    /// The token's `roles`.
    pub roles: Vec<String>,
    /// Whether the caller acts on every instance (it holds one of the
    /// roles the operator trusts with all: `staff` and `system` unless
    /// `--all-instances-roles` says otherwise), not only those it owns.
    pub all_instances: bool,
}

impl Caller {
    /// The roles, as the runtime's [`Actor`] borrows them.
    pub fn role_names(&self) -> Vec<&str> {
        self.roles.iter().map(String::as_str).collect()
    }

    /// The actor of the caller's steps, holding `roles` (from
    /// [`Caller::role_names`]).
    pub fn actor<'a>(&'a self, roles: &'a [&'a str]) -> Actor<'a> {
        Actor::new(&self.id).with_roles(roles)
    }

    /// Whether the caller may see and act on an instance owned by `owner`.
    pub fn may_use(&self, owner: Option<&str>) -> bool {
        self.all_instances || owner == Some(self.id.as_str())
    }
}

/// What the middleware needs: the keys, and the roles trusted with every
/// instance.
#[derive(Clone)]
pub struct Gate {
    pub keys: Keys,
    pub all_instances_roles: Vec<String>,
}

/// 401, saying why. The request's body is not read; `Connection: close`
/// tells the client not to send its next request on this connection,
/// which the server closes rather than read a body nobody asked for.
fn unauthorized(message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [
            (header::WWW_AUTHENTICATE, "Bearer"),
            (header::CONNECTION, "close"),
        ],
        axum::Json(serde_json::json!({ "error": "unauthorized", "message": message })),
    )
        .into_response()
}

/// Checks the request's `Authorization: Bearer <token>` and hands the
/// [`Caller`] to the route; 401 `unauthorized` without a valid token.
pub async fn authenticate(State(gate): State<Gate>, mut request: Request, next: Next) -> Response {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return unauthorized("no credentials: send `Authorization: Bearer <token>`");
    };
    let Some(token) = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
    else {
        return unauthorized("the Authorization header is not `Bearer <token>`");
    };
    let claims =
        match jsonwebtoken::decode::<Claims>(token, &gate.keys.decoding, &gate.keys.validation) {
            Ok(data) => data.claims,
            Err(e) => {
                use jsonwebtoken::errors::ErrorKind;
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired",
                    ErrorKind::InvalidSignature => "the token's signature does not match",
                    ErrorKind::InvalidAlgorithm => "the token is not signed with HS256",
                    ErrorKind::MissingRequiredClaim(_) => "the token lacks `sub` or `exp`",
                    _ => "the token is malformed",
                };
                return unauthorized(why);
            }
        };
    if claims.sub.is_empty() {
        return unauthorized("the token's `sub` is empty");
    }
    // A name the store would refuse (its one rule for text, on both
    // databases) is refused here, as a bad token, not as a bad request.
    let names = std::iter::once(("the token's `sub`", claims.sub.as_str())).chain(
        claims
            .roles
            .iter()
            .map(|r| ("a role of the token", r.as_str())),
    );
    for (field, name) in names {
        if let Err(e) = turnstile_store::check_name(field, name) {
            return unauthorized(&e.to_string());
        }
    }
    let all_instances = claims
        .roles
        .iter()
        .any(|r| gate.all_instances_roles.contains(r));
    request.extensions_mut().insert(Caller {
        id: claims.sub,
        roles: claims.roles,
        all_instances,
    });
    next.run(request).await
}
