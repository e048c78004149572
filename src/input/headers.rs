//! Column headers: the English and Chinese names each field accepts (SPEC 5.1, 5.2), and the
//! mapping of a header row onto fields.

use super::InputError;

/// Every field of the two exports; the variant names the column as the spec does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    OrderId,
    AccountId,
    OrderDate,
    Type,
    Product,
    Edition,
    Quantity,
    Term,
    UnitPrice,
    Discount,
    Voucher,
    BilledAmount,
    Region,
    RefOrderId,
    Reason,
    Invoiced,
    BonusQuantity,
    StartDate,
    Date,
    Metric,
}

const COL_COUNT: usize = Col::Metric as usize + 1;

impl Col {
    /// The column's name in the spec, used in messages and exceptions.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Col::OrderId => "order_id",
            Col::AccountId => "account_id",
            Col::OrderDate => "order_date",
            Col::Type => "type",
            Col::Product => "product",
            Col::Edition => "edition",
            Col::Quantity => "quantity",
            Col::Term => "term",
            Col::UnitPrice => "unit_price",
            Col::Discount => "discount",
            Col::Voucher => "voucher",
            Col::BilledAmount => "billed_amount",
            Col::Region => "region",
            Col::RefOrderId => "ref_order_id",
            Col::Reason => "reason",
            Col::Invoiced => "invoiced",
            Col::BonusQuantity => "bonus_quantity",
            Col::StartDate => "start_date",
            Col::Date => "date",
            Col::Metric => "metric",
        }
    }
}

/// A field of one export: the headers it accepts besides its English name, and whether the
/// file must have the column.
pub(crate) struct Field {
    pub col: Col,
    pub also: &'static [&'static str],
    pub required: bool,
}

const fn field(col: Col, also: &'static [&'static str], required: bool) -> Field {
    Field {
        col,
        also,
        required,
    }
}

pub(crate) const ORDER_FIELDS: &[Field] = &[
    field(Col::OrderId, &["订单号"], true),
    field(Col::AccountId, &["客户ID", "企业ID"], true),
    field(Col::OrderDate, &["下单日期"], true),
    field(Col::Type, &["订单类型", "order_type"], true),
    field(Col::Product, &["产品"], true),
    field(Col::Edition, &["版本"], false),
    field(Col::Quantity, &["数量"], false),
    field(Col::Term, &["时长"], false),
    field(Col::UnitPrice, &["单价"], false),
    field(Col::Discount, &["折扣"], false),
    field(Col::Voucher, &["代金券"], false),
    field(Col::BilledAmount, &["实付金额"], false),
    field(Col::Region, &["地域"], false),
    field(Col::RefOrderId, &["原订单号"], false),
    field(Col::Reason, &["退款原因", "refund_reason"], false),
    field(Col::Invoiced, &["已开票"], false),
    field(Col::BonusQuantity, &["赠送数量"], false),
    field(Col::StartDate, &["开通日期"], false),
];

pub(crate) const USAGE_FIELDS: &[Field] = &[
    field(Col::AccountId, &["客户ID"], true),
    field(Col::Date, &["日期"], true),
    field(Col::Metric, &["指标"], true),
    field(Col::Quantity, &["用量"], true),
    field(Col::OrderId, &["订单号"], false),
];

impl Field {
    /// Every header this field accepts: its spec name, the built-in aliases, the user's.
    fn names<'a>(&'a self, aliases: &'a Aliases) -> impl Iterator<Item = &'a str> + 'a {
        std::iter::once(self.col.name())
            .chain(self.also.iter().copied())
            .chain(aliases.of(self.col))
    }

    fn accepts(&self, key: &str, aliases: &Aliases) -> bool {
        self.names(aliases).any(|a| normalize(a) == key)
    }

    /// The headers this field accepts, for the missing-column message.
    fn accepted(&self, aliases: &Aliases) -> String {
        let names: Vec<&str> = self.names(aliases).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => self.col.name().to_string(),
        }
    }
}

/// A unit written after a header in parentheses (`实付金额(元)`, `折扣（%）`, `时长(年)`). Only
/// these are dropped for matching: a unit billrun would have to convert (`(万元)`, `(USD)`)
/// or a qualifier that changes the meaning (`(不含税)`) leaves the header unmatched, so it
/// is reported instead of read as something it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Yuan,
    Percent,
    Years,
    Months,
    Count,
}

