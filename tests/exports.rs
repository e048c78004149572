//! Real-looking exports through the real binary: the clean table of `support::exports` in
//! every form a finance team saves it is priced exactly as its clean CSV twin, and every
//! row read ends in one place (a line or an exception); what cannot be read is an exception
//! or an exit 2 naming the file and what it is.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::exports::{self, Book, Col, ORDERS_SHEET, Place, Style};
use support::{Sheet, V, t};

const AS_OF: &str = "2026-11-30";

fn billrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billrun"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run billrun")
}

/// One exception line of `billrun check`.
#[derive(Debug, Clone, PartialEq)]
struct Exc {
    /// `file:row`.
    at: String,
    code: String,
    order: String,
    column: String,
    value: String,
    message: String,
}

impl Exc {
    /// What does not depend on where the row sits: the twin comparison.
    fn what(&self) -> (String, String, String, String) {
        (
            self.code.clone(),
            self.order.clone(),
            self.column.clone(),
            self.message.clone(),
        )
    }
}

/// What `billrun check` said about some inputs: its JSON summary and its exception lines.
#[derive(Debug)]
struct Checked {
    json: Value,
    exceptions: Vec<Exc>,
}

impl Checked {
    fn count(&self, k: &str) -> u64 {
        self.json["counts"][k]
            .as_u64()
            .unwrap_or_else(|| panic!("no count {k}"))
    }

    fn total(&self, k: &str) -> &str {
        self.json["totals"][k].as_str().unwrap()
    }

