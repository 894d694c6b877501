//! `shoebox index`: one full pass over the library, to completion, with a progress bar on a
//! terminal and a summary at the end (`--json` for programs).

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use shoebox_indexer::indexer::Indexer;
use shoebox_indexer::library::Library;

use crate::config::Config;

/// Opens the library of `config` for indexing.
pub fn indexer_for(config: &Config, db: shoebox_catalog::db::SqlitePool) -> Arc<Indexer> {
    let library = Library::new(config.photo_root(), config.homes_root());
    Indexer::new(db, library, &config.cache_dir(), config.indexer_options())
}

pub async fn run(config: &Config, json: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("cannot create the data folder {}", config.data.display()))?;
    let db = shoebox_catalog::db::open(&config.database_path()).await?;
    Library::new(config.photo_root(), config.homes_root())
        .ensure_roots()
        .context("cannot create the library folders")?;
    let indexer = indexer_for(config, db.clone());
    let mut skipped = Vec::new();
    for (space, report) in indexer.scan_all().await {
        match report {
            Ok(r) => skipped.extend(r.skipped.into_iter().map(|s| (space.label.clone(), s))),
            Err(e) => anyhow::bail!("cannot scan the {} space: {e:#}", space.label),
        }
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {wide_bar} {pos}/{len} jobs  {per_sec}  ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let watcher = {
        let indexer = indexer.clone();
        let bar = bar.clone();
        tokio::spawn(async move {
            loop {
                let p = indexer.progress().await;
                match &bar {
                    Some(bar) => {
                        bar.set_length(p.done + p.pending);
                        bar.set_position(p.done);
                    }
                    None => tracing::info!(done = p.done, pending = p.pending, "indexing"),
                }
                tokio::time::sleep(Duration::from_millis(if bar.is_some() {
                    200
                } else {
                    5000
                }))
                .await;
            }
        })
    };
    let result = indexer.run_until_idle().await;
    watcher.abort();
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result?;
    let summary = indexer
        .summary(&skipped, started.elapsed().as_secs_f64())
        .await?;
    db.close().await;
    if json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!(
            "{} files, {} items: {} photos, {} videos, {} Live Photos ({} motion photos, {} panoramas) in {:.1} s",
            summary.files,
            summary.items,
            summary.photos,
            summary.videos,
            summary.live,
            summary.motion,
            summary.panoramas,
            summary.seconds
        );
        for b in &summary.broken {
            println!("broken: {}: {}", b.path, b.reason);
        }
        if summary.previews > 0 || !summary.preview_failures.is_empty() {
            println!(
                "{} video previews made, {} failed",
                summary.previews,
                summary.preview_failures.len()
            );
        }
        for b in &summary.preview_failures {
            println!("no preview: {}: {}", b.path, b.reason);
        }
        for s in &summary.skipped {
            println!("skipped: {}: {}", s.path, s.reason);
        }
    }
    Ok(())
}
