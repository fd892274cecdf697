//! Rendering a typical template: 300 characters of body, 5 variables (goal: ≤ 1 µs median),
//! as the bot does it for every message: the template compiled once, rendered with new values.
//! Also the full Cloud API request, and parsing + checking (what a save or a preview costs).

#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use botdesk_templates::{SendOptions, TemplateContent, Values, check};
use criterion::{Criterion, criterion_group, criterion_main};

fn typical() -> TemplateContent {
    serde_json::from_value(serde_json::json!({
        "name": "order_update",
        "type": "buttons",
        "body": "Hi {{customer_name}}, thank you for shopping with us! Your order {{order_id}} \
                 of {{item_count}} items has been packed and handed to our courier today. \
                 The total charged was {{total}}. You can expect it to arrive {{eta}}; we will \
                 send you another message when it is out for delivery. Questions? Reply here.",
        "buttons": [{"type": "quick_reply", "id": "track", "label": "Track order"}],
        "variables": [
            {"name": "customer_name", "example": "Amina"},
            {"name": "order_id", "example": "ORD-10482"},
            {"name": "item_count", "example": "3"},
            {"name": "total", "example": "$45.90"},
            {"name": "eta", "example": "tomorrow"}
        ]
    }))
    .unwrap()
}

fn values() -> Values {
    [
        ("customer_name", "Sam Okafor"),
        ("order_id", "ORD-20931"),
        ("item_count", "2"),
        ("total", "$129.00"),
        ("eta", "on Thursday"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn bench(c: &mut Criterion) {
    let content = typical();
    let body_chars = content.body.chars().count();
    assert!(
        (280..=330).contains(&body_chars),
        "a typical body is about 300 characters, not {body_chars}"
    );
    let compiled = check(&content).compiled.unwrap();
    let values = values();
    let options = SendOptions::default();
    c.bench_function("render (300 chars, 5 variables)", |b| {
        b.iter(|| black_box(&compiled).render(black_box(&values)).unwrap())
    });
    c.bench_function("template send request (JSON)", |b| {
        b.iter(|| {
            black_box(&compiled)
                .template_send(black_box(&values), &options)
                .unwrap()
        })
    });
    c.bench_function("parse and check (a save or preview)", |b| {
        b.iter(|| check(black_box(&content)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