    fn strings(&self, k: &str) -> Vec<String> {
        self.json[k]
            .as_array()
            .unwrap_or_else(|| panic!("no {k}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    fn with_code(&self, code: &str) -> Vec<&Exc> {
        self.exceptions.iter().filter(|e| e.code == code).collect()
    }

    /// Every row read is a line, a usage row or an exception (these tables hold no
    /// refunds).
    fn assert_accounted(&self) {
        assert_eq!(
            self.count("rows_read"),
            self.count("lines") + self.count("usage_rows") + self.count("exceptions"),
            "{:#}",
            self.json
        );
        assert_eq!(self.count("exceptions"), self.exceptions.len() as u64);
    }
}

/// `billrun check --as-of AS_OF ARGS`, which must succeed: once for the exception lines,
/// once with --json for the summary.
fn check(args: &[&str]) -> Checked {
    let mut all = vec!["check", "--as-of", AS_OF, "--quiet"];
    all.extend(args);
    let run = |args: &[&str]| {
        let out = billrun(args);
        assert!(
            out.status.success(),
            "billrun {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(&all);
    let exceptions = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "not an exception line: {l}");
            let (column, value) = f[3].split_once('=').unwrap();
            Exc {
                at: f[0].into(),
                code: f[1].into(),
                order: f[2].into(),
                column: column.into(),
                value: value.into(),
                message: f[4].into(),
            }
        })
        .collect();
    all.push("--json");
    let json = serde_json::from_str(&run(&all)).expect("a JSON summary on stdout");
    let c = Checked { json, exceptions };
    c.assert_accounted();
    c
}

fn check_path(p: &Path) -> Checked {
    check(&[p.to_str().unwrap()])
}

/// `billrun check ARGS`, which must fail with exit 2: its stderr, and the JSON error object
/// it prints on stdout with --json.
fn fails(args: &[&str]) -> (String, Value) {
    let mut all = vec!["check", "--as-of", AS_OF, "--quiet"];
    all.extend(args);
    let out = billrun(&all);
    assert_eq!(
        out.status.code(),
        Some(2),
        "billrun {all:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    all.push("--json");
    let out = billrun(&all);
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).expect("a JSON error on stdout");
    assert_eq!(json["exit"], 2);
    (stderr, json)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The clean CSV twin, checked in its own folder.
fn twin() -> Checked {
    let dir = tempfile::tempdir().unwrap();
    let c = check_path(&write(dir.path(), "clean.csv", &exports::clean_csv()));
    assert_eq!(c.total("expected"), exports::EXPECTED);
    assert_eq!(c.total("billed"), exports::EXPECTED);
    assert_eq!(c.count("lines"), exports::PRICED);
    assert_eq!(c.count("exceptions"), exports::REFUSED);
    c
}

/// `got` priced exactly as the twin: the same rows, lines, exceptions and totals.
#[track_caller]
fn assert_as_twin(got: &Checked, twin: &Checked, what: &str) {
    for k in ["rows_read", "lines", "exceptions", "mismatches", "unbilled"] {
        assert_eq!(
            got.count(k),
            twin.count(k),
            "{what}: {k}: {:#?}",
            got.exceptions
        );
    }
    for k in ["expected", "billed", "difference"] {
        assert_eq!(got.total(k), twin.total(k), "{what}: {k}");
    }
    assert_eq!(
        got.json["exceptions_by_code"], twin.json["exceptions_by_code"],
        "{what}: {:?}",
        got.exceptions
    );
    let what_of = |c: &Checked| c.exceptions.iter().map(Exc::what).collect::<Vec<_>>();
    assert_eq!(what_of(got), what_of(twin), "{what}");
    assert_eq!(
        got.strings("unknown_columns"),
        Vec::<String>::new(),
        "{what}"
    );
}

/// The one `tables` entry of a run on `file`.
#[track_caller]
fn assert_table(c: &Checked, file: &Path, describe: &str) {
    assert_eq!(
        c.strings("tables"),
        [format!("{}: orders, {describe}", file.display())]
    );
}

fn titled() -> Style {
    Style {
        title: true,
        ..Style::default()
    }
}

// 1. Every format, with title rows, on a later or a hidden sheet.

#[test]
fn csv_forms_price_as_the_clean_twin() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let forms: [(&str, Style, u32); 5] = [
        ("plain", Style::default(), 1),
        (
            "bom",
            Style {
                bom: true,
                ..Style::default()
            },
            1,
        ),
        ("title", titled(), 3),
        (
            "bom-title-chinese",
            Style {
                bom: true,
                title: true,
                chinese: true,
                ..Style::default()
            },
            3,
        ),
        (
            "units-full-width-compact-dates-placeholders",
            Style {
                units: true,
                full_width: true,
                compact_dates: true,
                placeholders: true,
                ..Style::default()
            },
            1,
        ),
    ];
    for (name, style, header_row) in forms {
        let f = write(
            dir.path(),
            &format!("{name}.csv"),
            &exports::csv(&exports::orders(), &style),
        );
        let got = check_path(&f);
        assert_as_twin(&got, &twin, name);
        assert_table(&got, &f, &format!("header on row {header_row}"));
    }
}

/// The twin of `orders` written with `style`, checked in its own folder.
fn twin_of(orders: &[exports::Order], style: &Style) -> Checked {
    let dir = tempfile::tempdir().unwrap();
    check_path(&write(dir.path(), "twin.csv", &exports::csv(orders, style)))
}

/// Only an .xlsx tells billrun a cell is formatted as a percentage: calamine 0.38 gives no
/// number formats for .xls, .xlsb or .ods, so their percent cells arrive as the bare
/// fraction (0.05 for 5%). Such a discount is AMBIGUOUS_DISCOUNT, never ¥0.05 off: the
/// twin of those formats is the CSV with bare fractions.
fn reads_percent_cells(book: Book) -> bool {
    book == Book::Xlsx
}

#[test]
fn workbooks_in_every_format_price_as_the_clean_twin() {
    let twin = twin();
    let fractions = twin_of(
        &exports::orders(),
        &Style {
            fractions: true,
            ..Style::default()
        },
    );
    assert_eq!(fractions.with_code("AMBIGUOUS_DISCOUNT").len(), 2);
    assert_eq!(fractions.total("expected"), "38285.00");
    let dir = tempfile::tempdir().unwrap();
    for book in exports::BOOKS {
        for place in [Place::First, Place::Later, Place::Hidden] {
            let what = format!("{book:?} {place:?}");
            let sheets = exports::sheets(&exports::orders(), &titled(), place);
            let f = write(
                dir.path(),
                &format!("orders-{place:?}.{}", book.ext()),
                &book.write(&sheets),
            );
            let got = check_path(&f);
            match reads_percent_cells(book) {
                true => assert_as_twin(&got, &twin, &what),
                false => assert_as_twin(&got, &fractions, &what),
            }
            assert_table(
                &got,
                &f,
                &format!("{}, sheet '{ORDERS_SHEET}', header on row 3", book.name()),
            );
        }
    }
}

#[test]
fn workbooks_with_the_discount_column_in_percent_price_as_the_clean_twin() {
    // 折扣(%) holding 5 and 10: every format reads them, percent format or not.
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let style = Style {
        units: true,
        ..titled()
    };
    for book in exports::BOOKS {
        let sheets = exports::sheets(&exports::orders(), &style, Place::Hidden);
        let f = write(
            dir.path(),
            &format!("orders.{}", book.ext()),
            &book.write(&sheets),
        );
        assert_as_twin(&check_path(&f), &twin, &format!("{book:?}"));
    }
}

#[test]
fn merged_order_ids_are_filled_down_their_lines() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let style = Style {
        merged_ids: true,
        units: true,
        ..titled()
    };
    for book in exports::BOOKS {
        let sheets = exports::sheets(&exports::orders(), &style, Place::First);
        assert!(
            sheets[0].merges.contains(&(3, 0, 4, 0)),
            "Q-1001's two lines"
        );
        let f = write(
            dir.path(),
            &format!("merged.{}", book.ext()),
            &book.write(&sheets),
        );
        let got = check_path(&f);
        if reports_merges(book) {
            assert_as_twin(&got, &twin, &format!("{book:?}"));
            continue;
        }
        // The second line's order id reads as empty: that row is an exception, the rest
        // is priced.
        assert_eq!(got.count("rows_read"), twin.count("rows_read"));
        assert_eq!(got.count("lines"), twin.count("lines") - 1, "{book:?}");
        assert_eq!(
            got.total("expected"),
            "115781.40",
            "{book:?}: less 11,600.00"
        );
        let missing = got.with_code("MISSING_VALUE");
        assert_eq!(missing.len(), 1, "{book:?}: {:?}", got.exceptions);
        assert_eq!(missing[0].at, format!("{}:5", f.display()));
        assert_eq!(missing[0].column, "order_id");
        assert_eq!(
            missing[0].message,
            "order_id is empty: every order row needs the order it belongs to"
        );
    }
}

