//! Golden tests: templates rendered into the exact requests the WhatsApp Cloud API documents
//! (POST /{phone-number-id}/messages), for a template send with named and positional parameters
//! and buttons by index, and for the session messages of each kind.

#![allow(clippy::unwrap_used)]

use botdesk_templates::{MediaRef, SendOptions, TemplateContent, Values, check};
use serde_json::{Value, json};

fn compile(v: Value) -> botdesk_templates::Compiled {
    let content: TemplateContent = serde_json::from_value(v).unwrap();
    let checked = check(&content);
    assert!(checked.issues.is_empty(), "{:?}", checked.issues);
    checked.compiled.unwrap()
}

fn values(pairs: &[(&str, &str)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn to(number: &str) -> SendOptions {
    SendOptions {
        to: Some(number.into()),
        header_media: None,
    }
}

fn order_confirmation() -> Value {
    json!({
        "name": "order_confirmation", "type": "buttons", "category": "utility", "language": "en",
        "parameter_format": "named",
        "header": {"type": "text", "text": "Order {{order_id}} confirmed"},
        "body": "Hi {{customer_name}}, thank you for your order!\nTotal: *{{total}}*\nWe will let you know when it ships.",
        "footer": "Thank you for shopping with us",
        "buttons": [
            {"type": "quick_reply", "id": "track_order", "label": "Track order"},
            {"type": "quick_reply", "id": "cancel_order", "label": "Cancel order"}
        ],
        "variables": [
            {"name": "order_id", "example": "ORD-1"},
            {"name": "customer_name", "example": "Amina"},
            {"name": "total", "example": "$45.90"}
        ]
    })
}

#[test]
fn a_named_template_send_with_quick_replies() {
    let t = compile(order_confirmation());
    let v = values(&[
        ("order_id", "ORD-10482"),
        ("customer_name", "Amina"),
        ("total", "$45.90"),
    ]);
    assert_eq!(
        t.template_send(&v, &to("15551234567")).unwrap(),
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "15551234567",
            "type": "template",
            "template": {
                "name": "order_confirmation",
                "language": {"code": "en"},
                "components": [
                    {"type": "header", "parameters": [
                        {"type": "text", "parameter_name": "order_id", "text": "ORD-10482"}
                    ]},
                    {"type": "body", "parameters": [
                        {"type": "text", "parameter_name": "customer_name", "text": "Amina"},
                        {"type": "text", "parameter_name": "total", "text": "$45.90"}
                    ]},
                    {"type": "button", "sub_type": "quick_reply", "index": "0",
                     "parameters": [{"type": "payload", "payload": "track_order"}]},
                    {"type": "button", "sub_type": "quick_reply", "index": "1",
                     "parameters": [{"type": "payload", "payload": "cancel_order"}]}
                ]
            }
        })
    );
}

#[test]
fn the_same_template_as_interactive_reply_buttons() {
    let t = compile(order_confirmation());
    let v = values(&[
        ("order_id", "ORD-10482"),
        ("customer_name", "Amina"),
        ("total", "$45.90"),
    ]);
    assert_eq!(
        t.session_message(&v, &to("15551234567")).unwrap(),
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "15551234567",
            "type": "interactive",
            "interactive": {
                "type": "button",
                "header": {"type": "text", "text": "Order ORD-10482 confirmed"},
                "body": {"text": "Hi Amina, thank you for your order!\nTotal: *$45.90*\nWe will let you know when it ships."},
                "footer": {"text": "Thank you for shopping with us"},
                "action": {"buttons": [
                    {"type": "reply", "reply": {"id": "track_order", "title": "Track order"}},
                    {"type": "reply", "reply": {"id": "cancel_order", "title": "Cancel order"}}
                ]}
            }
        })
    );
}

