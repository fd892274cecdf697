//! Operations called by name with JSON arguments (`{path, query, body}`) and a JSON answer: the
//! desktop app's commands, all of them through this one dispatcher.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;

use crate::api::{Input, Operation, Surface, Visitor};
use crate::caller::Caller;
use crate::error::CoreError;
use crate::request;
use crate::services::Services;

type Answer = Pin<Box<dyn Future<Output = Result<serde_json::Value, CoreError>> + Send>>;
type Handler = fn(Services, Caller, serde_json::Value) -> Answer;

/// Every operation of a surface, by name.
#[derive(Debug)]
pub struct Dispatcher {
    handlers: HashMap<&'static str, Handler>,
}

impl Dispatcher {
    pub fn new<S: Surface>() -> Dispatcher {
        struct Build(HashMap<&'static str, Handler>);
        impl Visitor for Build {
            fn op<O: Operation>(&mut self) {
                self.0.insert(O::SPEC.name, call::<O>);
            }
        }
        let mut build = Build(HashMap::new());
        S::visit(&mut build);
        Dispatcher { handlers: build.0 }
    }

    /// Whether `name` is an operation.
    pub fn has(&self, name: &str) -> bool {
        self.handlers.contains_key(name)
    }

    /// Runs operation `name` with `args` (`{path?, query?, body?}`); `None` when there is no
    /// such operation.
    pub fn call(
        &self,
        name: &str,
        services: Services,
        caller: Caller,
        args: serde_json::Value,
    ) -> Option<Answer> {
        self.handlers
            .get(name)
            .map(|handler| handler(services, caller, args))
    }
}

/// One part of the arguments (absent: an empty object, which a part with no required fields
/// takes).
fn part<T: DeserializeOwned>(
    args: &mut serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<T, CoreError> {
    let value = args
        .remove(name)
        .filter(|v| !v.is_null())
        .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
    request::from_value(value)
}

fn call<O: Operation>(services: Services, caller: Caller, args: serde_json::Value) -> Answer {
    Box::pin(async move {
        let mut args = match args {
            serde_json::Value::Object(map) => map,
            serde_json::Value::Null => serde_json::Map::new(),
            _ => {
                return Err(CoreError::invalid(
                    "request.invalid_body",
                    "the arguments are an object: {path, query, body}",
                ));
            }
        };
        let path = part::<O::Path>(&mut args, "path").map_err(|e| not_found_path::<O>(e))?;
        let query = part::<O::Query>(&mut args, "query")?;
        let body = part::<O::Body>(&mut args, "body")?;
        let output = O::run(services, caller, Input { path, query, body }).await?;
        serde_json::to_value(output)
            .map_err(|e| CoreError::Internal(format!("an answer could not be written: {e}")))
    })
}

/// A path without its parameters names nothing, as an HTTP path would.
fn not_found_path<O: Operation>(e: CoreError) -> CoreError {
    CoreError::NotFound {
        code: "http.not_found",
        message: format!("{} needs its path parameters: {e}", O::SPEC.path),
    }
}