/// calamine 0.38 reports merged regions for .xlsx and .xls only, not for .xlsb or .ods.
fn reports_merges(book: Book) -> bool {
    matches!(book, Book::Xlsx | Book::Xls)
}

// 2. A file is read as what its bytes say, whatever its name.

#[test]
fn a_csv_or_an_xls_named_xlsx_is_read_as_what_it_is() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "csv-named.xlsx", &exports::clean_csv());
    let got = check_path(&csv);
    assert_as_twin(&got, &twin, "CSV named .xlsx");
    assert_table(&got, &csv, "header on row 1");
    let style = Style {
        units: true,
        ..Style::default()
    };
    let xls = write(
        dir.path(),
        "xls-named.xlsx",
        &Book::Xls.write(&exports::sheets(&exports::orders(), &style, Place::First)),
    );
    let got = check_path(&xls);
    assert_as_twin(&got, &twin, "xls named .xlsx");
    assert_table(
        &got,
        &xls,
        &format!(
            "{}, sheet '{ORDERS_SHEET}', header on row 1",
            Book::Xls.name()
        ),
    );
}

// 3. Files that are no export: exit 2 naming the file and saying what it is.

fn zip_of(name: &str, data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file(name, opts).unwrap();
    zip.write_all(data).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn an_html_table_a_pdf_or_a_zipped_csv_is_refused_saying_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let html = "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"></head><body><table>\
                <tr><td>订单号</td><td>客户ID</td><td>下单日期</td><td>订单类型</td><td>产品</td></tr>\
                <tr><td>Q-1006</td><td>ACME-001</td><td>2025-08-01</td><td>new</td><td>qcs-knowledge</td></tr>\
                </table></body></html>";
    let cases = [
        (
            write(dir.path(), "orders.xls", html.as_bytes()),
            "a web page (HTML) saved with a spreadsheet name, as some consoles export; open it in Excel and save it as .xlsx, or export as CSV",
        ),
        (
            write(
                dir.path(),
                "orders.pdf",
                b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
            ),
            "a PDF document; export the orders from the console as Excel or CSV",
        ),
        (
            write(
                dir.path(),
                "orders.zip",
                &zip_of("orders-2025.csv", &exports::clean_csv()),
            ),
            "a zip archive, not a workbook (it holds orders-2025.csv); unzip it and name the export inside",
        ),
    ];
    for (file, what) in cases {
        let message = format!("{}: this is {what}", file.display());
        let (stderr, json) = fails(&[file.to_str().unwrap()]);
        assert_eq!(stderr, format!("billrun: error: {message}\n"));
        assert_eq!(json, serde_json::json!({ "error": message, "exit": 2 }));
        // Named with --orders, the same.
        let (stderr, _) = fails(&["--orders", file.to_str().unwrap()]);
        assert_eq!(stderr, format!("billrun: error: {message}\n"));
    }
}

