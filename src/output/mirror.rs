//! CSV mirrors of the main tables (SPEC 6, `--csv`): `lines.csv`, `refunds.csv`,
//! `exceptions.csv` and `packs.csv`, with the xlsx sheets' headers, for tools that do not
//! read workbooks. UTF-8 with a BOM so Excel reads Chinese text, RFC 4180 quoting, `\n`
//! line ends, one file per table however long, each renamed into place when complete.

use super::OutputError;
use super::atomic::{Staged, publish_all, stage};
use super::cells::looks_like_formula;
use super::invoices::{EXCEPTIONS, LINES, PACKS};
use super::refunds::REFUNDS;
use super::table::Column;
use crate::model::RowException;
use crate::money::round_cents;
use crate::report::{Line, PackRow, RefundRow, Report};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

/// The UTF-8 byte order mark: without it Excel opens a CSV in the local code page and
/// garbles Chinese text.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The mirrors `write_mirrors` writes, in order.
pub const MIRROR_FILES: [&str; 4] = ["lines.csv", "refunds.csv", "exceptions.csv", "packs.csv"];

/// Writes the four CSV mirrors into `dir` (which must exist) and returns their paths, in
/// the order `lines.csv`, `refunds.csv`, `exceptions.csv`, `packs.csv`.
///
/// Headers are the xlsx sheets' own column lists, so the two cannot drift. Amounts are
/// written with exactly two decimals (rounded half away from zero, as everywhere in
/// billrun), prices and quantities as their exact decimal text, dates as `YYYY-MM-DD`, and
/// `None` as an empty field. Text that a spreadsheet would evaluate gets a leading `'`
/// ([`neutralise`]); numbers billrun wrote itself, such as `-12.50`, are left alone. Two
/// writes of the same report give identical bytes.
///
/// # Errors
///
/// [`OutputError::Io`] naming the CSV file and the step that failed. All four are written
/// before any is renamed into place, so a failure leaves every one as it was, with no
/// temporary file.
///
/// # Examples
///
/// ```no_run
/// use billrun::output::write_mirrors;
/// use billrun::report::Report;
///
/// let report = Report::default();
/// let paths = write_mirrors(&report, std::path::Path::new("out"))?;
/// assert_eq!(paths.len(), 4);
/// # Ok::<(), billrun::output::OutputError>(())
/// ```
pub fn write_mirrors(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let staged = stage_mirrors(report, dir)?;
    let paths = staged.iter().map(|s| s.path().to_path_buf()).collect();
    publish_all(staged)?;
    Ok(paths)
}

/// [`write_mirrors`] without the renames: the four files wait under their temporary names
/// until the caller publishes them with the run's other outputs.
///
/// # Errors
///
/// As [`write_mirrors`].
pub fn stage_mirrors(report: &Report, dir: &Path) -> Result<Vec<Staged>, OutputError> {
    let [lines, refunds, exceptions, packs] = MIRROR_FILES.map(|name| dir.join(name));
    Ok(vec![
        write_csv(&lines, LINES, &report.lines, line_fields)?,
        write_csv(&refunds, REFUNDS, &report.refunds, refund_fields)?,
        write_csv(
            &exceptions,
            EXCEPTIONS,
            &report.exceptions,
            exception_fields,
        )?,
        write_csv(&packs, PACKS, &report.packs, pack_fields)?,
    ])
}