#[test]
fn a_positional_marketing_template_with_url_and_copy_code_buttons() {
    let t = compile(json!({
        "name": "spring_sale", "type": "media", "category": "marketing", "language": "en_US",
        "parameter_format": "positional",
        "header": {"type": "image", "media_id": "0197b1e0-0000-7000-8000-000000000001"},
        "body": "Hello {{1}}, our spring sale is on: {{2}} off everything until Sunday.",
        "buttons": [
            {"type": "url", "label": "Shop now", "url": "https://shop.example.com/sale/{{1}}"},
            {"type": "copy_code", "code": "{{1}}"},
            {"type": "phone_number", "label": "Call us", "phone_number": "+15550100"}
        ],
        "variables": [
            {"name": "1", "example": "Amina"}, {"name": "2", "example": "20%"},
            {"name": "button.0.1", "example": "spring"}, {"name": "button.1.1", "example": "SPRING20"}
        ]
    }));
    let v = values(&[
        ("1", "Sam"),
        ("2", "25%"),
        ("button.0.1", "s25"),
        ("button.1.1", "SAM25"),
    ]);
    let options = SendOptions {
        to: Some("15550001111".into()),
        header_media: Some(MediaRef::Link("https://cdn.example.com/sale.jpg".into())),
    };
    assert_eq!(
        t.template_send(&v, &options).unwrap(),
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "15550001111",
            "type": "template",
            "template": {
                "name": "spring_sale",
                "language": {"code": "en_US"},
                "components": [
                    {"type": "header", "parameters": [
                        {"type": "image", "image": {"link": "https://cdn.example.com/sale.jpg"}}
                    ]},
                    {"type": "body", "parameters": [
                        {"type": "text", "text": "Sam"},
                        {"type": "text", "text": "25%"}
                    ]},
                    {"type": "button", "sub_type": "url", "index": "0",
                     "parameters": [{"type": "text", "text": "s25"}]},
                    {"type": "button", "sub_type": "copy_code", "index": "1",
                     "parameters": [{"type": "coupon_code", "coupon_code": "SAM25"}]}
                ]
            }
        })
    );
    // In the 24-hour window: the image with the body as caption.
    assert_eq!(
        t.session_message(&v, &options).unwrap(),
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "15550001111",
            "type": "image",
            "image": {"link": "https://cdn.example.com/sale.jpg",
                      "caption": "Hello Sam, our spring sale is on: 25% off everything until Sunday."}
        })
    );
}

#[test]
fn a_list_message() {
    let t = compile(json!({
        "name": "choose_delivery", "type": "list",
        "body": "How should we deliver your order {{order_id}} to you this week?",
        "footer": "You can change this later",
        "list": {"button": "Delivery options", "sections": [
            {"title": "Home", "rows": [
                {"id": "home_am", "title": "Morning", "description": "8 am to 12 pm"},
                {"id": "home_pm", "title": "Afternoon"}
            ]},
            {"title": "Pick up", "rows": [{"id": "store", "title": "At the shop"}]}
        ]},
        "variables": [{"name": "order_id", "example": "ORD-1"}]
    }));
    let v = values(&[("order_id", "ORD-7")]);
    assert_eq!(
        t.session_message(&v, &to("15551234567")).unwrap()["interactive"],
        json!({
            "type": "list",
            "body": {"text": "How should we deliver your order ORD-7 to you this week?"},
            "footer": {"text": "You can change this later"},
            "action": {
                "button": "Delivery options",
                "sections": [
                    {"title": "Home", "rows": [
                        {"id": "home_am", "title": "Morning", "description": "8 am to 12 pm"},
                        {"id": "home_pm", "title": "Afternoon"}
                    ]},
                    {"title": "Pick up", "rows": [{"id": "store", "title": "At the shop"}]}
                ]
            }
        })
    );
    let err = t.template_send(&v, &to("1")).unwrap_err();
    assert_eq!(err[0].code, "template.list_has_no_template_send");
}

