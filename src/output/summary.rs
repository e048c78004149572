//! The Summary sheet of invoices.xlsx: key figures first (and the period's revenue, with
//! `--period`), then run facts, row counts with their check, and the per-product table with a
//! chart of expected vs billed by product; with `--period`, recognized revenue by product and
//! its chart. The label/value `Cursor` and the run facts are shared with the Summary of
//! refunds.xlsx and reprice.xlsx.

pub(super) use super::cursor::Cursor;
use super::lang::{Lang, Text, label, sheet, sheet_ref, t};
use super::style::Styles;
use super::table::SheetError;
use crate::report::{ProductTotal, Report, Revenue, RunFacts};
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartLegendPosition, ColNum, RowNum, Workbook, Worksheet, XlsxError,
};

/// The Summary sheet's name, shared by the three workbooks.
pub const SHEET: Text = sheet::SUMMARY;

/// Headers of the per-product table.
pub const PRODUCT_HEADERS: [Text; 6] = [
    t("product", "产品"),
    t("lines", "行数"),
    t("expected", "应收金额"),
    t("billed", "实付金额"),
    t("unbilled", "未计费金额"),
    t("difference", "差额"),
];

/// Headers of the per-product table of recognized revenue (with `--period`).
pub const REVENUE_PRODUCT_HEADERS: [Text; 2] =
    [t("product", "产品"), t("recognized_in_period", "本期确认")];

/// Sheet column where the charts start, right of the tables.
const CHART_COL: ColNum = 7;
/// A bar chart's height in pixels: room for `products` pairs of bars (at least Excel's 288).
fn chart_height(products: RowNum) -> u32 {
    288.max(80 + 36 * products)
}

/// Rows a chart of `products` covers (20 px rows), with a gap: a second chart starts at
/// least this far below the first so they never overlap.
fn chart_rows(products: RowNum) -> RowNum {
    chart_height(products).div_ceil(20) + 2
}

/// A bar chart's axes: categories top down in table order, amounts in whole yuan with a title.
fn amount_axes(chart: &mut Chart, lang: Lang) {
    chart.x_axis().set_reverse();
    chart
        .y_axis()
        .set_num_format("#,##0")
        .set_name(t("Amount (CNY)", "金额（元）").get(lang));
}

/// Fills invoices.xlsx's Summary sheet, added first and empty so that it leads the workbook
/// while the Lines stream in. It is small, so it is an ordinary (in-memory) worksheet, which
/// also lets the chart read its cached values.
pub fn fill_summary(
    ws: &mut Worksheet,
    styles: &Styles,
    lang: Lang,
    report: &Report,
    lines_sheets: Option<&[String]>,
) -> Result<(), SheetError> {
    fill(ws, styles, lang, report, lines_sheets).map_err(|source| SheetError {
        sheet: SHEET.get(lang).to_string(),
        source,
    })
}

/// Adds a workbook's Summary sheet (an ordinary worksheet, so charts can read its cached
/// values) filled by `fill`; a failure names the sheet.
pub fn add_summary_sheet(
    workbook: &mut Workbook,
    lang: Lang,
    fill: impl FnOnce(&mut Worksheet) -> Result<(), XlsxError>,
) -> Result<(), SheetError> {
    fill(workbook.add_worksheet()).map_err(|source| SheetError {
        sheet: SHEET.get(lang).to_string(),
        source,
    })
}

/// The live formulas of the key figures over the Lines sheets `sheets` (every part):
/// `(expected, billed, unbilled, difference)`.
fn key_formulas(sheets: &[String]) -> [String; 4] {
    use super::formulas::cols::{BILLED, DIFFERENCE, EXPECTED};
    let each =
        |f: &dyn Fn(&str) -> String| sheets.iter().map(|s| f(&sheet_ref(s))).collect::<Vec<_>>();
    let sum = |col: &str| format!("=SUM({})", each(&|s| format!("{s}!{col}:{col}")).join(","));
    let unbilled =
        each(&|s| format!("SUMIFS({s}!{EXPECTED}:{EXPECTED},{s}!{BILLED}:{BILLED},\"\")"));
    [
        sum(EXPECTED),
        sum(BILLED),
        format!("={}", unbilled.join("+")),
        sum(DIFFERENCE),
    ]
}

