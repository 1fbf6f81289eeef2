//! What a route takes from a request, each written once as an extractor
//! whose refusal is the service's JSON error: the authenticated caller,
//! the idempotency key, and the body (already read within the limits by
//! `read_body`, so here it is only taken).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth::Caller;
use crate::error;

/// The caller `auth::authenticate` verified: every route behind the gate
/// takes it. (A route outside the gate asking for it is a bug: 500.)
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            crate::internal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "a route behind the token gate ran without a caller".to_string(),
            )
        })
    }
}

/// The request's `Idempotency-Key`, if it sent one: 1 to 255 visible
/// ASCII characters, or a 400.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get("idempotency-key").map(|v| v.to_str()) {
            None => Ok(IdempotencyKey(None)),
            Some(Ok(key)) if !key.is_empty() && key.len() <= 255 => {
                Ok(IdempotencyKey(Some(key.to_string())))
            }
            Some(_) => Err(error(
                StatusCode::BAD_REQUEST,
                "malformed_request",
                "`Idempotency-Key` must be 1 to 255 visible ASCII characters",
            )),
        }
    }
}

/// The request's body, as `read_body` read it within the service's limits:
/// that layer is the one owner of the size and time limits (413, 408), so
/// the body here is already in memory; a failure to take it is refused in
/// the same words.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(Body(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(crate::body_too_large())
            }
            Err(rejection) => Err(error(
                rejection.status(),
                "malformed_request",
                rejection.body_text(),
            )),
        }
    }
}