// 4. Headers with a unit.

fn units() -> Style {
    Style {
        units: true,
        ..Style::default()
    }
}

#[test]
fn unit_headers_read_billed_amounts_discounts_and_vouchers() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    // 实付金额(元), 折扣(%) with 5 and 10, 代金券(元) with 500: as the twin.
    let text = String::from_utf8(exports::csv(&exports::orders(), &units())).unwrap();
    assert!(text.starts_with(
        "订单号,客户ID,下单日期,订单类型,产品,版本,数量,时长,折扣(%),代金券(元),实付金额(元),开通日期\r\n"
    ));
    assert!(text.contains(",10,,\"3,596.40\","), "{text}");
    let f = write(dir.path(), "units.csv", text.as_bytes());
    let got = check_path(&f);
    assert_as_twin(&got, &twin, "units");
    // M-5004's voucher was read from 代金券(元): the engine refuses it on a PV pack.
    let voucher = got.with_code("BAD_VALUE");
    assert_eq!(voucher.len(), 1);
    assert_eq!(
        (voucher[0].column.as_str(), voucher[0].value.as_str()),
        ("voucher", "500")
    );

    // Billed amounts are read, not taken as missing: Q-1003 billed 100.00 short.
    let mut short = exports::orders();
    short[2].billed_fen -= 10_000;
    let f = write(dir.path(), "short.csv", &exports::csv(&short, &units()));
    let got = check_path(&f);
    assert_eq!(got.total("expected"), twin.total("expected"));
    assert_eq!(got.total("billed"), "127281.40");
    assert_eq!(got.total("difference"), "-100.00");
    assert_eq!((got.count("mismatches"), got.count("unbilled")), (1, 0));
}

#[test]
fn a_header_in_ten_thousand_yuan_is_not_used_and_says_why() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let style = Style {
        rename: vec![(Col::Billed, "实付金额(万元)")],
        ..units()
    };
    let f = write(
        dir.path(),
        "wan.csv",
        &exports::csv(&exports::orders(), &style),
    );
    let got = check_path(&f);
    assert_eq!(
        got.strings("unknown_columns"),
        [
            "实付金额(万元) (billed_amount with '(万元)', which billrun does not read: convert it \
          and write a plain header or one in 元 / %, or map it in the catalog's [columns])"
        ]
    );
    // Priced, but nothing billed: every line UNBILLED, not billed 0 nor 10,000 times less.
    assert_eq!(got.count("lines"), twin.count("lines"));
    assert_eq!(got.count("unbilled"), twin.count("lines"));
    assert_eq!(got.count("mismatches"), 0);
    assert_eq!(got.total("expected"), twin.total("expected"));
    assert_eq!(got.total("billed"), "0.00");
    assert_eq!(got.exceptions.len(), 1, "M-5004 only: {:?}", got.exceptions);
}

// 5. [columns] aliases in a user catalog.

#[test]
fn a_catalog_column_alias_reads_a_console_header() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let catalog = write(
        dir.path(),
        "catalog.toml",
        "[columns]\nbilled_amount = [\"现金支付\"]\n".as_bytes(),
    );
    let style = Style {
        chinese: true,
        rename: vec![(Col::Billed, "现金支付")],
        ..Style::default()
    };
    let f = write(
        dir.path(),
        "console.csv",
        &exports::csv(&exports::orders(), &style),
    );
    let (f, catalog) = (f.to_str().unwrap(), catalog.to_str().unwrap());
    // The user catalog merges over the built-in one: every SKU still priced.
    assert_as_twin(&check(&[f, "--catalog", catalog]), &twin, "aliased");
    let without = check(&[f]);
    assert_eq!(without.strings("unknown_columns"), ["现金支付"]);
    assert_eq!(without.count("unbilled"), twin.count("lines"));

    let out = billrun(&["catalog", "--catalog", catalog]);
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        printed.contains("\n[columns]\nbilled_amount = [\"现金支付\"]\n"),
        "{printed}"
    );
    assert!(
        printed.contains("[skus.qcs-online]"),
        "the built-in SKUs too"
    );
}

