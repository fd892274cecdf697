//! One query module per table.

pub mod api_keys;
pub mod app_settings;
pub mod audit_logs;
pub mod change_log;
pub mod delivery_tasks;
pub mod media_files;
pub mod merchants;
pub mod message_templates;
pub mod order_items;
pub mod orders;
pub mod product_media;
pub mod products;
pub mod store_meta;
pub mod template_versions;
pub mod users;
pub mod webhook_deliveries;
pub mod webhook_events;
pub mod webhook_logs;
pub mod webhooks;
