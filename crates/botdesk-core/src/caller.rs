//! Who acts: the caller of an operation (whose writes are audited as its actor), and the actor
//! of a job's writes.

use botdesk_queue::JobContext;
use botdesk_store::Actor;

/// Who calls an operation, as the shell established it: `desktop:<os user>` in the app,
/// `api_key:<id>` or `local` over HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub actor: Actor,
}

impl Caller {
    pub fn new(actor: Actor) -> Caller {
        Caller { actor }
    }
}

/// `job:<queue>/<id>`: the actor of everything a job attempt writes.
pub(crate) fn job_actor(cx: &JobContext) -> Actor {
    Actor::Job {
        queue: cx.queue.as_str().to_owned(),
        id: cx.id.to_string(),
    }
}