impl Unit {
    fn parse(key: &str) -> Option<Unit> {
        Some(match key {
            "元" | "人民币" | "人民币元" | "rmb" | "cny" | "¥" | "￥" | "yuan" => {
                Unit::Yuan
            }
            "%" | "百分比" | "percent" => Unit::Percent,
            "年" | "y" | "year" | "years" => Unit::Years,
            "月" | "个月" | "個月" | "m" | "month" | "months" => Unit::Months,
            "个" | "件" | "份" | "套" | "人" | "席" | "坐席" | "账号" | "条" | "次" | "pcs"
            | "units" | "seats" => Unit::Count,
            _ => return None,
        })
    }

    /// Whether a column may carry this unit: money columns yuan, a discount yuan or
    /// percent, a term years or months, quantities a count.
    fn fits(self, col: Col) -> bool {
        match self {
            Unit::Yuan => matches!(
                col,
                Col::UnitPrice | Col::Voucher | Col::BilledAmount | Col::Discount
            ),
            Unit::Percent => col == Col::Discount,
            Unit::Years | Unit::Months => col == Col::Term,
            Unit::Count => matches!(col, Col::Quantity | Col::BonusQuantity),
        }
    }
}

/// Headers the user maps onto fields (`[columns]` in the catalog:
/// `billed_amount = ["现金支付", "应付金额"]`), for a console's own export headers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aliases {
    by_col: Vec<(Col, String)>,
}

impl Aliases {
    /// Builds the aliases from `[columns]`: field name → headers.
    ///
    /// # Errors
    /// The first field name that is no column of either export, with the names accepted.
    pub fn new(columns: &std::collections::BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut by_col = Vec::new();
        for (name, headers) in columns {
            let col = ORDER_FIELDS
                .iter()
                .chain(USAGE_FIELDS)
                .map(|f| f.col)
                .find(|c| c.name() == name.trim())
                .ok_or_else(|| {
                    let mut known: Vec<&str> = Vec::new();
                    for f in ORDER_FIELDS.iter().chain(USAGE_FIELDS) {
                        if !known.contains(&f.col.name()) {
                            known.push(f.col.name());
                        }
                    }
                    format!(
                        "[columns] names '{name}', which is no input column; the columns are {}",
                        known.join(", ")
                    )
                })?;
            for h in headers {
                if normalize(h).is_empty() {
                    return Err(format!("[columns] {name} has an empty header"));
                }
                by_col.push((col, h.clone()));
            }
        }
        Ok(Aliases { by_col })
    }

    fn of(&self, col: Col) -> impl Iterator<Item = &str> + '_ {
        self.by_col
            .iter()
            .filter(move |(c, _)| *c == col)
            .map(|(_, h)| h.as_str())
    }
}

/// Where each field sits in the file (0-based column index), plus the headers no field took.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    at: [Option<usize>; COL_COUNT],
    units: [Option<Unit>; COL_COUNT],
    /// Headers no field took, once each, in file order, each with a hint when one helps.
    pub unknown: Vec<String>,
}

impl Columns {
    pub(crate) fn index(&self, col: Col) -> Option<usize> {
        self.at.get(col as usize).copied().flatten()
    }

    /// The unit the column's header states (`折扣(%)`: bare numbers are percentages).
    pub(crate) fn unit(&self, col: Col) -> Option<Unit> {
        self.units.get(col as usize).copied().flatten()
    }

    /// How many fields the row named: a header row of another kind names few.
    pub(crate) fn found(&self) -> usize {
        self.at.iter().filter(|a| a.is_some()).count()
    }
}

/// A header reduced to what matters for matching: no BOM, no spaces (full-width ones too),
/// underscores, dashes, asterisks or colons, full-width letters and punctuation made ASCII,
/// lower case. So `Order ID`, `order_id`, `*订单号：` and `客户ＩＤ` match `order_id`, `订单号`
/// and `客户ID`. Parentheses stay: [`split_unit`] reads them.
pub(crate) fn normalize(header: &str) -> String {
    header
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '_' | '-' | '*' | ':' | '·' | '\u{feff}' | '\u{200b}' | '"' | '\''
                )
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// A normalized header and the unit in its trailing parentheses, when that is a unit
/// billrun knows: `实付金额(元)` → (`实付金额`, yuan). Anything else in parentheses stays part
/// of the header.
fn split_unit(key: &str) -> (&str, Option<Unit>) {
    if let Some(inner_end) = key.strip_suffix(')')
        && let Some(open) = inner_end.rfind('(')
        && let (Some(base), Some(inner)) = (inner_end.get(..open), inner_end.get(open + 1..))
        && let Some(unit) = Unit::parse(inner)
        && !base.is_empty()
    {
        return (base, Some(unit));
    }
    (key, None)
}