/// Makes text safe to open in a spreadsheet (OWASP CSV injection): text starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so it shows as text and is
/// never evaluated. Only for text from inputs or rules, never for numbers billrun formats.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    // The same test the xlsx writer uses for its quote prefix, so both outputs agree on
    // what is dangerous.
    if looks_like_formula(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes and stages one table for `path`: BOM, header row, then one record per item.
fn write_csv<T>(
    path: &Path,
    columns: &[Column],
    items: &[T],
    fields: fn(&mut Fields, &T),
) -> Result<Staged, OutputError> {
    let fail = |step| OutputError::io(path, step);
    stage(path, |tmp| {
        let file = File::create(tmp).map_err(fail("creating the temporary file"))?;
        let mut out = BufWriter::new(file);
        out.write_all(BOM)
            .map_err(fail("writing the byte order mark"))?;
        let mut wtr = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        let header = csv::StringRecord::from_iter(columns.iter().map(|c| c.header));
        wtr.write_record(&header)
            .map_err(|e| fail("writing the header")(std::io::Error::from(e)))?;
        let mut f = Fields::default();
        for item in items {
            f.record.clear();
            fields(&mut f, item);
            wtr.write_byte_record(&f.record)
                .map_err(|e| fail("writing a row")(std::io::Error::from(e)))?;
        }
        wtr.flush().map_err(fail("flushing the file"))
    })
}

/// One record under construction: a reused buffer, so long tables allocate per field only
/// for neutralised text (rare).
#[derive(Default)]
struct Fields {
    record: csv::ByteRecord,
    scratch: String,
}

impl Fields {
    /// Text from an input or a rule, neutralised; empty stays empty.
    fn text(&mut self, text: &str) {
        self.record.push_field(neutralise(text).as_bytes());
    }

    fn empty(&mut self) {
        self.record.push_field(b"");
    }

    /// Formats into the scratch buffer and pushes it, skipping `neutralise`: what comes
    /// through here is a number or a date billrun formatted itself.
    fn formatted(&mut self, value: impl std::fmt::Display) {
        self.scratch.clear();
        // Writing into a String cannot fail.
        let _ = write!(self.scratch, "{value}");
        self.record.push_field(self.scratch.as_bytes());
    }

    /// An amount with exactly two decimals and no thousands separator: `1234.50`, `-199.40`.
    fn amount(&mut self, value: Decimal) {
        self.formatted(cents(value));
    }

    fn opt_amount(&mut self, value: Option<Decimal>) {
        match value {
            Some(v) => self.amount(v),
            None => self.empty(),
        }
    }

    /// A price or quantity as its exact decimal text, trailing zeros dropped: `99.9`, `3`.
    fn decimal(&mut self, value: Decimal) {
        self.formatted(value.normalize());
    }

    fn integer(&mut self, value: impl Into<i128>) {
        self.formatted(value.into());
    }

    fn opt_integer<T: Into<i128>>(&mut self, value: Option<T>) {
        match value {
            Some(v) => self.integer(v),
            None => self.empty(),
        }
    }

    fn date(&mut self, date: NaiveDate) {
        self.formatted(date.format("%Y-%m-%d"));
    }

    fn opt_date(&mut self, date: Option<NaiveDate>) {
        match date {
            Some(d) => self.date(d),
            None => self.empty(),
        }
    }
}

/// An amount as it is written: rounded once half away from zero to exactly two decimals
/// (a `Decimal` displays its scale), and never `-0.00`.
fn cents(value: Decimal) -> Decimal {
    let mut r = round_cents(value);
    if r.is_zero() {
        r = Decimal::ZERO;
    }
    r.rescale(2);
    r
}

/// A Lines row, in `LINES` order. `difference` is what the xlsx shows: the engine's figure,
/// or billed − expected when it has none, and empty when nothing was billed.
fn line_fields(f: &mut Fields, l: &Line) {
    f.text(&l.order_id);
    f.integer(l.line);
    f.text(&l.account_id);
    f.date(l.order_date);
    f.text(l.kind.as_str());
    f.text(&l.product);
    f.text(&l.edition);
    f.integer(l.quantity);
    f.decimal(l.billable_quantity);
    f.text(&l.term);
    f.opt_date(l.service_start);
    f.opt_date(l.service_end);
    f.decimal(l.unit_price);
    f.integer(l.full_years);
    f.amount(l.full_years_amount);
    f.integer(l.months);
    f.amount(l.months_amount);
    f.amount(l.list_amount);
    f.amount(l.discount);
    f.amount(l.expected_amount);
    f.opt_amount(l.billed_amount);
    f.opt_amount(
        l.billed_amount
            .map(|billed| l.difference.unwrap_or(billed - l.expected_amount)),
    );
    f.text(l.status.as_str());
    f.text(&l.rule);
}

/// A Refunds row, in `REFUNDS` order.
fn refund_fields(f: &mut Fields, r: &RefundRow) {
    f.text(&r.refund_order_id);
    f.text(&r.ref_order_id);
    f.text(&r.account_id);
    f.text(&r.product);
    f.text(&r.edition);
    f.date(r.refund_date);
    f.text(&r.reason);
    f.text(r.original_type.map_or("", |t| t.as_str()));
    f.opt_date(r.start_date);
    f.opt_integer(r.days_since_start);
    f.amount(r.paid);
    f.amount(r.voucher_kept);
    f.opt_integer(r.used_quantity);
    f.opt_amount(r.used_value);
    f.amount(r.refund_amount);
    f.text(r.decision.as_str());
    f.text(&r.rule);
}

/// An Exceptions row, in `EXCEPTIONS` order. `value` is whatever the input held, so it is
/// the field most likely to carry an injection attempt.
fn exception_fields(f: &mut Fields, e: &RowException) {
    f.text(&e.src.file);
    f.integer(e.src.row);
    f.text(&e.order_id);
    f.text(&e.account_id);
    f.text(&e.column);
    f.text(&e.value);
    f.text(e.code.as_str());
    f.text(&e.message);
}

/// A Packs row, in `PACKS` order.
fn pack_fields(f: &mut Fields, p: &PackRow) {
    f.text(&p.account_id);
    f.text(&p.order_id);
    f.integer(p.pack);
    f.text(&p.product);
    f.text(&p.edition);
    f.integer(p.size);
    f.integer(p.bonus);
    f.date(p.purchased);
    f.opt_date(p.expires);
    f.integer(p.used);
    f.integer(p.remaining);
    f.integer(p.overdrawn);
    f.text(p.status.as_str());
}

#[cfg(test)]
#[path = "mirror_tests.rs"]
mod tests;
