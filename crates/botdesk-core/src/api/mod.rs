//! The API surface, declared once. Each area lists its operations in its `api.rs` with
//! [`operations!`](crate::operations) (name, method and path, arguments, result, how it runs);
//! everything else is produced from that table: the HTTP routes and their OpenAPI entries
//! (`botdesk-server`), the desktop commands (one dispatcher, [`dispatch`]), and the UI's typed
//! map of calls (`ui/src/bindings/commands.ts`, [`typescript`]). The table's walk is
//! [`crate::surface`]; this module holds only the machinery, and names no area.
//!
//! An operation's arguments come in three parts, as HTTP carries them: the path's parameters
//! (always text), the query (a flat struct) and the JSON body. Over IPC the same parts travel as
//! `{path, query, body}`.

pub mod declare;
pub mod dispatch;
pub mod openapi;
pub mod typescript;

use std::future::Future;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};

use crate::caller::Caller;
use crate::error::CoreError;
use crate::services::Services;

/// An HTTP method the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    /// `GET`, `POST` …
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Which body limit a route has: the server's `max_body_bytes`, or room for a file as base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLimit {
    Standard,
    MediaBase64,
}

/// What an operation is, apart from its types.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The desktop command, the OpenAPI `operationId` and the UI's key: unique, snake_case.
    pub name: &'static str,
    pub method: Method,
    /// The client's path, with `{param}` for each path parameter: `/api/orders/{id}`.
    pub path: &'static str,
    /// The OpenAPI tag (the area).
    pub tag: &'static str,
    /// Its doc comment: the first line is the summary.
    pub doc: &'static str,
    /// The status of a success (some operations choose another per answer: see
    /// [`Operation::status`]).
    pub status: u16,
    /// Other statuses a success may have (documented beside `status`).
    pub also: &'static [u16],
    /// The path's parameters, in order.
    pub path_params: &'static [&'static str],
    pub has_query: bool,
    pub has_body: bool,
    pub body_limit: BodyLimit,
}

/// An operation's arguments.
#[derive(Debug)]
pub struct Input<P, Q, B> {
    pub path: P,
    pub query: Q,
    pub body: B,
}

/// The query of an operation that takes none (any query string is ignored).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NoQuery {}

/// The body of an operation that takes none (a body sent is not read).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NoBody {}

/// The answer of an operation that has none to give (HTTP 204).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct NoContent;

/// One operation of the table. Implemented by [`operations!`](crate::operations), never by hand.
pub trait Operation: 'static {
    const SPEC: Spec;
    /// The path's parameters by name (all text).
    type Path: DeserializeOwned + Send + 'static;
    type Query: DeserializeOwned + Send + 'static;
    type Body: DeserializeOwned + Send + 'static;
    type Output: Serialize + Send + 'static;

    /// Runs the operation for `caller`.
    fn run(
        services: Services,
        caller: Caller,
        input: Input<Self::Path, Self::Query, Self::Body>,
    ) -> impl Future<Output = Result<Self::Output, CoreError>> + Send;

    /// The status of this success (`SPEC.status` unless the operation says otherwise).
    fn status(output: &Self::Output) -> u16;

    /// Tells `describe` the operation's types (for the OpenAPI document and the TypeScript
    /// map).
    fn describe<D: Describe>(describe: &mut D);
}

/// What learns an operation's types: the OpenAPI and TypeScript builders.
pub trait Describe {
    fn query<Q: IntoParams + TS + 'static>(&mut self);
    fn body<B: ToSchema + TS + 'static>(&mut self);
    /// The answer is one `T`.
    fn output<T: ToSchema + TS + 'static>(&mut self);
    /// The answer is a list of `T`.
    fn output_list<T: ToSchema + TS + 'static>(&mut self);
    /// There is no answer (204).
    fn no_output(&mut self);
}

/// What walks the table: one call per operation.
pub trait Visitor {
    fn op<O: Operation>(&mut self);
}

/// A walk of a table of operations (the whole surface, or one area's).
pub trait Surface {
    fn visit<V: Visitor>(visitor: &mut V);
}

/// The operations' specs, in table order.
pub fn specs<S: Surface>() -> Vec<Spec> {
    struct Collect(Vec<Spec>);
    impl Visitor for Collect {
        fn op<O: Operation>(&mut self) {
            self.0.push(O::SPEC);
        }
    }
    let mut collect = Collect(Vec::new());
    S::visit(&mut collect);
    collect.0
}

/// The path's parameters named in `path` (`/a/{id}/{action}` → `id`, `action`).
pub fn params_of(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_read_from_the_template() {
        assert_eq!(params_of("/api/orders"), Vec::<&str>::new());
        assert_eq!(
            params_of("/api/queues/{name}/jobs/{id}/{action}"),
            ["name", "id", "action"]
        );
    }
}
