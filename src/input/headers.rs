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
    fn accepts(&self, key: &str) -> bool {
        normalize(self.col.name()) == key || self.also.iter().any(|a| normalize(a) == key)
    }

    /// The headers this field accepts, for the missing-column message.
    fn accepted(&self) -> String {
        let mut names: Vec<&str> = vec![self.col.name()];
        names.extend(self.also.iter().copied());
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => self.col.name().to_string(),
        }
    }
}

/// Where each field sits in the file (0-based column index), plus the headers no field took.
#[derive(Debug)]
pub(crate) struct Columns {
    at: [Option<usize>; COL_COUNT],
    pub unknown: Vec<String>,
}

impl Columns {
    pub(crate) fn index(&self, col: Col) -> Option<usize> {
        self.at.get(col as usize).copied().flatten()
    }
}

/// A header reduced to what matters for matching: no BOM, no surrounding or inner spaces,
/// underscores or dashes, full-width letters made ASCII, lower case. So `Order ID`,
/// `order_id`, `OrderId` and `客户ＩＤ` match `order_id` and `客户ID`.
pub(crate) fn normalize(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '\u{feff}' | '\u{200b}'))
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Maps a header row onto `fields`.
///
/// # Errors
/// [`InputError::DuplicateColumn`] when two headers name one field;
/// [`InputError::MissingColumn`] for the first required field no header names.
pub(crate) fn map(file: &str, headers: &[String], fields: &[Field]) -> Result<Columns, InputError> {
    let mut columns = Columns {
        at: [None; COL_COUNT],
        unknown: Vec::new(),
    };
    for (i, header) in headers.iter().enumerate() {
        let key = normalize(header);
        if key.is_empty() {
            continue;
        }
        let shown = header.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        match fields.iter().find(|f| f.accepts(&key)) {
            Some(f) => {
                if let Some(slot) = columns.at.get_mut(f.col as usize) {
                    if let Some(first) = *slot {
                        let first_header = headers.get(first).map_or("", |h| h.trim());
                        return Err(InputError::DuplicateColumn {
                            file: file.to_string(),
                            column: f.col.name(),
                            first: format!("{} ('{first_header}')", letter(first)),
                            second: format!("{} ('{shown}')", letter(i)),
                        });
                    }
                    *slot = Some(i);
                }
            }
            None if !columns.unknown.iter().any(|u| u == shown) => {
                columns.unknown.push(shown.to_string())
            }
            None => {}
        }
    }
    if let Some(f) = fields
        .iter()
        .find(|f| f.required && columns.index(f.col).is_none())
    {
        return Err(InputError::MissingColumn {
            file: file.to_string(),
            column: f.col.name(),
            accepted: f.accepted(),
        });
    }
    Ok(columns)
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
        let c = map("o.csv", &h, ORDER_FIELDS).unwrap();
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
        let c = map("o.csv", &h, ORDER_FIELDS).unwrap();
        assert_eq!(c.index(Col::AccountId), Some(1));
        assert_eq!(c.index(Col::Term), Some(5));
        assert_eq!(c.index(Col::RefOrderId), Some(8));
        let h = strings(&["客户ＩＤ", "日期", "指标", "用量", "订单号"]);
        let c = map("u.csv", &h, USAGE_FIELDS).unwrap();
        assert_eq!(c.index(Col::AccountId), Some(0));
        assert_eq!(c.index(Col::Quantity), Some(3));
        assert_eq!(c.index(Col::OrderId), Some(4));
    }

    #[test]
    fn unknown_columns_listed_once_in_order() {
        let mut h = strings(ORDER_MIN);
        h.extend(strings(&["备注", "", "note", "备注", "  "]));
        let c = map("o.csv", &h, ORDER_FIELDS).unwrap();
        assert_eq!(c.unknown, vec!["备注", "note"]);
    }

    #[test]
    fn missing_required_column_names_file_column_and_headers() {
        let h = strings(&["order_id", "account_id", "type", "product"]);
        let e = map("orders.csv", &h, ORDER_FIELDS).unwrap_err();
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
        let e = map("o.csv", &h, ORDER_FIELDS).unwrap_err();
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
