//! The orders area's operations.

use crate::orders::ops as orders;
use crate::orders::wire::{OrderCreate, OrderDto, OrderPageDto, OrderQuery, OrderUpdate};

crate::operations! {
    tag "orders";

    /// Orders, newest first: of one merchant, in one status.
    list_orders: Get "/api/orders" query(OrderQuery) -> OrderPageDto
        => blocking |s, c, i| orders::list(s, i.query);

    /// Creates an order (announced as `order_created`).
    create_order: Post "/api/orders" body(OrderCreate) status(201) -> OrderDto
        => blocking |s, c, i| orders::create(s, &c.actor, i.body);

    /// An order with its lines.
    get_order: Get "/api/orders/{id}" path(id) -> OrderDto
        => blocking |s, c, i| orders::get(s, &i.path.id);

    /// Changes an order's status, payment or notes.
    ///
    /// A new status is announced as `order_status_changed`, a payment turning `paid` as
    /// `payment_received`.
    update_order: Patch "/api/orders/{id}" path(id) body(OrderUpdate) -> OrderDto
        => blocking |s, c, i| orders::update(s, &c.actor, &i.path.id, i.body);
}
