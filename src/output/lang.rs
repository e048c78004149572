//! The language of the workbooks (`--lang`, SPEC 6): every sheet name, header and label is
//! a [`Text`] holding both languages side by side, so the two cannot drift apart, and every
//! sheet name of every workbook is defined here, once.
//!
//! Only what billrun itself names is translated. Cell values (status and exception codes,
//! `rule` texts, product codes) are data and stay as they are in both languages.

/// The language sheet names, headers and labels are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (`--lang en`, the default): the names SPEC 6 and 7 give.
    #[default]
    En,
    /// Chinese (`--lang zh`): sheet names, headers and labels in Chinese; column order,
    /// formulas and cell values as in English.
    Zh,
}

/// A name billrun writes, in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Text {
    /// The name in `lang`.
    pub const fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

/// Shorthand for a [`Text`]: English first, then Chinese.
pub const fn t(en: &'static str, zh: &'static str) -> Text {
    Text { en, zh }
}

/// Every sheet name of the three workbooks. The two Packs sheets share their English name
/// (they are in different workbooks) but not their Chinese one, which says what they hold.
pub mod sheet {
    use super::{Text, t};

    pub const SUMMARY: Text = t("Summary", "汇总");

    // invoices.xlsx
    pub const LINES: Text = t("Lines", "明细");
    pub const ACCOUNTS: Text = t("Accounts", "客户");
    pub const SUBSCRIPTIONS: Text = t("Subscriptions", "订阅");
    pub const PACKS: Text = t("Packs", "资源包");
    pub const USAGE: Text = t("Usage", "用量");
    pub const REVENUE: Text = t("Revenue", "收入确认");
    pub const REVENUE_BY_ACCOUNT: Text = t("Revenue by account", "按客户收入");
    pub const REVENUE_BY_PRODUCT: Text = t("Revenue by product", "按产品收入");
    pub const EXCEPTIONS: Text = t("Exceptions", "异常");

    // refunds.xlsx
    pub const REFUNDS: Text = t("Refunds", "退款");
    pub const REFUND_PACKS: Text = t("Packs", "退款资源包");

    // reprice.xlsx
    pub const REPRICE_LINES: Text = t("Lines", "调价明细");
    pub const REPRICE_ACCOUNTS: Text = t("Accounts", "按客户调价");
    pub const REPRICE_PRODUCTS: Text = t("Products", "按产品调价");
}

/// Labels more than one sheet writes.
pub mod label {
    use super::{Text, t};

    /// The label of a table's closing total row.
    pub const TOTAL: Text = t("Total", "合计");
    pub const KEY_FIGURES: Text = t("Key figures", "关键数据");
    pub const BY_PRODUCT: Text = t("By product", "按产品");
}

/// A sheet name as a formula refers to it: `Packs!K2` stays unquoted as before, a name Excel
/// would need quoted (a space, a leading digit) is quoted by rust_xlsxwriter's rules, and a
/// non-ASCII name is always quoted (`'退款资源包'!K2`). Excel accepts CJK names bare, but
/// quoting is always valid and spares other spreadsheet readers any doubt.
pub fn sheet_ref(name: &str) -> String {
    if name.is_ascii() {
        rust_xlsxwriter::utility::quote_sheet_name(name)
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The sheets of each workbook, in workbook order (invoices' Revenue ones only with
    /// `--period`).
    const WORKBOOKS: [&[Text]; 3] = {
        use sheet::*;
        [
            &[
                SUMMARY,
                LINES,
                ACCOUNTS,
                SUBSCRIPTIONS,
                PACKS,
                USAGE,
                REVENUE,
                REVENUE_BY_ACCOUNT,
                REVENUE_BY_PRODUCT,
                EXCEPTIONS,
            ],
            &[SUMMARY, REFUNDS, REFUND_PACKS],
            &[SUMMARY, REPRICE_LINES, REPRICE_ACCOUNTS, REPRICE_PRODUCTS],
        ]
    };

    /// Room a continuation suffix needs: ` (9999)`.
    const SUFFIX: usize = " (9999)".len();

    #[test]
    fn sheet_names_are_valid_and_unique_in_each_workbook() {
        for lang in [Lang::En, Lang::Zh] {
            for workbook in WORKBOOKS {
                let names: Vec<_> = workbook.iter().map(|s| s.get(lang)).collect();
                let unique: HashSet<_> = names.iter().map(|n| n.to_lowercase()).collect();
                assert_eq!(unique.len(), names.len(), "{lang:?}: {names:?}");
                for name in names {
                    // Excel: 1 to 31 characters (UTF-16 units), none of []:*?/\, and no
                    // apostrophe at either end; continuation sheets add ` (n)`.
                    let chars = name.encode_utf16().count();
                    assert!(chars > 0 && chars + SUFFIX <= 31, "{name}");
                    assert!(
                        !name.contains(['[', ']', ':', '*', '?', '/', '\\']),
                        "{name}"
                    );
                    assert!(!name.starts_with('\'') && !name.ends_with('\''), "{name}");
                    assert!(!name.eq_ignore_ascii_case("History"), "reserved: {name}");
                }
            }
        }
    }

    #[test]
    fn chinese_sheet_names_have_no_latin_letters() {
        for workbook in WORKBOOKS {
            for s in workbook {
                assert!(!s.zh.chars().any(|c| c.is_ascii_alphabetic()), "{}", s.zh);
            }
        }
    }

    #[test]
    fn formulas_quote_sheet_names_as_excel_needs() {
        assert_eq!(sheet_ref("Packs"), "Packs");
        assert_eq!(sheet_ref("Packs (2)"), "'Packs (2)'");
        assert_eq!(sheet_ref("退款资源包"), "'退款资源包'");
        assert_eq!(sheet_ref("退款'包"), "'退款''包'");
    }

    #[test]
    fn english_is_the_default() {
        assert_eq!(Lang::default(), Lang::En);
        assert_eq!(t("Lines", "明细").get(Lang::default()), "Lines");
        assert_eq!(t("Lines", "明细").get(Lang::Zh), "明细");
    }
}