#[test]
fn a_cta_url_message_and_plain_text() {
    let t = compile(json!({
        "name": "payment_request", "type": "cta_url",
        "body": "Hi {{customer_name}}, your order is ready for payment. Tap below to pay.",
        "buttons": [{"type": "url", "label": "Pay now", "url": "https://pay.example.com/p/{{payment_ref}}"}],
        "variables": [{"name": "customer_name", "example": "Amina"}, {"name": "payment_ref", "example": "pr_1"}]
    }));
    let v = values(&[("customer_name", "Amina"), ("payment_ref", "pr_8f3k2m")]);
    assert_eq!(
        t.session_message(&v, &to("15551234567")).unwrap()["interactive"],
        json!({
            "type": "cta_url",
            "body": {"text": "Hi Amina, your order is ready for payment. Tap below to pay."},
            "action": {"name": "cta_url", "parameters": {
                "display_text": "Pay now", "url": "https://pay.example.com/p/pr_8f3k2m"
            }}
        })
    );
    let text = compile(json!({
        "name": "order_status", "type": "text",
        "header": {"type": "text", "text": "Order update"},
        "body": "Your order {{order_id}} is on its way.", "footer": "Reply STOP to stop",
        "variables": [{"name": "order_id", "example": "ORD-1"}]
    }));
    assert_eq!(
        text.session_message(&values(&[("order_id", "ORD-9")]), &to("15551234567"))
            .unwrap(),
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "15551234567",
            "type": "text",
            "text": {"preview_url": false, "body": "*Order update*\n\nYour order ORD-9 is on its way.\n\n_Reply STOP to stop_"}
        })
    );
}

#[test]
fn values_are_literal_and_checked() {
    let t = compile(order_confirmation());
    let tricky = values(&[
        ("order_id", "{{total}}"),
        ("customer_name", "Amina\nSmith"),
        ("total", "$1"),
    ]);
    let rendered = t.render(&tricky).unwrap();
    assert_eq!(
        rendered.header,
        Some(botdesk_templates::render::RenderedHeader::Text {
            text: "Order {{total}} confirmed".into()
        })
    );
    assert!(
        rendered.body.starts_with("Hi Amina\nSmith, thank"),
        "{}",
        rendered.body
    );
    // A template send refuses what WhatsApp refuses in parameters.
    let err = t.template_send(&tricky, &to("1")).unwrap_err();
    assert_eq!(err[0].code, "template.parameter_invalid");
    assert_eq!(err[0].field, "body");

    let missing = t.render(&values(&[("order_id", "1")])).unwrap_err();
    let codes: Vec<&str> = missing.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["template.value_missing", "template.value_missing"]);
    assert_eq!(missing[0].at.map(|a| (a.line, a.column)), Some((1, 4)));
    let unknown = t
        .render(&values(&[
            ("order_id", "1"),
            ("customer_name", "A"),
            ("total", "1"),
            ("coupon", "x"),
        ]))
        .unwrap_err();
    assert_eq!(unknown[0].code, "template.value_unknown");
}

#[test]
fn the_default_templates_pass_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        botdesk_store::Store::open(dir.path(), botdesk_store::StoreOptions::default()).unwrap();
    let seeds = store
        .read(|c| botdesk_store::tables::message_templates::list_by(c, None, None))
        .unwrap();
    assert_eq!(seeds.len(), 3);
    for seed in seeds {
        let content = botdesk_templates::model::from_stored(&seed.data).unwrap();
        let checked = check(&content);
        assert!(
            checked.issues.is_empty(),
            "{}: {:?}",
            content.name,
            checked.issues
        );
        let examples: Values = content
            .variables
            .iter()
            .map(|v| (v.name.clone(), v.example.clone()))
            .collect();
        let compiled = checked.compiled.unwrap();
        compiled
            .session_message(&examples, &SendOptions::default())
            .unwrap();
        compiled
            .template_send(&examples, &SendOptions::default())
            .unwrap();
    }
}
