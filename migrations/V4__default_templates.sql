-- The three default templates of a fresh store, with version 1 of each.
-- Their ids and timestamps are fixed, the same on every device and in the Supabase seed, so that
-- two devices never create two `order_confirmation`s and a fresh device's seed never looks newer
-- than an owner's real edit. They are written with origin 'seed': audited, not change-logged.

UPDATE tx_context SET actor = 'system:seed', device_id = 'seed', now = NULL, origin = 'seed' WHERE id = 1;

INSERT INTO message_templates (
    id, created_at, updated_at, device_id, name, kind, category, language, status,
    parameter_format, header_type, header_text, body, footer, buttons, variables, version
) VALUES (
    '5e0d7a1c-0001-4000-8000-000000000001',
    '2025-11-22T00:00:00.000Z', '2025-11-22T00:00:00.000Z', 'seed',
    'order_confirmation', 'buttons', 'utility', 'en', 'active', 'named',
    'text', 'Order confirmed',
    'Hi {{customer_name}}, thank you for your order!' || char(10) || char(10)
        || 'Order: *{{order_id}}*' || char(10)
        || 'Items: {{item_count}}' || char(10)
        || 'Total: *{{total}}*' || char(10) || char(10)
        || 'We will message you again as soon as it is on its way.',
    'Thank you for shopping with us',
    json_array(
        json_object('type', 'quick_reply', 'id', 'track_order', 'label', 'Track order'),
        json_object('type', 'quick_reply', 'id', 'cancel_order', 'label', 'Cancel order')
    ),
    json_array(
        json_object('name', 'customer_name', 'example', 'Amina'),
        json_object('name', 'order_id', 'example', 'ORD-10482'),
        json_object('name', 'item_count', 'example', '3'),
        json_object('name', 'total', 'example', '$45.90')
    ),
    1
);

INSERT INTO message_templates (
    id, created_at, updated_at, device_id, name, kind, category, language, status,
    parameter_format, header_type, body, footer, buttons, variables, version
) VALUES (
    '5e0d7a1c-0001-4000-8000-000000000002',
    '2025-11-22T00:00:00.000Z', '2025-11-22T00:00:00.000Z', 'seed',
    'payment_request', 'cta_url', 'utility', 'en', 'active', 'named',
    'none',
    'Hi {{customer_name}}, your order *{{order_id}}* is ready for payment.' || char(10) || char(10)
        || 'Amount due: *{{amount}}*' || char(10)
        || 'Please pay by {{due_date}} so we can ship it right away.' || char(10) || char(10)
        || 'Tap the button below to pay securely.',
    'Payments are processed by our payment partner',
    json_array(
        json_object('type', 'url', 'label', 'Pay now',
                    'url', 'https://pay.example.com/p/{{payment_ref}}')
    ),
    json_array(
        json_object('name', 'customer_name', 'example', 'Amina'),
        json_object('name', 'order_id', 'example', 'ORD-10482'),
        json_object('name', 'amount', 'example', '$45.90'),
        json_object('name', 'due_date', 'example', '28 November'),
        json_object('name', 'payment_ref', 'example', 'pr_8f3k2m')
    ),
    1
);

INSERT INTO message_templates (
    id, created_at, updated_at, device_id, name, kind, category, language, status,
    parameter_format, header_type, body, footer, buttons, variables, version
) VALUES (
    '5e0d7a1c-0001-4000-8000-000000000003',
    '2025-11-22T00:00:00.000Z', '2025-11-22T00:00:00.000Z', 'seed',
    'order_status', 'text', 'utility', 'en', 'active', 'named',
    'none',
    'Hi {{customer_name}}, here is an update on your order *{{order_id}}*.' || char(10) || char(10)
        || 'Status: *{{status}}*' || char(10)
        || 'Details: {{status_note}}' || char(10) || char(10)
        || 'Questions? Just reply to this message.',
    NULL,
    '[]',
    json_array(
        json_object('name', 'customer_name', 'example', 'Amina'),
        json_object('name', 'order_id', 'example', 'ORD-10482'),
        json_object('name', 'status', 'example', 'Out for delivery'),
        json_object('name', 'status_note', 'example', 'Your driver Sam will arrive between 2 and 4 pm.')
    ),
    1
);

-- Version 1 of each: a snapshot of the template's content as it was seeded.
INSERT INTO template_versions (id, created_at, updated_at, device_id, template_id, version, snapshot,
                               change_summary, actor)
SELECT
    '5e0d7a1c-0002-4000-8000-00000000000' || substr(t.id, -1),
    t.created_at, t.created_at, 'seed', t.id, 1,
    json_object(
        'name', t.name, 'kind', t.kind, 'category', t.category, 'language', t.language,
        'status', t.status, 'parameter_format', t.parameter_format,
        'header_type', t.header_type, 'header_text', t.header_text,
        'header_media_id', t.header_media_id, 'body', t.body, 'footer', t.footer,
        'buttons', json(t.buttons), 'list_button', t.list_button,
        'list_sections', json(t.list_sections), 'variables', json(t.variables)
    ),
    'Default template', 'system:seed'
FROM message_templates AS t
WHERE t.id IN ('5e0d7a1c-0001-4000-8000-000000000001', '5e0d7a1c-0001-4000-8000-000000000002',
               '5e0d7a1c-0001-4000-8000-000000000003');

UPDATE tx_context SET actor = NULL, device_id = NULL, now = NULL, origin = 'local' WHERE id = 1;
