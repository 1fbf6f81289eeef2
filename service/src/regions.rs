//! The routes for a workflow with parallel regions (the account as one
//! machine): the same paths, bodies, statuses and codes as every other
//! workflow's, on the store's region instances. What differs is what an
//! instance shows: one state per region.
//!
//! | field | what |
//! |---|---|
//! | `state` | each region's state, in region order, joined by `,` (what listings show and `?state=` filters on) |
//! | `regions` | per region: `region`, `state`, `entered_at` (its own clock) |
//! | `allowed` | what the caller may fire now: the events every region each moves allows, every `when` holding, not automatic, whose roles the caller holds |
//! | `automatic` | the events allowed now that happen by themselves once due |
//! | `next_due` | the earliest automatic timer that can fire: `event`, `due` |
//! | `history` / `steps` | per step: `event`, `at`, `actor`, `role`, `payload`, and `moved`, each region it moved with `from` and `to` |

use super::*;

/// A step of a trail as the service shows it.
fn region_step_json(s: &turnstile_runtime::regions::RegionStep) -> Value {
    json!({
        "event": s.event,
        "at": millis(s.at),
        "actor": s.actor,
        "role": s.role,
        "payload": s.payload,
        "moved": s.moved.iter().map(|m| json!({
            "region": m.region,
            "from": m.from,
            "to": m.to,
        })).collect::<Vec<_>>(),
    })
}

/// An instance with regions as the service shows it, with its whole
/// `history` (`GET`, create) or the step one fire took (`steps`).
fn show<W: Parallel + Serialize>(
    stored: &StoredRegions<W>,
    trail_as: &str,
    caller: &Caller,
) -> Value {
    let c = &stored.current;
    let roles = caller.role_names();
    let states = W::states(c);
    let entered = W::entered_at(c);
    let allowed = W::allowed(c);
    let trail = W::trail(c);
    let shown_trail: Vec<Value> = if trail_as == "steps" {
        trail.last().map(region_step_json).into_iter().collect()
    } else {
        trail.iter().map(region_step_json).collect()
    };
    let mut shown = json!({
        "workflow": W::NAME,
        "id": stored.id,
        "version": stored.version,
        "state": states.join(","),
        "regions": W::REGIONS.iter().zip(&states).zip(&entered).map(|((region, state), at)| json!({
            "region": region,
            "state": state,
            "entered_at": millis(*at),
        })).collect::<Vec<_>>(),
        "allowed": W::allowed_for(c, &caller.actor(&roles)),
        "automatic": allowed.iter().filter(|e| W::AUTOMATIC.contains(e)).collect::<Vec<_>>(),
        "next_due": W::next_due(c).map(|(event, due)| json!({ "event": event, "due": millis(due) })),
        "data": W::data(c),
    });
    shown[trail_as] = Value::Array(shown_trail);
    shown
}

/// `POST /{workflow}` for a workflow with regions: every region in its
/// initial state at `at`.
pub(crate) async fn create_in<W: Parallel + Serialize + DeserializeOwned>(
    store: &Store,
    caller: &Caller,
    bytes: &Bytes,
    key: Option<&str>,
) -> Response {
    let request: Create<W> = match body(bytes) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    if let Err(response) = new_id(&request.id) {
        return *response;
    }
    let owner = match owner_for(request.owner, caller) {
        Ok(owner) => owner,
        Err(response) => return *response,
    };
    let current = W::start(request.data, instant(request.at));
    let Some(key) = key else {
        return match store
            .create_regions_owned::<W>(&request.id, current, &owner)
            .await
        {
            Ok(stored) => {
                (StatusCode::CREATED, Json(show(&stored, "history", caller))).into_response()
            }
            Err(e) => store_error(e),
        };
    };
    match store
        .create_regions_keyed::<W>(&request.id, current, Some(&owner), key)
        .await
    {
        Ok(KeyedRegions::Fired(stored)) => {
            (StatusCode::CREATED, Json(show(&stored, "history", caller))).into_response()
        }
        Ok(KeyedRegions::Replayed(_)) => match store.owner::<W>(&request.id).await {
            Ok(owner) if caller.may_use(owner.as_deref()) => {
                match store.load_regions::<W>(&request.id).await {
                    Ok(stored) => (
                        StatusCode::CREATED,
                        [("idempotency-replayed", "true")],
                        Json(show(&stored, "history", caller)),
                    )
                        .into_response(),
                    Err(e) => store_error(e),
                }
            }
            Ok(_) => store_error(StoreError::Exists {
                workflow: W::NAME,
                id: request.id.clone(),
            }),
            Err(e) => store_error(e),
        },
        Err(e) => store_error(e),
    }
}

/// `GET /{workflow}/{id}` for a workflow with regions.
pub(crate) async fn show_in<W: Parallel + Serialize + DeserializeOwned>(
    store: &Store,
    caller: &Caller,
    id: &str,
) -> Response {
    match store.owner::<W>(id).await {
        Ok(owner) if !caller.may_use(owner.as_deref()) => store_error(StoreError::NotFound {
            workflow: W::NAME,
            id: id.to_string(),
        }),
        Ok(_) => match store.load_regions::<W>(id).await {
            Ok(stored) => Json(show(&stored, "history", caller)).into_response(),
            Err(e) => store_error(e),
        },
        Err(e) => store_error(e),
    }
}

/// `POST /{workflow}/{id}/events` for a workflow with regions.
pub(crate) async fn fire_in<W: Parallel + Serialize + DeserializeOwned>(
    store: &Store,
    caller: &Caller,
    id: &str,
    bytes: &Bytes,
    key: Option<&str>,
) -> Response {
    let request: Fire = match body(bytes) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    let roles = caller.role_names();
    let payload = request.payload.as_ref().map(Value::to_string);
    let mut fire = FireRequest::new(&request.event, caller.actor(&roles), instant(request.at))
        .payload(payload.as_deref());
    if !caller.all_instances {
        fire = fire.owner(&caller.id);
    }
    if let Some(version) = request.version {
        fire = fire.version(version);
    }
    if let Some(key) = key {
        fire = fire.key(key);
    }
    match store.submit_regions::<W>(id, &fire).await {
        Ok(KeyedRegions::Fired(stored)) => Json(show(&stored, "steps", caller)).into_response(),
        Ok(KeyedRegions::Replayed(recorded)) => replay::<W>(store, id, recorded).await,
        Err(e) => store_error(e),
    }
}