#[test]
fn a_catalog_column_alias_naming_no_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = write(
        dir.path(),
        "catalog.toml",
        "[columns]\nbilled = [\"现金支付\"]\n".as_bytes(),
    );
    let f = write(dir.path(), "clean.csv", &exports::clean_csv());
    let (stderr, json) = fails(&[f.to_str().unwrap(), "--catalog", catalog.to_str().unwrap()]);
    let message = format!(
        "catalog {}: key `columns`: [columns] names 'billed', which is no input column; the \
         columns are order_id, account_id, order_date, type, product, edition, quantity, term, \
         unit_price, discount, voucher, billed_amount, region, ref_order_id, reason, invoiced, \
         bonus_quantity, start_date, date, metric",
        catalog.display()
    );
    assert_eq!(stderr, format!("billrun: error: {message}\n"));
    assert_eq!(json["error"], message);
    // `billrun catalog` checks it as a run does.
    let out = billrun(&["catalog", "--catalog", catalog.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("billrun: error: {message}\n")
    );
}

// 6. A formula without a computed value.

#[test]
fn a_formula_without_a_value_is_no_value_never_unbilled() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    for book in [Book::Xlsx, Book::Ods] {
        let mut sheets = exports::sheets(&exports::orders(), &units(), Place::First);
        // E-6006 (row 8): 实付金额 = 数量 × 899.1, never calculated.
        let billed = exports::COLS
            .iter()
            .position(|&c| c == Col::Billed)
            .unwrap();
        assert_eq!(sheets[0].rows[7][0], t("E-6006"));
        sheets[0].rows[7][billed] = V::FormulaNoValue("G8*899.1".into());
        let f = write(
            dir.path(),
            &format!("formula.{}", book.ext()),
            &book.write(&sheets),
        );
        let got = check_path(&f);
        assert_eq!(got.count("rows_read"), twin.count("rows_read"), "{book:?}");
        assert_eq!(got.count("unbilled"), 0, "{book:?}");
        assert_eq!(got.count("lines"), twin.count("lines") - 1, "{book:?}");
        assert_eq!(
            got.total("expected"),
            "123785.00",
            "{book:?}: less 3,596.40"
        );
        let e = got.with_code("NO_VALUE");
        assert_eq!(e.len(), 1, "{book:?}: {:?}", got.exceptions);
        assert_eq!(e[0].at, format!("{}:8", f.display()));
        assert_eq!(
            (
                e[0].order.as_str(),
                e[0].column.as_str(),
                e[0].value.as_str()
            ),
            ("E-6006", "billed_amount", "(formula without a value)")
        );
        assert_eq!(
            e[0].message,
            "billed_amount is a formula whose value was never calculated (the file was saved by a \
             program, not by Excel): open the file in Excel, save it, and run again"
        );
    }
}

// 7. Discounts: a bare fraction is ambiguous, a percent is not.

#[test]
fn a_bare_fraction_discount_is_ambiguous_and_a_percent_is_not() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(exports::clean_csv()).unwrap();
    assert!(text.contains(",10%,,\"3,596.40\","));
    let bare = write(
        dir.path(),
        "bare.csv",
        text.replace(",10%,,\"3,596.40\",", ",0.1,,\"3,596.40\",")
            .as_bytes(),
    );
    let got = check_path(&bare);
    let e = got.with_code("AMBIGUOUS_DISCOUNT");
    assert_eq!(e.len(), 1, "{:?}", got.exceptions);
    assert_eq!(e[0].at, format!("{}:8", bare.display()));
    assert_eq!(
        (
            e[0].order.as_str(),
            e[0].column.as_str(),
            e[0].value.as_str()
        ),
        ("E-6006", "discount", "0.1")
    );
    assert_eq!(
        e[0].message,
        "discount '0.1' could be a percentage or an amount: write 10% for a percentage, or ¥0.1 \
         for an amount off the line"
    );
    assert_eq!(got.count("lines"), twin.count("lines") - 1);
    assert_eq!(got.total("expected"), "123785.00");
    // `10%` in the CSV (the twin) and a Percent(0.1) cell in an .xlsx are both 10%.
    let xlsx = write(
        dir.path(),
        "percent.xlsx",
        &Book::Xlsx.write(&exports::sheets(
            &exports::orders(),
            &Style::default(),
            Place::First,
        )),
    );
    assert!(
        exports::sheet("x", &exports::orders(), &Style::default()).rows[7]
            .contains(&V::Percent(0.1))
    );
    assert_as_twin(&check_path(&xlsx), &twin, "xlsx percent cells");
}

