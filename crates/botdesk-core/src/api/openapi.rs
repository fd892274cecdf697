//! The OpenAPI entries of a surface's operations, built from the table: one operation per
//! entry with a unique `operationId` (the operation's name), its path parameters declared,
//! its query parameters in the query, its JSON body and answer by reference to their schemas,
//! and every error as the one error body.

use std::collections::BTreeMap;

use ts_rs::TS;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, Parameter, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, Object, Type};
use utoipa::openapi::{
    Components, ContentBuilder, Paths, Ref, RefOr, Required, ResponseBuilder, Schema,
};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::api::{Describe, Method, Operation, Surface, Visitor};
use crate::error::ErrorBodyDto;

/// The paths of `S`'s operations and the schemas they name.
pub fn paths<S: Surface>() -> (Paths, Components) {
    let mut build = Build {
        paths: Paths::new(),
        schemas: BTreeMap::new(),
    };
    build.add::<ErrorBodyDto>();
    S::visit(&mut build);
    let mut components = Components::new();
    components.schemas = build.schemas;
    (build.paths, components)
}

struct Build {
    paths: Paths,
    schemas: BTreeMap<String, RefOr<Schema>>,
}

impl Build {
    /// A named type's schema and those it names, kept as components; its reference.
    fn add<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let mut named = Vec::new();
        T::schemas(&mut named);
        named.push((T::name().into_owned(), T::schema()));
        for (name, schema) in named {
            self.schemas.entry(name).or_insert(schema);
        }
        RefOr::Ref(Ref::from_schema_name(T::name()))
    }
}

/// What one operation's types contribute.
#[derive(Default)]
struct Types {
    query: Vec<Parameter>,
    body: Option<RefOr<Schema>>,
    output: Option<RefOr<Schema>>,
}

struct Describing<'a> {
    build: &'a mut Build,
    types: Types,
}

impl Describe for Describing<'_> {
    fn query<Q: IntoParams + TS + 'static>(&mut self) {
        self.types.query = Q::into_params(|| Some(ParameterIn::Query));
        for p in &mut self.types.query {
            // Whatever the derive said: these travel in the query string.
            p.parameter_in = ParameterIn::Query;
        }
    }

    fn body<B: ToSchema + TS + 'static>(&mut self) {
        self.types.body = Some(self.build.add::<B>());
    }

    fn output<T: ToSchema + TS + 'static>(&mut self) {
        self.types.output = Some(self.build.add::<T>());
    }

    fn output_list<T: ToSchema + TS + 'static>(&mut self) {
        let item = self.build.add::<T>();
        self.types.output = Some(ArrayBuilder::new().items(item).into());
    }

    fn no_output(&mut self) {}
}

fn method(m: Method) -> HttpMethod {
    match m {
        Method::Get => HttpMethod::Get,
        Method::Post => HttpMethod::Post,
        Method::Put => HttpMethod::Put,
        Method::Patch => HttpMethod::Patch,
        Method::Delete => HttpMethod::Delete,
    }
}

/// A doc comment's summary (its first sentence-line) and the rest.
pub fn summary_and_description(doc: &str) -> (Option<String>, Option<String>) {
    let text = doc.trim();
    if text.is_empty() {
        return (None, None);
    }
    let mut lines = text.splitn(2, "\n\n");
    let summary = lines
        .next()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
    let description = lines
        .next()
        .map(|rest| rest.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|d| !d.is_empty());
    (summary, description)
}

impl Visitor for Build {
    fn op<O: Operation>(&mut self) {
        let spec = O::SPEC;
        let mut describing = Describing {
            build: self,
            types: Types::default(),
        };
        O::describe(&mut describing);
        let Types {
            query,
            body,
            output,
        } = describing.types;
        let (summary, description) = summary_and_description(spec.doc);
        let mut operation = OperationBuilder::new()
            .operation_id(Some(spec.name))
            .tag(spec.tag)
            .summary(summary)
            .description(description);
        for name in spec.path_params {
            operation = operation.parameter(
                ParameterBuilder::new()
                    .name(*name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(Object::with_type(Type::String))),
            );
        }
        for parameter in query {
            operation = operation.parameter(parameter);
        }
        if let Some(body) = body {
            operation = operation.request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(body)).build(),
                    )
                    .build(),
            ));
        }
        let success = match output {
            Some(schema) => ResponseBuilder::new().description("Success").content(
                "application/json",
                ContentBuilder::new().schema(Some(schema)).build(),
            ),
            None => ResponseBuilder::new().description("Done; no content"),
        };
        let success = success.build();
        for also in spec.also {
            operation = operation.response(also.to_string(), success.clone());
        }
        operation = operation
            .response(spec.status.to_string(), success)
            .response(
            "default",
            ResponseBuilder::new()
                .description(
                    "An error, with its stable code (`{\"error\": {\"code\", \"message\", …}}`)",
                )
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(RefOr::Ref(Ref::from_schema_name(
                            <ErrorBodyDto as ToSchema>::name(),
                        ))))
                        .build(),
                )
                .build(),
        );
        self.paths
            .add_path_operation(spec.path, vec![method(spec.method)], operation.build());
    }
}

/// The schema of a plain string (path parameters), for callers that add routes by hand.
pub fn string_schema() -> RefOr<Schema> {
    String::schema()
}
