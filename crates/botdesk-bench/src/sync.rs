//! `botdesk-bench sync`: the sync engine against a real PostgreSQL with botdesk's Supabase
//! migrations (bench/sync.sh starts a throwaway one): N rows changed on one device, pushed
//! (and the sync finished: its pull too), then pulled whole by a fresh device.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use botdesk_core::store::tables::merchants::{Merchant, MerchantStatus};
use botdesk_core::store::tables::products::{Product, ProductStatus};
use botdesk_core::store::{Actor, Store, StoreOptions};
use botdesk_sync::{RemoteConfig, sync_once};

fn device() -> anyhow::Result<(Arc<Store>, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path(), StoreOptions::default())?;
    Ok((Arc::new(store), dir))
}

pub async fn sync_bench(
    rows: usize,
    database_url: &str,
    user_id: &str,
    json: bool,
) -> anyhow::Result<()> {
    let (a, _a_dir) = device()?;
    // Half shops, half products of those shops: parents and children in the same push.
    let started = Instant::now();
    a.with_tx(&Actor::Cli("bench".into()), |tx| {
        let mut shops = Vec::new();
        for n in 0..rows / 2 {
            shops.push(
                botdesk_core::store::insert(
                    tx,
                    Merchant {
                        name: format!("Shop {n}"),
                        phone: None,
                        email: None,
                        status: MerchantStatus::Active,
                        settings: serde_json::json!({"n": n}),
                    },
                )?
                .meta
                .id,
            );
        }
        for n in 0..rows - rows / 2 {
            botdesk_core::store::insert(
                tx,
                Product {
                    merchant_id: shops.get(n % shops.len().max(1)).copied(),
                    sku: None,
                    name: format!("Product {n}"),
                    description: "A product of the benchmark".into(),
                    price_minor: 250,
                    currency: "USD".into(),
                    stock: Some(10),
                    status: ProductStatus::Active,
                },
            )?;
        }
        Ok::<_, botdesk_core::store::StoreError>(())
    })?;
    let written_s = started.elapsed().as_secs_f64();
    let config = |store: &Store| RemoteConfig {
        connection_string: database_url.to_owned(),
        user_id: Some(user_id.to_owned()),
        device_id: store.device_id().to_owned(),
    };
    let started = Instant::now();
    let pushed = sync_once(&a, &config(&a), |_| {})
        .await
        .context("the push")?;
    let push_s = started.elapsed().as_secs_f64();
    let (b, _b_dir) = device()?;
    let started = Instant::now();
    let pulled = sync_once(&b, &config(&b), |_| {})
        .await
        .context("the pull")?;
    let pull_s = started.elapsed().as_secs_f64();
    let line = serde_json::json!({
        "rows": rows,
        "local_write_s": (written_s * 1000.0).round() / 1000.0,
        "push_s": (push_s * 1000.0).round() / 1000.0,
        "push_rows_per_s": (rows as f64 / push_s).round(),
        "pushed": pushed.pushed.applied,
        "batches": pushed.batches,
        "pull_s": (pull_s * 1000.0).round() / 1000.0,
        "pull_rows_per_s": (pulled.pulled.applied as f64 / pull_s).round(),
        "pulled": pulled.pulled.applied,
        "peak_rss_mb": crate::peak_rss_mb().round(),
    });
    if json {
        println!("{line}");
    } else {
        println!("sync of {rows} changed rows (shops and their products)");
        println!(
            "  push (sync finished)  {:>8} s  ({} rows/s, {} batches)",
            line["push_s"], line["push_rows_per_s"], line["batches"]
        );
        println!(
            "  pull on a new device  {:>8} s  ({} rows/s)",
            line["pull_s"], line["pull_rows_per_s"]
        );
    }
    anyhow::ensure!(
        pushed.pushed.applied == rows,
        "only {} of {rows} rows were applied",
        pushed.pushed.applied
    );
    anyhow::ensure!(
        pulled.pulled.applied >= rows,
        "only {} rows came back",
        pulled.pulled.applied
    );
    Ok(())
}