/// A header row matched against one export's fields.
pub(crate) struct Matched {
    pub columns: Columns,
    /// The required fields no header names, in the spec's order.
    pub missing: Vec<&'static Field>,
    /// Two headers naming one field: (field, first header, second header), both with their
    /// column letters.
    pub duplicate: Option<(&'static str, String, String)>,
}

/// Matches a header row onto `fields`, never failing: what fits, what is missing, what is
/// doubled. [`map`] turns it into a verdict.
pub(crate) fn match_row(
    headers: &[String],
    fields: &'static [Field],
    aliases: &Aliases,
) -> Matched {
    let mut columns = Columns {
        at: [None; COL_COUNT],
        units: [None; COL_COUNT],
        unknown: Vec::new(),
    };
    let mut duplicate = None;
    for (i, header) in headers.iter().enumerate() {
        let full = normalize(header);
        if full.is_empty() {
            continue;
        }
        let shown = header.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let (base, unit) = split_unit(&full);
        let hit = fields
            .iter()
            .find(|f| f.accepts(&full, aliases))
            .map(|f| (f, None))
            .or_else(|| {
                let unit = unit?;
                fields
                    .iter()
                    .find(|f| unit.fits(f.col) && f.accepts(base, aliases))
                    .map(|f| (f, Some(unit)))
            });
        match hit {
            Some((f, unit)) => {
                let slot = f.col as usize;
                match columns.at.get(slot).copied().flatten() {
                    Some(first) => {
                        if duplicate.is_none() {
                            let first_header = headers.get(first).map_or("", |h| h.trim());
                            duplicate = Some((
                                f.col.name(),
                                format!("{} ('{first_header}')", letter(first)),
                                format!("{} ('{shown}')", letter(i)),
                            ));
                        }
                    }
                    None => {
                        if let Some(at) = columns.at.get_mut(slot) {
                            *at = Some(i);
                        }
                        if let Some(u) = columns.units.get_mut(slot) {
                            *u = unit;
                        }
                    }
                }
            }
            None => {
                let hinted = match suggest(&full, fields, aliases) {
                    Some(hint) => format!("{shown} ({hint})"),
                    None => shown.to_string(),
                };
                if !columns.unknown.contains(&hinted) {
                    columns.unknown.push(hinted);
                }
            }
        }
    }
    let missing = fields
        .iter()
        .filter(|f| f.required && columns.index(f.col).is_none())
        .collect();
    Matched {
        columns,
        missing,
        duplicate,
    }
}

/// What an unmatched header probably meant: a known header with a unit billrun does not
/// convert (`实付金额(万元)`), or the closest known name within a few edits (`实附金额`).
fn suggest(key: &str, fields: &[Field], aliases: &Aliases) -> Option<String> {
    if let Some(open) = key.rfind('(')
        && key.ends_with(')')
        && let (Some(base), Some(inner)) = (key.get(..open), key.get(open + 1..key.len() - 1))
        && let Some(f) = fields.iter().find(|f| f.accepts(base, aliases))
    {
        return Some(format!(
            "{} with '({inner})', which billrun does not read: convert it and write a plain \
             header or one in 元 / %, or map it in the catalog's [columns]",
            f.col.name()
        ));
    }
    let len = key.chars().count();
    let mut best: Option<(usize, &str)> = None;
    for f in fields {
        for name in f.names(aliases) {
            let d = strsim::levenshtein(key, &normalize(name));
            if best.is_none_or(|(b, _)| d < b) {
                best = Some((d, f.col.name()));
            }
        }
    }
    match best {
        Some((d, name)) if d > 0 && d <= (len / 3).max(1) => Some(format!("did you mean {name}?")),
        _ => None,
    }
}

/// Maps a header row onto `fields`.
///
/// # Errors
/// [`InputError::DuplicateColumn`] when two headers name one field;
/// [`InputError::MissingColumn`] for the first required field no header names.
pub(crate) fn map(
    file: &str,
    headers: &[String],
    fields: &'static [Field],
    aliases: &Aliases,
) -> Result<Columns, InputError> {
    let m = match_row(headers, fields, aliases);
    if let Some((column, first, second)) = m.duplicate {
        return Err(InputError::DuplicateColumn {
            file: file.to_string(),
            column,
            first,
            second,
        });
    }
    if let Some(f) = m.missing.first() {
        return Err(InputError::MissingColumn {
            file: file.to_string(),
            column: f.col.name(),
            accepted: f.accepted(aliases),
        });
    }
    Ok(m.columns)
}

/// The headers `field` accepts, for messages.
pub(crate) fn accepted(field: &Field, aliases: &Aliases) -> String {
    field.accepted(aliases)
}

/// The spreadsheet letter of a 0-based column index: 0 → A, 26 → AA.
pub(crate) fn letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    const ORDER_MIN: &[&str] = &["order_id", "account_id", "order_date", "type", "product"];

