//! Pricing alone, on 1 and 2 threads (bench/run.sh, docs/PERFORMANCE.md): reads the inputs
//! once with billrun's own readers (`commands::inputs::read`), then times
//! `commands::inputs::price_with` — the engine's replay of every account plus its grouping,
//! sorting, totals and the row-conservation check, exactly what `billrun run` does between
//! reading and writing — inside rayon pools of 1 and 2 threads, alternating, `--repeat`
//! times each. Nothing is written.
//!
//! ```text
//! bench_pricing INPUT... --as-of DATE [--repeat N]    prints `key value` lines
//! ```

use billrun::catalog::Catalog;
use billrun::commands::cli::{Cli, Command, InputArgs};
use billrun::commands::inputs;
use billrun::progress::Progress;
use clap::Parser;
use std::time::Instant;

/// The allocator of the billrun binary (src/main.rs), so this measures its pricing.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_pricing: {e}");
        std::process::exit(2);
    }
}

/// The inputs' arguments as `billrun check` parses them, plus `--threads`.
fn input_args(passed: &[String], threads: Option<usize>) -> Res<InputArgs> {
    let mut argv = vec![
        "billrun".to_string(),
        "check".to_string(),
        "--quiet".to_string(),
    ];
    argv.extend(passed.iter().cloned());
    if let Some(n) = threads {
        argv.push("--threads".into());
        argv.push(n.to_string());
    }
    match Cli::try_parse_from(argv)?.command {
        Command::Check(a) => Ok(a),
        _ => Err("not a check command".into()),
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn run() -> Res<()> {
    let mut passed: Vec<String> = Vec::new();
    let mut repeat = 3usize;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        if a == "--repeat" {
            repeat = it.next().ok_or("--repeat needs a value")?.parse()?;
        } else {
            passed.push(a);
        }
    }
    let progress = Progress::new(false);
    let base = input_args(&passed, None)?;
    let catalog = Catalog::load(base.catalog.as_deref())?;

    let t = Instant::now();
    let read = inputs::read(&base, &Default::default(), &progress).map_err(|e| format!("{e:?}"))?;
    let read_s = t.elapsed().as_secs_f64();
    let rows = read.facts.rows_read;

    let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut lines = 0;
    for _ in 0..repeat.max(1) {
        for (slot, threads) in [1usize, 2].into_iter().enumerate() {
            let args = input_args(&passed, Some(threads))?;
            let copy = read.clone();
            let t = Instant::now();
            let report = inputs::price_with(&args, &catalog, copy, &progress)
                .map_err(|e| format!("{e:?}"))?;
            times[slot].push(t.elapsed().as_secs_f64());
            lines = report.lines.len();
            // Freeing the report is not pricing: drop it after the clock stopped.
            drop(report);
        }
    }
    let [mut one, mut two] = times;
    let all = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.3}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let (a, b) = (all(&one), all(&two));
    let (m1, m2) = (median(&mut one), median(&mut two));
    println!("rows_read {rows}");
    println!("lines {lines}");
    println!("read_s {read_s:.3}");
    println!("price_1t_s {m1:.3}");
    println!("price_2t_s {m2:.3}");
    println!("price_1t_runs {a}");
    println!("price_2t_runs {b}");
    println!("speedup {:.3}", if m2 > 0.0 { m1 / m2 } else { 0.0 });
    Ok(())
}