fn fill(
    ws: &mut Worksheet,
    st: &Styles,
    lang: Lang,
    report: &Report,
    lines_sheets: Option<&[String]>,
) -> Result<(), XlsxError> {
    let name = SHEET.get(lang);
    ws.set_name(name)?;
    super::workbook::print_setup(ws, lang, false)?;
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, 18)?;
    for c in 2..=4 {
        ws.set_column_width(c, 16)?;
    }
    let facts = &report.facts;
    let mut k = Cursor::new(ws, st, lang);
    k.title(t("billrun invoices", "billrun 发票"))?;
    k.row = 2;

    // Labels the key figures and the counts share.
    let lines = t("Lines", "明细行数");
    let mismatches = t("Mismatches", "不符行数");
    let unbilled = t("Unbilled lines", "未计费行数");
    let exceptions = t("Exceptions", "异常数");

    k.section(label::KEY_FIGURES)?;
    let figures = [
        (t("Expected", "应收金额"), report.total_expected),
        (t("Billed", "实付金额"), report.total_billed),
        (t("Unbilled", "未计费金额"), report.total_unbilled),
        (t("Difference", "差额"), report.total_difference),
    ];
    let formulas = lines_sheets.map(key_formulas);
    for (i, (label, value)) in figures.into_iter().enumerate() {
        match &formulas {
            Some(f) => k.amount_live(label, &f[i], value)?,
            None => k.amount(label, value)?,
        }
    }
    {
        // Unbilled lines are in Expected but in neither Billed nor Difference.
        let check = k.say(t("Totals check", "金额核对"));
        let rule = k.say(t(
            "Billed = Expected − Unbilled + Difference",
            "实付金额 = 应收金额 − 未计费金额 + 差额",
        ));
        let off = report.total_billed
            - (report.total_expected - report.total_unbilled + report.total_difference);
        let verdict = if off.is_zero() {
            "OK".to_string()
        } else {
            match lang {
                Lang::En => format!("off by {}", crate::money::fmt_money(off)),
                Lang::Zh => format!("相差 {}", crate::money::fmt_money(off)),
            }
        };
        let mut c = k.cells();
        c.text(0, check)?;
        c.text(1, &verdict)?;
        c.text(2, rule)?;
        k.row += 1;
    }
    k.amount(t("Refunded", "退款金额"), report.total_refunded)?;
    k.amount(t("Usage overage", "超额用量金额"), report.total_overage)?;
    k.count(lines, report.line_count)?;
    k.count(mismatches, report.mismatches)?;
    k.count(unbilled, report.unbilled)?;
    k.count(exceptions, report.exceptions.len())?;
    k.skip();

    if let Some(revenue) = &report.revenue {
        let title = t("Revenue", "收入确认");
        k.section_str(&format!("{} {}", k.say(title), revenue.period))?;
        let total = &revenue.total;
        k.amount(
            t("Recognized in period", "本期确认收入"),
            total.recognized_in_period,
        )?;
        k.amount(t("Deferred at end", "期末递延收入"), total.deferred_at_end)?;
        k.amount(
            t("Recognized before", "期前已确认收入"),
            total.recognized_before,
        )?;
        k.skip();
    }

    write_run_facts(&mut k, facts)?;
    k.amount(t("Tolerance", "容差"), facts.tolerance)?;
    k.text(
        t("Low pack alert below", "资源包余量预警线"),
        &percent(facts.alert_below),
    )?;
    if !facts.unknown_columns.is_empty() {
        k.text(
            t("Unused input columns", "未使用的输入列"),
            &facts.unknown_columns.join(", "),
        )?;
    }
    k.skip();

    k.section(t("Counts", "行数核对"))?;
    k.count(t("Rows read", "读取行数"), facts.rows_read)?;
    k.count(t("Blank rows skipped", "跳过的空行"), facts.blank_rows)?;
    k.count(lines, report.line_count)?;
    k.count(t("Refunds", "退款申请数"), facts.refunds)?;
    k.count(t("Usage rows", "用量行数"), facts.usage_rows)?;
    k.count(exceptions, report.exceptions.len())?;
    k.count(
        t("Rows outside period", "期间外行数"),
        facts.rows_outside_period,
    )?;
    if let Some(shard) = &facts.shard {
        k.count(
            t("Rows in other shards", "其他分片行数"),
            facts.rows_other_shards,
        )?;
        k.text(t("Shard", "分片"), shard)?;
    }
    k.count(mismatches, report.mismatches)?;
    k.count(unbilled, report.unbilled)?;
    // One refund request may decide several order lines: informational, not in the check.
    k.count(t("Refund decisions", "退款决定数"), report.refunds.len())?;
    let accounted = report.accounted_rows();
    k.count(t("Rows accounted for", "已归位行数"), accounted)?;
    {
        let check = k.say(t("Check", "核对"));
        let rule = k.say(t(
            "lines + refunds + usage rows + exceptions + rows outside period (+ rows in other shards) = rows read",
            "明细行数 + 退款申请数 + 用量行数 + 异常数 + 期间外行数（+ 其他分片行数）= 读取行数",
        ));
        let mut c = k.cells();
        c.text(0, check)?;
        c.text(1, &check_verdict(accounted, facts.rows_read, lang))?;
        c.text(2, rule)?;
        k.row += 1;
    }
    k.skip();

    k.section(label::BY_PRODUCT)?;
    let header_row = k.row;
    k.headers(&PRODUCT_HEADERS)?;
    let first = k.row;
    let mut chart_row = None;
    // Largest first, so the chart reads top down and small products are not lost.
    let mut products: Vec<&ProductTotal> = report.products.iter().collect();
    products.sort_by(|a, b| b.expected.cmp(&a.expected).then(a.product.cmp(&b.product)));
    for p in products {
        let mut c = k.cells();
        c.text(0, &p.product)?;
        c.count(1, p.lines as u64)?;
        c.amount(2, p.expected)?;
        c.amount(3, p.billed)?;
        c.amount(4, p.unbilled)?;
        c.amount(5, p.difference)?;
        k.row += 1;
    }
    if !report.products.is_empty() {
        let last = k.row - 1;
        let mut c = k.cells();
        c.styled_text(0, label::TOTAL.get(lang), &st.section)?;
        c.count(
            1,
            report.products.iter().map(|p| p.lines as u64).sum::<u64>(),
        )?;
        c.amount(2, report.total_expected)?;
        c.amount(3, report.total_billed)?;
        c.amount(4, report.total_unbilled)?;
        c.amount(5, report.total_difference)?;
        k.row += 1;

        // Horizontal bars, the two of a product side by side, each labelled with its amount:
        // one product's millions cannot hide another's thousands.
        let mut chart = Chart::new_bar();
        let series = [(t("Expected", "应收金额"), 2), (t("Billed", "实付金额"), 3)];
        for (series_name, column) in series {
            chart
                .add_series()
                .set_name(series_name.get(lang))
                .set_categories((name, first, 0, last, 0))
                .set_values((name, first, column, last, column))
                .set_data_label(ChartDataLabel::new().show_value().set_num_format("#,##0"));
        }
        chart
            .title()
            .set_name(t("Expected vs billed by product", "各产品应收与实付").get(lang));
        chart.legend().set_position(ChartLegendPosition::Bottom);
        amount_axes(&mut chart, lang);
        chart.set_height(chart_height(last - first + 1));
        k.ws.insert_chart(header_row, CHART_COL, &chart)?;
        chart_row = Some((header_row, last - first + 1));
    }

    if let Some(revenue) = &report.revenue {
        k.skip();
        write_revenue_by_product(&mut k, revenue, chart_row)?;
    }
    Ok(())
}

