//! Orders as the owner sees and changes them in the app: listed newest first, created by hand,
//! their status and payment moved on. Each change is announced to the merchant's webhooks in
//! the transaction that makes it (`order_created`, `order_status_changed`, `payment_received`),
//! so a change can never commit without its event, nor an event without its change.

use botdesk_store::tables::merchants::Merchant;
use botdesk_store::tables::order_items::{self, OrderItem};
use botdesk_store::tables::orders::{Order, OrderStatus, PaymentStatus};
use botdesk_store::tables::products::Product;
use botdesk_store::{Actor, Filter, Id, PageRequest, Stored, Tx};
use botdesk_webhooks::EventType;

use crate::error::CoreError;
use crate::events::Event;
use crate::ids::{id_or_not_found, not_found};
use crate::orders::phone::whatsapp_number;
use crate::orders::wire::{
    OrderCreate, OrderDto, OrderItemDto, OrderPageDto, OrderQuery, OrderUpdate,
};
use crate::services::Services;
use crate::webhooks::events::{self as webhooks, Recorded};

/// The most lines one order may have.
const MAX_ITEMS: usize = 200;

fn parse_id(text: &str, code: &'static str, field: &str) -> Result<Id, CoreError> {
    text.trim()
        .parse::<Id>()
        .map_err(|_| CoreError::invalid_field(code, field, format!("{text:?} is not an id")))
}

fn order_id(text: &str) -> Result<Id, CoreError> {
    id_or_not_found(text, "order.not_found")
}

/// The live order `id`, or `order.not_found`.
fn live_order(
    conn: &botdesk_store::rusqlite::Connection,
    id: Id,
) -> Result<Stored<Order>, CoreError> {
    botdesk_store::find::<Order>(conn, id)?
        .filter(|r| !r.is_deleted())
        .ok_or_else(|| not_found("order.not_found", "order", id))
}

fn dto(row: &Stored<Order>, items: &[Stored<OrderItem>]) -> OrderDto {
    let o = &row.data;
    OrderDto {
        id: row.meta.id.to_string(),
        merchant_id: o.merchant_id.map(|m| m.to_string()),
        order_number: o.order_number.clone(),
        customer_phone: o.customer_phone.clone(),
        customer_name: o.customer_name.clone(),
        status: o.status,
        payment_status: o.payment_status,
        total_minor: o.total_minor,
        currency: o.currency.clone(),
        notes: o.notes.clone(),
        items: items
            .iter()
            .map(|i| OrderItemDto {
                product_id: i.data.product_id.map(|p| p.to_string()),
                name: i.data.name.clone(),
                quantity: i.data.quantity,
                unit_price_minor: i.data.unit_price_minor,
            })
            .collect(),
        created_at: row.meta.created_at.to_string(),
        updated_at: row.meta.updated_at.to_string(),
    }
}

fn load(conn: &botdesk_store::rusqlite::Connection, id: Id) -> Result<OrderDto, CoreError> {
    let row = live_order(conn, id)?;
    let items = order_items::for_order(conn, id)?;
    Ok(dto(&row, &items))
}

pub fn get(ctx: &Services, id: &str) -> Result<OrderDto, CoreError> {
    let id = order_id(id)?;
    ctx.store().read(|c| load(c, id))
}

pub fn list(ctx: &Services, query: OrderQuery) -> Result<OrderPageDto, CoreError> {
    let mut filter = Filter::live();
    if let Some(m) = query
        .merchant_id
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        filter = filter.eq(
            "merchant_id",
            parse_id(m, "request.invalid_filter", "merchant_id")?.to_string(),
        );
    }
    if let Some(s) = query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let status = s.parse::<OrderStatus>().map_err(|e| {
            CoreError::invalid_field("request.invalid_filter", "status", e.to_string())
        })?;
        filter = filter.eq("status", status);
    }
    let request = PageRequest {
        cursor: query.cursor.filter(|c| !c.is_empty()),
        ..PageRequest::first(query.limit.unwrap_or(50))
    };
    ctx.store().read(|c| {
        let page = botdesk_store::list::<Order>(c, &filter, &request)?;
        let mut items = Vec::with_capacity(page.items.len());
        for row in &page.items {
            items.push(dto(row, &order_items::for_order(c, row.meta.id)?));
        }
        Ok(OrderPageDto {
            items,
            next_cursor: page.next_cursor,
        })
    })
}

