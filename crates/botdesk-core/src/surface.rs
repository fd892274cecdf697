//! The whole API surface: every area's table of operations, walked in one order. The shells
//! build their routes, commands and documents from this walk; nothing in the areas imports it.

use crate::api::dispatch::Dispatcher;
use crate::api::{Spec, Surface, Visitor};

/// Every operation of every area.
#[derive(Debug)]
pub struct Api;

impl Surface for Api {
    fn visit<V: Visitor>(visitor: &mut V) {
        crate::system::api::Area::visit(visitor);
        crate::templates::api::Area::visit(visitor);
        crate::queues::api::Area::visit(visitor);
        crate::media::api::Area::visit(visitor);
        crate::catalog::api::Area::visit(visitor);
        crate::orders::api::Area::visit(visitor);
        crate::webhooks::api::Area::visit(visitor);
        crate::sync::api::Area::visit(visitor);
    }
}

/// Every operation by name, for the desktop app's commands.
pub fn dispatcher() -> Dispatcher {
    Dispatcher::new::<Api>()
}

/// Every operation's spec, in table order.
pub fn specs() -> Vec<Spec> {
    crate::api::specs::<Api>()
}

/// The paths of every operation, and the schemas they name, for the OpenAPI document.
pub fn openapi() -> (utoipa::openapi::Paths, utoipa::openapi::Components) {
    crate::api::openapi::paths::<Api>()
}