/// The per-product table of revenue recognized in the period, with a Total row and a chart
/// over the table's cells (a chart reads an ordinary worksheet's cells, not the constant-memory
/// Revenue sheets). `chart_above` is the row of the chart already on the sheet and the
/// products it shows, if any.
fn write_revenue_by_product(
    k: &mut Cursor<'_>,
    revenue: &Revenue,
    chart_above: Option<(RowNum, RowNum)>,
) -> Result<(), XlsxError> {
    let (st, lang) = (k.st, k.lang);
    let sheet = SHEET.get(lang);
    let title = match lang {
        Lang::En => format!("Recognized revenue by product, {}", revenue.period),
        Lang::Zh => format!("各产品本期确认收入，{}", revenue.period),
    };
    k.section_str(&title)?;
    let header_row = k.row;
    k.headers(&REVENUE_PRODUCT_HEADERS)?;
    let first = k.row;
    for p in &revenue.products {
        let mut c = k.cells();
        c.text(0, &p.key)?;
        c.amount(1, p.recognized_in_period)?;
        k.row += 1;
    }
    if revenue.products.is_empty() {
        return Ok(());
    }
    let last = k.row - 1;
    {
        let mut c = k.cells();
        c.styled_text(0, label::TOTAL.get(lang), &st.section)?;
        c.amount(1, revenue.total.recognized_in_period)?;
        k.row += 1;
    }

    let mut chart = Chart::new_bar();
    chart
        .add_series()
        .set_name(t("Recognized in period", "本期确认收入").get(lang))
        .set_categories((sheet, first, 0, last, 0))
        .set_values((sheet, first, 1, last, 1))
        .set_data_label(ChartDataLabel::new().show_value().set_num_format("#,##0"));
    chart.title().set_name(&title);
    chart.legend().set_hidden();
    amount_axes(&mut chart, lang);
    chart.set_height(chart_height(last - first + 1));
    let row = match chart_above {
        Some((above, products)) => header_row.max(above + chart_rows(products)),
        None => header_row,
    };
    k.ws.insert_chart(row, CHART_COL, &chart)?;
    Ok(())
}

