//! The streaming pipeline: batches of accounts replayed over the rayon pool while the batch
//! before is merged and its lines handed to the sink on a second thread, so pricing,
//! merging and writing overlap and a large run's lines are never all in memory.

use super::Ctx;
use super::group::{AccountRows, batches, group, number_and_dedupe};
use super::replay::{self, AccountResult};
use super::totals::Merge;
use crate::model::{OrderRow, RowException, UsageRow};
use crate::report::{Line, Report, RunFacts};
use rayon::prelude::*;

/// Order and usage rows an account batch holds, about: enough that the pool seldom waits at
/// a batch's end, few enough that the batches in flight (about 5) are a small part of a
/// large run's memory (about 250 MB of 1.3 GB on the 3M-row benchmark).
pub(super) const BATCH_ROWS: usize = 100_000;

/// Batches of lines in flight between the replay and the sink.
const BATCHES_IN_FLIGHT: usize = 2;

/// [`run_streaming`] with batches of about `batch_rows` rows (tests use tiny ones).
pub(super) fn run_batched<E: Send>(
    ctx: &Ctx,
    rows: Vec<OrderRow>,
    usage: Vec<UsageRow>,
    exceptions: Vec<RowException>,
    facts: RunFacts,
    batch_rows: usize,
    mut sink: impl FnMut(Vec<Line>) -> Result<(), E> + Send,
) -> Result<Report, E> {
    let batches = batches(group(rows, usage), batch_rows);
    if let Some(p) = ctx.progress {
        p.stage(
            "pricing accounts",
            batches.iter().map(Vec::len).sum::<usize>() as u64,
        );
    }
    let mut merge = Merge::new(exceptions, facts);
    // This thread replays the batches (each over the rayon pool, in account order) and
    // merges them; a second thread hands each batch's lines to the sink meanwhile.
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Line>>(BATCHES_IN_FLIGHT);
        let writer = s.spawn(move || {
            for batch in rx {
                sink(batch)?;
            }
            Ok(())
        });
        // While the pool replays one batch, this thread merges the one before and hands its
        // lines on, so the serial merge costs no pricing time.
        let replay = |batch: Vec<(String, AccountRows)>| -> Vec<AccountResult> {
            batch
                .into_par_iter()
                .map(|(id, (rows, usage))| {
                    let (evs, duplicates) = number_and_dedupe(rows);
                    let mut r = replay::replay(ctx, &id, evs, usage);
                    r.exceptions.extend(duplicates);
                    if let Some(p) = ctx.progress {
                        p.inc(1);
                    }
                    r
                })
                .collect()
        };
        // A closed channel means the sink failed: its error is returned below.
        let mut hand_on = |results: Vec<AccountResult>| tx.send(merge.add(results)).is_ok();
        let mut pending: Option<Vec<AccountResult>> = None;
        for batch in batches {
            let (open, results) =
                rayon::join(|| pending.take().is_none_or(&mut hand_on), || replay(batch));
            if !open {
                pending = None;
                break;
            }
            pending = Some(results);
        }
        if let Some(results) = pending {
            hand_on(results);
        }
        drop(tx);
        match writer.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })?;
    Ok(merge.finish(ctx))
}