fn check_text(
    value: Option<&str>,
    max: usize,
    code: &'static str,
    field: &str,
) -> Result<Option<String>, CoreError> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > max {
        return Err(CoreError::invalid_field(
            code,
            field,
            format!("{field} is at most {max} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(CoreError::invalid_field(
            code,
            field,
            format!("{field} may not hold control characters"),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// An order line that passed its checks.
struct Line {
    product: Option<Id>,
    name: String,
    quantity: i64,
    unit_price_minor: i64,
}

fn check_items(items: &[OrderItemDto]) -> Result<Vec<Line>, CoreError> {
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(CoreError::invalid_field(
            "order.invalid_items",
            "items",
            format!("an order has 1 to {MAX_ITEMS} lines"),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let field = |f: &str| format!("items[{n}].{f}");
            let name = check_text(Some(&item.name), 300, "order.invalid_items", &field("name"))?
                .ok_or_else(|| {
                    CoreError::invalid_field(
                        "order.invalid_items",
                        field("name"),
                        "a line needs a name",
                    )
                })?;
            if !(1..=1_000_000).contains(&item.quantity) {
                return Err(CoreError::invalid_field(
                    "order.invalid_items",
                    field("quantity"),
                    "a quantity is a whole number from 1 to 1,000,000",
                ));
            }
            if !(0..=1_000_000_000_000).contains(&item.unit_price_minor) {
                return Err(CoreError::invalid_field(
                    "order.invalid_items",
                    field("unit_price_minor"),
                    "a price is a whole number of cents from 0 to 10,000,000,000.00",
                ));
            }
            let product = match item
                .product_id
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                Some(p) => Some(parse_id(p, "order.unknown_product", &field("product_id"))?),
                None => None,
            };
            Ok(Line {
                product,
                name,
                quantity: item.quantity,
                unit_price_minor: item.unit_price_minor,
            })
        })
        .collect()
}

fn check_currency(value: Option<&str>) -> Result<String, CoreError> {
    let currency = value
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or("USD");
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(CoreError::invalid_field(
            "order.invalid_currency",
            "currency",
            format!("a currency is three capital letters (ISO 4217), not {currency:?}"),
        ));
    }
    Ok(currency.to_owned())
}

/// `ORD-` and eight letters and digits from the id's random part (Crockford's alphabet: no
/// I, L, O or U to misread over the phone).
fn generated_number(id: &Id) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let hex: String = id
        .to_string()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    let tail = &hex[hex.len().saturating_sub(10)..];
    let mut bits = u64::from_str_radix(tail, 16).unwrap_or_default();
    let mut code = [0u8; 8];
    for slot in code.iter_mut().rev() {
        *slot = ALPHABET[(bits & 31) as usize];
        bits >>= 5;
    }
    format!("ORD-{}", String::from_utf8_lossy(&code))
}

/// The event payloads carry amounts in major units, as the original design's examples do.
fn amount(minor: i64) -> serde_json::Value {
    serde_json::json!(minor as f64 / 100.0)
}

pub fn create(ctx: &Services, actor: &Actor, request: OrderCreate) -> Result<OrderDto, CoreError> {
    let lines = check_items(&request.items)?;
    let currency = check_currency(request.currency.as_deref())?;
    let phone = check_text(
        request.customer_phone.as_deref(),
        32,
        "order.invalid_customer",
        "customer_phone",
    )?
    .map(|typed| whatsapp_number(&typed))
    .transpose()
    .map_err(|e| CoreError::invalid_field("order.invalid_phone", "customer_phone", e.0))?;
    let name = check_text(
        request.customer_name.as_deref(),
        200,
        "order.invalid_customer",
        "customer_name",
    )?;
    let notes = check_text(
        request.notes.as_deref(),
        2000,
        "order.invalid_notes",
        "notes",
    )?;
    let number = check_text(
        request.order_number.as_deref(),
        64,
        "order.invalid_number",
        "order_number",
    )?;
    let merchant = match request
        .merchant_id
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(m) => Some(parse_id(m, "order.unknown_merchant", "merchant_id")?),
        None => None,
    };
    let total: i64 = lines
        .iter()
        .map(|l| l.quantity.saturating_mul(l.unit_price_minor))
        .fold(0i64, i64::saturating_add);
    let (order, recorded) = ctx.store().with_tx(actor, |tx| -> Result<_, CoreError> {
        if let Some(m) = merchant
            && botdesk_store::find::<Merchant>(tx, m)?.is_none_or(|r| r.is_deleted())
        {
            return Err(CoreError::invalid_field(
                "order.unknown_merchant",
                "merchant_id",
                format!("no merchant {m}"),
            ));
        }
        for (n, line) in lines.iter().enumerate() {
            if let Some(p) = &line.product
                && botdesk_store::find::<Product>(tx, *p)?.is_none_or(|r| r.is_deleted())
            {
                return Err(CoreError::invalid_field(
                    "order.unknown_product",
                    format!("items[{n}].product_id"),
                    format!("no product {p}"),
                ));
            }
        }
        // A number botdesk makes is random, not time-based (the id's first digits are its
        // clock: two orders in the same minute shared them); one that is taken already is
        // drawn again. A number the caller gives is theirs: taken, it is refused.
        let mut tries = 0;
        let (id, row) = loop {
            let id = tx.new_id();
            let order_number = number.clone().unwrap_or_else(|| generated_number(&id));
            let inserted = botdesk_store::insert_with_id(
                tx,
                id,
                Order {
                    merchant_id: merchant,
                    order_number: order_number.clone(),
                    customer_phone: phone.clone(),
                    customer_name: name.clone(),
                    status: OrderStatus::Pending,
                    payment_status: PaymentStatus::Unpaid,
                    total_minor: total,
                    currency: currency.clone(),
                    notes: notes.clone().unwrap_or_default(),
                },
            );
            match inserted {
                Ok(row) => break (id, row),
                Err(e) if e.code() == "store.duplicate" && number.is_none() && tries < 5 => {
                    tries += 1;
                }
                Err(e) if e.code() == "store.duplicate" => {
                    return Err(CoreError::Conflict {
                        code: "order.number_taken",
                        message: format!(
                            "another order already has the number {order_number}: give this one another"
                        ),
                    });
                }
                Err(e) => return Err(e.into()),
            }
        };
        for line in &lines {
            botdesk_store::insert(
                tx,
                OrderItem {
                    order_id: id,
                    product_id: line.product,
                    name: line.name.clone(),
                    quantity: line.quantity,
                    unit_price_minor: line.unit_price_minor,
                },
            )?;
        }
        let order = load(tx, id)?;
        let payload = serde_json::json!({
            "order_id": order.id,
            "order_number": order.order_number,
            // The customer is known by their WhatsApp number; an order taken at the counter
            // may have none.
            "customer_id": row.data.customer_phone.clone().unwrap_or_else(|| "walk-in".into()),
            "customer_name": order.customer_name,
            "items": order.items.iter().map(|i| serde_json::json!({
                "product_id": i.product_id, "name": i.name, "quantity": i.quantity,
                "price": amount(i.unit_price_minor),
            })).collect::<Vec<_>>(),
            "total_amount": amount(order.total_minor),
            "currency": order.currency,
            "status": order.status,
        });
        let recorded = announce_in(ctx, tx, EventType::OrderCreated, &order, payload)?;
        Ok((order, vec![recorded]))
    })?;
    finish(ctx, order, recorded)
}

