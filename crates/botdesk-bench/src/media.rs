//! The media benchmark, mirroring `../shared/bench/sharp/bench_sharp.mjs`: every image of a
//! corpus read into memory first, then per image the size check and the type check from the
//! header (`inspect`), then the peer's four outputs (thumbnail 200×200 cover and medium 600×600
//! inside, each WebP q85 and JPEG q85, EXIF-oriented, metadata stripped). One warm-up pass, then
//! the median of the timed passes, on one thread and then on two (two images in flight, as the
//! peer's `inFlight`). Peak memory is the process's high-water mark after each setting.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use botdesk_media::{Encoding, Limits, ProcessOptions, VariantSpec, inspect, process};
use serde::Serialize;

/// The peer's size check (`MAX_BYTES` in bench_sharp.mjs).
const PEER_MAX_BYTES: u64 = 25 * 1024 * 1024;

#[derive(Serialize)]
struct Report {
    tool: &'static str,
    images: usize,
    outputs_per_image: usize,
    passes: usize,
    images_per_s_1_thread: f64,
    images_per_s_2_threads: f64,
    peak_rss_mb: f64,
    peak_rss_mb_2_threads: f64,
    out_bytes: u64,
    out_bytes_jpeg: u64,
    out_bytes_webp: u64,
}

fn peer_options() -> ProcessOptions {
    ProcessOptions {
        variants: vec![VariantSpec::thumbnail(), VariantSpec::medium()],
        encodings: vec![Encoding::Webp, Encoding::Jpeg],
        quality: 85,
    }
}

fn load(corpus: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut inputs = Vec::new();
    for entry in
        std::fs::read_dir(corpus).with_context(|| format!("reading {}", corpus.display()))?
    {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let lower = name.to_ascii_lowercase();
        if [".jpg", ".jpeg", ".png", ".webp", ".gif"]
            .iter()
            .any(|ext| lower.ends_with(ext))
        {
            inputs.push((name, std::fs::read(&path)?));
        }
    }
    inputs.sort();
    if inputs.is_empty() {
        bail!("no images in {}", corpus.display());
    }
    Ok(inputs)
}

/// Bytes written per encoding, for one image.
fn one(name: &str, bytes: &[u8], options: &ProcessOptions) -> anyhow::Result<(u64, u64)> {
    let limits = Limits {
        max_image_bytes: PEER_MAX_BYTES,
        ..Limits::default()
    };
    let inspected = inspect(bytes, None, &limits).with_context(|| name.to_owned())?;
    let processed = process(bytes, &inspected, options).with_context(|| name.to_owned())?;
    let mut sizes = (0, 0);
    for output in processed.outputs {
        match output.encoding {
            Encoding::Jpeg => sizes.0 += output.bytes.len() as u64,
            Encoding::Webp => sizes.1 += output.bytes.len() as u64,
        }
    }
    Ok(sizes)
}

/// One pass over the corpus with `threads` images in flight: images/s and bytes written.
fn pass(inputs: &[(String, Vec<u8>)], threads: usize) -> anyhow::Result<(f64, (u64, u64))> {
    let options = peer_options();
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let totals = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<(u64, u64)> {
                    let mut sum = (0, 0);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((name, bytes)) = inputs.get(i) else {
                            return Ok(sum);
                        };
                        let (jpeg, webp) = one(name, bytes, &options)?;
                        sum = (sum.0 + jpeg, sum.1 + webp);
                    }
                })
            })
            .collect();
        let mut totals = (0, 0);
        for worker in workers {
            let (jpeg, webp) = worker
                .join()
                .map_err(|_| anyhow::anyhow!("a benchmark thread panicked"))??;
            totals = (totals.0 + jpeg, totals.1 + webp);
        }
        anyhow::Ok(totals)
    })?;
    Ok((
        inputs.len() as f64 / started.elapsed().as_secs_f64(),
        totals,
    ))
}

fn setting(
    inputs: &[(String, Vec<u8>)],
    threads: usize,
    passes: usize,
) -> anyhow::Result<(f64, (u64, u64))> {
    let (_, bytes) = pass(inputs, threads)?;
    let mut rates = Vec::with_capacity(passes);
    for _ in 0..passes {
        rates.push(pass(inputs, threads)?.0);
    }
    Ok((crate::median(&mut rates), bytes))
}

/// Writes every output under `dir` with the peer's names (`<image>.thumb.webp`, …), so that the
/// two can be compared file by file.
fn save(inputs: &[(String, Vec<u8>)], dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let limits = Limits {
        max_image_bytes: PEER_MAX_BYTES,
        ..Limits::default()
    };
    for (name, bytes) in inputs {
        let inspected = inspect(bytes, None, &limits).with_context(|| name.clone())?;
        let processed =
            process(bytes, &inspected, &peer_options()).with_context(|| name.clone())?;
        for output in processed.outputs {
            let variant = if output.variant == "thumbnail" {
                "thumb"
            } else {
                "medium"
            };
            let file = format!("{name}.{variant}.{}", output.encoding.extension());
            std::fs::write(dir.join(file), &output.bytes)?;
        }
    }
    Ok(())
}

pub fn media_bench(
    corpus: &Path,
    passes: usize,
    json: bool,
    save_to: Option<&Path>,
) -> anyhow::Result<()> {
    let inputs = load(corpus)?;
    if let Some(dir) = save_to {
        save(&inputs, dir)?;
    }
    let (one_thread, (jpeg, webp)) = setting(&inputs, 1, passes.max(1))?;
    let peak_one = crate::peak_rss_mb();
    let (two_threads, _) = setting(&inputs, 2, passes.max(1))?;
    let peak_two = crate::peak_rss_mb();
    let report = Report {
        tool: "botdesk",
        images: inputs.len(),
        outputs_per_image: 4,
        passes,
        images_per_s_1_thread: round(one_thread),
        images_per_s_2_threads: round(two_threads),
        peak_rss_mb: round(peak_one),
        peak_rss_mb_2_threads: round(peak_two),
        out_bytes: jpeg + webp,
        out_bytes_jpeg: jpeg,
        out_bytes_webp: webp,
    };
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "{} images × 4 outputs, median of {passes} passes",
            report.images
        );
        println!("images/s, 1 thread   {:>8.1}", report.images_per_s_1_thread);
        println!(
            "images/s, 2 threads  {:>8.1}",
            report.images_per_s_2_threads
        );
        println!("peak RSS, 1 thread   {:>8.1} MB", report.peak_rss_mb);
        println!(
            "peak RSS, 2 threads  {:>8.1} MB",
            report.peak_rss_mb_2_threads
        );
        println!(
            "bytes written        {:>8} (JPEG {jpeg}, WebP {webp})",
            report.out_bytes
        );
    }
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