    #[test]
    fn english_headers_in_any_case_and_spacing() {
        let h = strings(&[
            "\u{feff}Order ID",
            " ACCOUNT_ID ",
            "order-date",
            "Type",
            "product\u{3000}",
        ]);
        let c = map("o.csv", &h, ORDER_FIELDS, &Aliases::default()).unwrap();
        assert_eq!(c.index(Col::OrderId), Some(0));
        assert_eq!(c.index(Col::AccountId), Some(1));
        assert_eq!(c.index(Col::OrderDate), Some(2));
        assert_eq!(c.index(Col::Product), Some(4));
        assert_eq!(c.index(Col::Term), None);
        assert!(c.unknown.is_empty());
    }

    #[test]
    fn chinese_headers() {
        let h = strings(&[
            "订单号",
            "企业ID",
            "下单日期",
            "订单类型",
            "产品",
            "时长",
            "单价",
            "折扣",
            "原订单号",
        ]);
        let c = map("o.csv", &h, ORDER_FIELDS, &Aliases::default()).unwrap();
        assert_eq!(c.index(Col::AccountId), Some(1));
        assert_eq!(c.index(Col::Term), Some(5));
        assert_eq!(c.index(Col::RefOrderId), Some(8));
        let h = strings(&["客户ＩＤ", "日期", "指标", "用量", "订单号"]);
        let c = map("u.csv", &h, USAGE_FIELDS, &Aliases::default()).unwrap();
        assert_eq!(c.index(Col::AccountId), Some(0));
        assert_eq!(c.index(Col::Quantity), Some(3));
        assert_eq!(c.index(Col::OrderId), Some(4));
    }

    #[test]
    fn unknown_columns_listed_once_in_order() {
        let mut h = strings(ORDER_MIN);
        h.extend(strings(&["备注", "", "note", "备注", "  "]));
        let c = map("o.csv", &h, ORDER_FIELDS, &Aliases::default()).unwrap();
        assert_eq!(c.unknown, vec!["备注", "note"]);
    }

    #[test]
    fn missing_required_column_names_file_column_and_headers() {
        let h = strings(&["order_id", "account_id", "type", "product"]);
        let e = map("orders.csv", &h, ORDER_FIELDS, &Aliases::default()).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(
            e,
            InputError::MissingColumn {
                column: "order_date",
                ..
            }
        ));
        assert!(msg.contains("orders.csv"), "{msg}");
        assert!(msg.contains("order_date"), "{msg}");
        assert!(msg.contains("下单日期"), "{msg}");
        let e = map(
            "o.csv",
            &strings(&["order_id", "order_date", "type", "product"]),
            ORDER_FIELDS,
            &Aliases::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("account_id, 客户ID or 企业ID"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_column_names_both_headers() {
        let mut h = strings(ORDER_MIN);
        h.push("客户ID".into());
        let e = map("o.csv", &h, ORDER_FIELDS, &Aliases::default()).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(
            e,
            InputError::DuplicateColumn {
                column: "account_id",
                ..
            }
        ));
        assert!(
            msg.contains("B ('account_id')") && msg.contains("F ('客户ID')"),
            "{msg}"
        );
    }

    #[test]
    fn letters() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(16383), "XFD");
    }
}
