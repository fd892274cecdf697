//! [`operations!`](crate::operations): an area's table of operations. One entry per operation:
//!
//! ```text
//! /// Changes an order's status, payment or notes.       <- the doc (first line: the summary)
//! update_order: PATCH "/api/orders/{id}"                 <- name, method, client path
//!     path(id) body(OrderUpdate)                         <- arguments: path(..) query(T) body(T)
//!     -> OrderDto                                        <- the answer: T, [T] (a list) or ()
//!     => blocking |s, c, i| orders::update(s, &c.actor, &i.path.id, i.body);
//! ```
//!
//! How it runs: `blocking` (a closure on a blocking thread behind the store gate, the usual),
//! `future` (an expression that is a future: work that goes through the queue's engine or the
//! network) or `inline` (cheap work with no store call, on the async thread). `s` is the
//! `&Services`, `c` the `&Caller`, `i` the `Input` with `path` (a struct of the named
//! parameters), `query` and `body`. Optional, before `->`: `tag("activity")` (another OpenAPI
//! tag than the table's), `status(201)` (the success status,
//! 200 otherwise; `status(201, 200)` documents another), `status_of(|out| expr)` (chosen per
//! answer), `limit(MediaBase64)` (the body limit).
//!
//! Each entry becomes a module named after the operation holding `Op` (the
//! [`Operation`](crate::api::Operation)) and `Path`; the table also gets `Area`, its
//! [`Surface`](crate::api::Surface).

/// See the [module](crate::api::declare).
#[macro_export]
macro_rules! operations {
    (
        tag $tag:literal;
        $(
            $(#[doc = $doc:literal])*
            $name:ident : $method:ident $path:literal
                $(tag($etag:literal))?
                $(path($($param:ident),+))?
                $(query($query:ty))?
                $(body($body:ty))?
                $(status($status:literal $(, $also:literal)*))?
                $(status_of(|$so:ident| $so_expr:expr))?
                $(limit($limit:ident))?
                -> $out:tt
                => $how:ident |$s:ident, $c:ident, $i:ident| $run:expr;
        )+
    ) => {
        $(
            #[allow(non_snake_case, non_camel_case_types, unused_imports, clippy::all)]
            pub mod $name {
                use super::*;

                /// The path's parameters.
                #[derive(Debug, serde::Deserialize)]
                pub struct Path {
                    $($(pub $param: String,)+)?
                }

                /// The operation.
                #[derive(Debug)]
                pub struct Op;

                impl $crate::api::Operation for Op {
                    const SPEC: $crate::api::Spec = $crate::api::Spec {
                        name: stringify!($name),
                        method: $crate::api::Method::$method,
                        path: $path,
                        tag: $crate::__first!($($etag)?; $tag),
                        doc: concat!($($doc, "\n",)* ""),
                        status: $crate::__first!($($status)?; 200),
                        also: &[$($($also),*)?],
                        path_params: &[$($(stringify!($param)),+)?],
                        has_query: $crate::__has!($($query)?),
                        has_body: $crate::__has!($($body)?),
                        body_limit: $crate::__limit!($($limit)?),
                    };
                    type Path = Path;
                    type Query = $crate::__ty_or!($($query)?; $crate::api::NoQuery);
                    type Body = $crate::__ty_or!($($body)?; $crate::api::NoBody);
                    type Output = $crate::__out_ty!($out);

                    #[allow(unused_variables)]
                    fn run(
                        services: $crate::services::Services,
                        caller: $crate::caller::Caller,
                        input: $crate::api::Input<Self::Path, Self::Query, Self::Body>,
                    ) -> impl ::std::future::Future<
                        Output = ::std::result::Result<Self::Output, $crate::error::CoreError>,
                    > + Send {
                        $crate::__run!($how, services, caller, input, |$s, $c, $i| $run)
                    }

                    #[allow(unused_variables)]
                    fn status(output: &Self::Output) -> u16 {
                        $crate::__status!(output, Self::SPEC.status $(, |$so| $so_expr)?)
                    }

                    fn describe<D: $crate::api::Describe>(describe: &mut D) {
                        $(describe.query::<$query>();)?
                        $(describe.body::<$body>();)?
                        $crate::__describe_out!(describe, $out);
                    }
                }
            }
        )+

        /// This table, as a surface to walk.
        #[derive(Debug)]
        pub struct Area;

        impl $crate::api::Surface for Area {
            fn visit<V: $crate::api::Visitor>(visitor: &mut V) {
                $(visitor.op::<$name::Op>();)+
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __first {
    ($value:literal; $default:literal) => {
        $value
    };
    (; $default:literal) => {
        $default
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __limit {
    ($limit:ident) => {
        $crate::api::BodyLimit::$limit
    };
    () => {
        $crate::api::BodyLimit::Standard
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __has {
    ($ty:ty) => {
        true
    };
    () => {
        false
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __ty_or {
    ($ty:ty; $default:ty) => {
        $ty
    };
    (; $default:ty) => {
        $default
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __out_ty {
    (()) => {
        $crate::api::NoContent
    };
    ([$ty:ty]) => {
        ::std::vec::Vec<$ty>
    };
    ($ty:ty) => {
        $ty
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __describe_out {
    ($describe:ident, ()) => {
        $describe.no_output()
    };
    ($describe:ident, [$ty:ty]) => {
        $describe.output_list::<$ty>()
    };
    ($describe:ident, $ty:ty) => {
        $describe.output::<$ty>()
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __status {
    ($output:ident, $default:expr) => {
        $default
    };
    ($output:ident, $default:expr, |$so:ident| $so_expr:expr) => {{
        let $so = $output;
        $so_expr
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __run {
    (blocking, $services:ident, $caller:ident, $input:ident, |$s:ident, $c:ident, $i:ident| $run:expr) => {
        async move {
            let services = $services.clone();
            services
                .blocking(move |$s| {
                    let $c = &$caller;
                    let $i = $input;
                    $run
                })
                .await
        }
    };
    (future, $services:ident, $caller:ident, $input:ident, |$s:ident, $c:ident, $i:ident| $run:expr) => {
        async move {
            let $s = &$services;
            let $c = &$caller;
            let $i = $input;
            $run.await
        }
    };
    (inline, $services:ident, $caller:ident, $input:ident, |$s:ident, $c:ident, $i:ident| $run:expr) => {
        async move {
            let $s = &$services;
            let $c = &$caller;
            let $i = $input;
            $run
        }
    };
}