// 8. Placeholders.

#[test]
fn placeholders_are_empty_in_optional_cells_and_missing_in_required_ones() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let style = Style {
        placeholders: true,
        ..units()
    };
    let text = String::from_utf8(exports::csv(&exports::orders(), &style)).unwrap();
    for p in [",-,", ",无,", ",N/A,"] {
        assert!(text.contains(p), "{p}: {text}");
    }
    let f = write(dir.path(), "placeholders.csv", text.as_bytes());
    assert_as_twin(&check_path(&f), &twin, "placeholders (csv)");
    let f = write(
        dir.path(),
        "placeholders.xlsx",
        &Book::Xlsx.write(&exports::sheets(&exports::orders(), &style, Place::First)),
    );
    assert_as_twin(&check_path(&f), &twin, "placeholders (xlsx)");

    // In a required cell a placeholder is a missing value.
    let mut rows = exports::text_rows(&exports::orders(), &Style::default());
    rows[4][1] = "-".into(); // Q-1005's account
    rows[3][4] = "无".into(); // Q-1003's product
    rows[8][2] = "N/A".into(); // Q-7001's order date
    let f = write(
        dir.path(),
        "required.csv",
        exports::csv_of(&rows).as_bytes(),
    );
    let got = check_path(&f);
    let missing: Vec<(String, String, String, String)> = got
        .with_code("MISSING_VALUE")
        .iter()
        .map(|e| {
            (
                e.at.clone(),
                e.order.clone(),
                e.column.clone(),
                e.message.clone(),
            )
        })
        .collect();
    let at = |row: u32| format!("{}:{row}", f.display());
    assert_eq!(
        missing,
        [
            (
                at(4),
                "Q-1003".into(),
                "product".into(),
                "product is empty: every order row except a refund needs its product".into()
            ),
            (
                at(5),
                "Q-1005".into(),
                "account_id".into(),
                "account_id is empty: every order row needs the customer account it bills".into()
            ),
            (
                at(9),
                "Q-7001".into(),
                "order_date".into(),
                "order_date is empty: every order row needs the date of its event".into()
            ),
        ]
    );
    assert_eq!(got.count("lines"), twin.count("lines") - 3);
}

// 9. A folder of exports under any names.

#[test]
fn a_folder_reads_every_export_by_its_headers_and_lists_what_it_skipped() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let all = exports::orders();
    let (a, rest) = all.split_at(4); // Q-1001 ×2, Q-1003, Q-1005
    let (b, c) = rest.split_at(2); // M-5003, M-5004 | E-6006, Q-7001
    let d = dir.path();
    let bom_title = Style {
        bom: true,
        title: true,
        chinese: true,
        ..Style::default()
    };
    let files = [
        write(d, "订单明细.csv", &exports::csv(a, &bom_title)),
        write(d, "bill-orders.csv", &exports::csv(b, &Style::default())),
        write(
            d,
            "2025-12 export.xls",
            &Book::Xls.write(&exports::sheets(
                c,
                &Style {
                    units: true,
                    ..titled()
                },
                Place::Hidden,
            )),
        ),
        write(
            d,
            "consumption.xlsx",
            &Book::Xlsx.write(&[exports::usage_sheet("用量明细")]),
        ),
    ];
    write(
        d,
        "README.md",
        "# 2025 exports\n\norder_id,account_id\n".as_bytes(),
    );
    let notes = write(d, "notes.csv", "备注\n请核对以下订单\n".as_bytes());
    // An earlier run's output in the same folder, holding an orders table of its own.
    let invoices = write(
        d,
        "invoices.xlsx",
        &Book::Xlsx.write(&exports::sheets(&all, &Style::default(), Place::First)),
    );
    let got = check_path(d);
    // In reading order: the orders files sorted by name, then the usage file.
    let names: Vec<String> = [2, 1, 0, 3]
        .iter()
        .map(|&i| files[i].display().to_string())
        .collect();
    assert_eq!(got.strings("inputs"), names);
    assert_eq!(
        got.strings("tables"),
        [
            format!(
                "{}: orders, {}, sheet '{ORDERS_SHEET}', header on row 3",
                files[2].display(),
                Book::Xls.name()
            ),
            format!("{}: orders, header on row 1", files[1].display()),
            format!("{}: orders, header on row 3", files[0].display()),
            format!(
                "{}: usage, {}, sheet '用量明细', header on row 1",
                files[3].display(),
                Book::Xlsx.name()
            ),
        ]
    );
    assert_eq!(
        got.strings("skipped"),
        [
            format!(
                "{}: a billrun output name, not read as an export (rename it if it is one)",
                invoices.display()
            ),
            format!(
                "{}: no orders or usage header in its first 20 rows (the file: row 1 has 备注; \
                 for orders it lacks order_id or 订单号; account_id, 客户ID or 企业ID; order_date or 下单日期; \
                 type, 订单类型 or order_type; product or 产品)",
                notes.display()
            ),
        ]
    );
    assert_eq!(
        got.count("rows_read"),
        twin.count("rows_read") + exports::USAGE_ROWS
    );
    assert_eq!(got.count("usage_rows"), exports::USAGE_ROWS);
    for k in ["lines", "exceptions", "unbilled", "mismatches"] {
        assert_eq!(got.count(k), twin.count(k), "{k}");
    }
    for k in ["expected", "billed", "difference", "usage_overage"] {
        assert_eq!(got.total(k), twin.total(k), "{k}");
    }
}