/// The "Run" section both Summary sheets open their facts with: the section title, inputs,
/// as-of date (a date cell), period and catalog. Callers add their own facts after it.
pub(super) fn write_run_facts(k: &mut Cursor<'_>, facts: &RunFacts) -> Result<(), XlsxError> {
    let inputs = t("Inputs", "输入文件");
    let as_of = t("As of", "状态日期");
    k.section(t("Run", "运行信息"))?;
    if facts.inputs.is_empty() {
        k.text(inputs, k.say(t("(none)", "（无）")))?;
    }
    for (i, input) in facts.inputs.iter().enumerate() {
        k.text(if i == 0 { inputs } else { t("", "") }, input)?;
    }
    for (i, table) in facts.tables.iter().enumerate() {
        k.text(
            if i == 0 {
                t("Read as", "读取方式")
            } else {
                t("", "")
            },
            table,
        )?;
    }
    for (i, skipped) in facts.skipped.iter().enumerate() {
        k.text(
            if i == 0 {
                t("Skipped files", "跳过的文件")
            } else {
                t("", "")
            },
            skipped,
        )?;
    }
    match facts.as_of {
        Some(d) => {
            let label = k.say(as_of);
            let mut c = k.cells();
            c.text(0, label)?;
            c.date(1, d)?;
            k.row += 1;
        }
        None => k.text(as_of, k.say(t("(not set)", "（未设置）")))?,
    }
    let all_dates = k.say(t("(all dates)", "（全部日期）"));
    k.text(
        t("Period", "期间"),
        facts.period.as_deref().unwrap_or(all_dates),
    )?;
    k.text(t("Catalog", "价目表"), &facts.catalog)?;
    Ok(())
}

/// `10` → `10%`: `--alert-below` is a percentage of a pack's size.
fn percent(value: Decimal) -> String {
    format!("{}%", value.normalize())
}

/// `OK` (a code, the same in both languages) or, in `lang`, how far the count is off.
fn check_verdict(accounted: usize, rows_read: usize, lang: Lang) -> String {
    if accounted == rows_read {
        "OK".to_string()
    } else if accounted < rows_read {
        let n = rows_read - accounted;
        match lang {
            Lang::En => format!("{n} rows unaccounted for"),
            Lang::Zh => format!("{n} 行未归位"),
        }
    } else {
        let n = accounted - rows_read;
        match lang {
            Lang::En => format!("{n} rows counted twice"),
            Lang::Zh => format!("{n} 行重复计数"),
        }
    }
}