/// The event of an order's change, to the order's merchant's endpoints.
fn announce_in(
    ctx: &Services,
    tx: &Tx<'_>,
    event_type: EventType,
    order: &OrderDto,
    payload: serde_json::Value,
) -> Result<Recorded, CoreError> {
    let merchant = order
        .merchant_id
        .as_deref()
        .and_then(|m| m.parse::<Id>().ok());
    webhooks::record_domain_event(ctx, tx, event_type, merchant, &payload)
}

fn finish(ctx: &Services, order: OrderDto, recorded: Vec<Recorded>) -> Result<OrderDto, CoreError> {
    for r in recorded {
        webhooks::announce(ctx, r);
    }
    ctx.events().publish(Event::OrderSaved {
        order: order.clone(),
    });
    Ok(order)
}

pub fn update(
    ctx: &Services,
    actor: &Actor,
    id: &str,
    request: OrderUpdate,
) -> Result<OrderDto, CoreError> {
    let id = order_id(id)?;
    let notes = match &request.notes {
        Some(n) => {
            Some(check_text(Some(n), 2000, "order.invalid_notes", "notes")?.unwrap_or_default())
        }
        None => None,
    };
    let (order, recorded) = ctx.store().with_tx(actor, |tx| -> Result<_, CoreError> {
        let row = live_order(tx, id)?;
        let before = row.data.clone();
        let mut data = row.data.clone();
        if let Some(s) = request.status {
            data.status = s;
        }
        if let Some(p) = request.payment_status {
            data.payment_status = p;
        }
        if let Some(n) = &notes {
            data.notes = n.clone();
        }
        if data == before {
            return Ok((load(tx, id)?, Vec::new()));
        }
        botdesk_store::update(tx, id, data.clone())?;
        let order = load(tx, id)?;
        let mut recorded = Vec::new();
        if data.status != before.status {
            recorded.push(announce_in(
                ctx,
                tx,
                EventType::OrderStatusChanged,
                &order,
                serde_json::json!({
                    "order_id": order.id,
                    "order_number": order.order_number,
                    "status": data.status,
                    "previous_status": before.status,
                }),
            )?);
        }
        if data.payment_status == PaymentStatus::Paid
            && before.payment_status != PaymentStatus::Paid
        {
            recorded.push(announce_in(
                ctx,
                tx,
                EventType::PaymentReceived,
                &order,
                serde_json::json!({
                    "order_id": order.id,
                    "order_number": order.order_number,
                    "amount": amount(order.total_minor),
                    "currency": order.currency,
                }),
            )?);
        }
        Ok((order, recorded))
    })?;
    finish(ctx, order, recorded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use botdesk_store::Timestamp;
    use std::collections::HashSet;

    #[test]
    fn orders_made_in_the_same_instant_get_their_own_numbers() {
        // The same clock for all of them: the time-based part of their ids is one.
        let now = Timestamp::from_unix_millis(1_780_000_000_000).expect("a valid time");
        let numbers: HashSet<String> = (0..2000)
            .map(|_| generated_number(&Id::new_at(now)))
            .collect();
        assert_eq!(numbers.len(), 2000);
        for n in numbers.iter().take(20) {
            assert_eq!(n.len(), 12, "{n}");
            assert!(n.starts_with("ORD-"));
            assert!(!n[4..].contains(['I', 'L', 'O', 'U']), "{n}");
        }
    }
}