// 10. One workbook holding orders and usage.

fn orders_and_usage(dir: &Path) -> PathBuf {
    let sheets = [
        exports::sheet(ORDERS_SHEET, &exports::orders(), &Style::default()),
        exports::usage_sheet("用量"),
    ];
    write(dir, "2025.xlsx", &Book::Xlsx.write(&sheets))
}

#[test]
fn a_workbook_of_orders_and_usage_is_read_once_however_it_is_named() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let f = orders_and_usage(dir.path());
    let name = f.to_str().unwrap();
    let tables = [
        format!(
            "{name}: orders, {}, sheet '{ORDERS_SHEET}', header on row 1",
            Book::Xlsx.name()
        ),
        format!(
            "{name}: usage, {}, sheet '用量', header on row 1",
            Book::Xlsx.name()
        ),
    ];
    for args in [
        vec![name],
        vec!["--orders", name, "--usage", name],
        vec![name, "--orders", name, "--usage", name],
    ] {
        let got = check(&args);
        assert_eq!(got.strings("tables"), tables, "{args:?}");
        assert_eq!(got.strings("inputs"), [name], "{args:?}");
        assert_eq!(
            got.count("rows_read"),
            twin.count("rows_read") + exports::USAGE_ROWS,
            "{args:?}"
        );
        assert_eq!(got.count("usage_rows"), exports::USAGE_ROWS, "{args:?}");
        assert_eq!(got.count("lines"), twin.count("lines"), "{args:?}");
        assert_eq!(got.total("expected"), twin.total("expected"), "{args:?}");
        assert_eq!(got.total("billed"), twin.total("billed"), "{args:?}");
        assert!(got.with_code("DUPLICATE").is_empty(), "{args:?}");
    }
}

// 11. Two sheets of orders.

#[test]
fn two_sheets_of_orders_need_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let all = exports::orders();
    let (jan, feb) = all.split_at(4);
    let sheets = [
        exports::sheet("一月", jan, &Style::default()),
        exports::sheet("二月", feb, &titled()),
    ];
    let f = write(dir.path(), "orders.xlsx", &Book::Xlsx.write(&sheets));
    let name = f.to_str().unwrap();
    let message = format!(
        "{name}: sheets '一月', '二月' all hold orders; say which one to read with --sheet NAME, \
         or save them as separate files"
    );
    for args in [vec![name], vec!["--orders", name]] {
        let (stderr, json) = fails(&args);
        assert_eq!(stderr, format!("billrun: error: {message}\n"), "{args:?}");
        assert_eq!(json["error"], message);
    }
    let got = check(&[name, "--sheet", "二月"]);
    assert_eq!(
        got.strings("tables"),
        [format!(
            "{name}: orders, {}, sheet '二月', header on row 3",
            Book::Xlsx.name()
        )]
    );
    assert_eq!(got.count("rows_read"), feb.len() as u64);
    // M-5003, E-6006, Q-7001 priced; M-5004 refused.
    assert_eq!(got.count("lines"), 3);
    assert_eq!(got.total("expected"), "94091.40");
}

// 12. No table anywhere.

#[test]
fn a_workbook_without_a_table_lists_each_sheet_and_what_it_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let mut summary = Sheet::new("汇总");
    summary.rows = vec![
        vec![t("订单号"), t("客户ID"), t("实付金额(万元)")],
        vec![t("Q-1001"), t("ACME-001"), V::Num(2.159)],
    ];
    let mut hidden = exports::notes_sheet("说明");
    hidden.hidden = true;
    let f = write(
        dir.path(),
        "report.xlsx",
        &Book::Xlsx.write(&[summary, hidden, Sheet::new("Sheet3")]),
    );
    let name = f.to_str().unwrap();
    let (stderr, json) = fails(&[name]);
    let message = format!(
        "{name}: no orders or usage table found: the header row must be within the first 20 rows \
         and name every required column (English or Chinese headers; see README, Reading \
         exports). What was found:\n  \
         sheet '汇总': row 1 has 订单号, 客户ID, 实付金额(万元); for orders it lacks order_date or \
         下单日期; type, 订单类型 or order_type; product or 产品 (headers not matched: \
         实付金额(万元) (billed_amount with '(万元)', which billrun does not read: convert it and \
         write a plain header or one in 元 / %, or map it in the catalog's [columns]))\n  \
         sheet '说明' (hidden): row 1 has 导出说明; for orders it lacks order_id or 订单号; \
         account_id, 客户ID or 企业ID; order_date or 下单日期; type, 订单类型 or order_type; \
         product or 产品\n  \
         sheet 'Sheet3': no rows in its first 20"
    );
    assert_eq!(stderr, format!("billrun: error: {message}\n"));
    assert_eq!(json["error"], message);
}

// 13. The same export twice, and a corrected re-export.

#[test]
fn the_same_export_twice_in_a_folder_is_counted_once() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let first = write(dir.path(), "orders-2025-a.csv", &exports::clean_csv());
    let again = write(
        dir.path(),
        "orders-2025-b.xlsx",
        &Book::Xlsx.write(&exports::sheets(
            &exports::orders(),
            &titled(),
            Place::Later,
        )),
    );
    let got = check_path(dir.path());
    assert_eq!(got.count("rows_read"), 2 * twin.count("rows_read"));
    assert_eq!(got.count("lines"), twin.count("lines"));
    for k in ["expected", "billed", "difference"] {
        assert_eq!(got.total(k), twin.total(k), "{k}");
    }
    let dups = got.with_code("DUPLICATE");
    assert_eq!(
        dups.len() as u64,
        twin.count("rows_read"),
        "{:?}",
        got.exceptions
    );
    let again_name = again.display().to_string();
    for (e, row) in dups.iter().zip(4..) {
        assert_eq!(e.at, format!("{again_name}:{row}"));
        assert!(
            e.message
                .contains(&format!("this order repeats {}", first.display())),
            "{e:?}"
        );
    }
    // The first copy keeps its own exception, once.
    let bad: Vec<_> = got.with_code("BAD_VALUE");
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].at, format!("{}:7", first.display()));
}

#[test]
fn a_corrected_re_export_sets_the_order_aside_in_both_copies() {
    let twin = twin();
    let dir = tempfile::tempdir().unwrap();
    let first = write(dir.path(), "orders-2025-a.csv", &exports::clean_csv());
    let mut corrected = exports::orders();
    assert_eq!(corrected[6].order_id, "E-6006");
    corrected[6].billed_fen = 350_000;
    let again = write(
        dir.path(),
        "orders-2025-b.xlsx",
        &Book::Xlsx.write(&exports::sheets(&corrected, &titled(), Place::First)),
    );
    let got = check_path(dir.path());
    let conflicts = got.with_code("CONFLICTING_EXPORT");
    assert_eq!(
        conflicts.iter().map(|e| e.at.clone()).collect::<Vec<_>>(),
        [
            format!("{}:8", first.display()),
            format!("{}:10", again.display())
        ],
        "{:?}",
        got.exceptions
    );
    for e in &conflicts {
        assert_eq!(e.order, "E-6006");
        assert_eq!(e.column, "billed_amount");
        assert!(
            e.message
                .contains(&format!("{} and {}", first.display(), again.display())),
            "{e:?}"
        );
        assert!(e.message.contains("billed_amount is 3596.40 in"), "{e:?}");
    }
    // The other orders of the re-export are duplicates; E-6006 is priced nowhere.
    assert_eq!(
        got.with_code("DUPLICATE").len() as u64,
        twin.count("rows_read") - 1
    );
    assert_eq!(got.count("lines"), twin.count("lines") - 1);
    assert_eq!(got.total("expected"), "123785.00");
    assert_eq!(got.total("billed"), "123785.00");
}
