//! A tiny formula compiler for the fixture writers: Excel formula text to BIFF8 (xls) and BIFF12 (xlsb) parsed-formula tokens, and to OpenFormula text (ods).
//!
//! It knows what order exports carry: numbers, cell references (`A1`,
//! `$B$2`), ranges (`A1:B3`), `+ - * /`, unary minus, parentheses and a few
//! functions (SUM, AVERAGE, MIN, MAX, IF, ROUND, ABS). Anything else panics,
//! so a test never silently writes a formula it cannot represent.

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellRef {
    pub row: u32,
    pub col: u32,
    pub row_abs: bool,
    pub col_abs: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(String),
    Ref(CellRef),
    Area(CellRef, CellRef),
    Name(String),
    Op(char),
    LParen,
    RParen,
    Comma,
}

/// A parsed token in reverse Polish order, as both BIFF versions store it.
#[derive(Clone, Debug, PartialEq)]
pub enum Ptg {
    Num(f64),
    Ref(CellRef),
    Area(CellRef, CellRef),
    /// ptgAdd 0x03 .. ptgDiv 0x06 and ptgUminus 0x13.
    Op(u8),
    Paren,
    Func {
        iftab: u16,
        argc: u8,
        fixed: bool,
    },
}

/// (name, Excel function-table index, fixed argument count or None).
const FUNCS: &[(&str, u16, Option<u8>)] = &[
    ("IF", 1, None),
    ("SUM", 4, None),
    ("AVERAGE", 5, None),
    ("MIN", 6, None),
    ("MAX", 7, None),
    ("ABS", 24, Some(1)),
    ("ROUND", 27, Some(2)),
];

fn parse_ref(s: &str) -> Option<CellRef> {
    let b = s.as_bytes();
    let mut i = 0;
    let col_abs = b.get(i) == Some(&b'$');
    if col_abs {
        i += 1;
    }
    let c0 = i;
    while i < b.len() && b[i].is_ascii_uppercase() {
        i += 1;
    }
    if i == c0 || i - c0 > 3 {
        return None;
    }
    let col = b[c0..i]
        .iter()
        .fold(0u32, |acc, ch| acc * 26 + u32::from(ch - b'A') + 1)
        - 1;
    let row_abs = b.get(i) == Some(&b'$');
    if row_abs {
        i += 1;
    }
    let digits = &s[i..];
    if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
        return None;
    }
    let row: u32 = digits.parse().ok()?;
    (row >= 1).then_some(CellRef {
        row: row - 1,
        col,
        row_abs,
        col_abs,
    })
}

fn lex(src: &str) -> Vec<Tok> {
    let src = src.strip_prefix('=').unwrap_or(src);
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        match ch {
            ' ' => i += 1,
            '+' | '-' | '*' | '/' => {
                toks.push(Tok::Op(ch));
                i += 1;
            }
            '(' => {
                toks.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                toks.push(Tok::RParen);
                i += 1;
            }
            ',' => {
                toks.push(Tok::Comma);
                i += 1;
            }
            '0'..='9' | '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                toks.push(Tok::Num(chars[start..i].iter().collect()));
            }
            '$' | 'A'..='Z' | 'a'..='z' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '$') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect::<String>().to_uppercase();
                if let Some(first) = parse_ref(&word) {
                    // A range is one operand, not "A1", ":", "B2".
                    if chars.get(i) == Some(&':') {
                        let s2 = i + 1;
                        let mut j = s2;
                        while j < chars.len()
                            && (chars[j].is_ascii_alphanumeric() || chars[j] == '$')
                        {
                            j += 1;
                        }
                        let w2: String = chars[s2..j].iter().collect::<String>().to_uppercase();
                        let last = parse_ref(&w2)
                            .unwrap_or_else(|| panic!("bad range end {w2:?} in {src:?}"));
                        toks.push(Tok::Area(first, last));
                        i = j;
                    } else {
                        toks.push(Tok::Ref(first));
                    }
                } else {
                    toks.push(Tok::Name(word));
                }
            }
            _ => panic!("formula character {ch:?} not supported by the fixture writer: {src:?}"),
        }
    }
    toks
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    out: Vec<Ptg>,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expr(&mut self) {
        self.term();
        while let Some(Tok::Op(op @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            self.term();
            self.out.push(Ptg::Op(if op == '+' { 0x03 } else { 0x04 }));
        }
    }

    fn term(&mut self) {
        self.unary();
        while let Some(Tok::Op(op @ ('*' | '/'))) = self.peek().cloned() {
            self.pos += 1;
            self.unary();
            self.out.push(Ptg::Op(if op == '*' { 0x05 } else { 0x06 }));
        }
    }

    fn unary(&mut self) {
        if self.peek() == Some(&Tok::Op('-')) {
            self.pos += 1;
            self.unary();
            self.out.push(Ptg::Op(0x13));
        } else {
            self.primary();
        }
    }

    fn primary(&mut self) {
        match self.next() {
            Some(Tok::Num(s)) => self.out.push(Ptg::Num(
                s.parse().unwrap_or_else(|_| panic!("bad number {s:?}")),
            )),
            Some(Tok::Ref(r)) => self.out.push(Ptg::Ref(r)),
            Some(Tok::Area(a, b)) => self.out.push(Ptg::Area(a, b)),
            Some(Tok::LParen) => {
                self.expr();
                assert_eq!(self.next(), Some(Tok::RParen), "unbalanced parentheses");
                self.out.push(Ptg::Paren);
            }
            Some(Tok::Name(name)) => {
                let &(_, iftab, fixed) = FUNCS.iter().find(|f| f.0 == name).unwrap_or_else(|| {
                    panic!("function {name} not supported by the fixture writer")
                });
                assert_eq!(self.next(), Some(Tok::LParen), "{name} needs '('");
                let mut argc = 0u8;
                if self.peek() != Some(&Tok::RParen) {
                    loop {
                        self.expr();
                        argc += 1;
                        if self.peek() == Some(&Tok::Comma) {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                }
                assert_eq!(self.next(), Some(Tok::RParen), "{name}: missing ')'");
                if let Some(n) = fixed {
                    assert_eq!(argc, n, "{name} takes {n} arguments");
                }
                self.out.push(Ptg::Func {
                    iftab,
                    argc,
                    fixed: fixed.is_some(),
                });
            }
            t => panic!("unexpected formula token {t:?}"),
        }
    }
}

/// The formula in reverse Polish order.
pub fn compile(src: &str) -> Vec<Ptg> {
    let mut p = Parser {
        toks: lex(src),
        pos: 0,
        out: Vec::new(),
    };
    p.expr();
    assert!(p.pos == p.toks.len(), "trailing tokens in formula {src:?}");
    p.out
}

/// BIFF column field: 14-bit column plus fColRel (bit 14) and fRwRel (bit 15).
fn col_field(r: &CellRef) -> u16 {
    let mut c = r.col as u16 & 0x3FFF;
    if !r.col_abs {
        c |= 0x4000;
    }
    if !r.row_abs {
        c |= 0x8000;
    }
    c
}

/// Number tokens shared by both BIFF versions: ptgInt for small whole
/// numbers (what Excel writes), ptgNum otherwise.
fn push_num(out: &mut Vec<u8>, v: f64) {
    if v.fract() == 0.0 && (0.0..=65535.0).contains(&v) {
        out.push(0x1E);
        out.extend_from_slice(&(v as u16).to_le_bytes());
    } else {
        out.push(0x1F);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn push_op_or_func(out: &mut Vec<u8>, p: &Ptg) {
    match p {
        Ptg::Op(op) => out.push(*op),
        Ptg::Paren => out.push(0x15),
        // Value class (0x40 | ptg) is what Excel stores for a function
        // whose result feeds a cell.
        Ptg::Func {
            iftab, fixed: true, ..
        } => {
            out.push(0x41);
            out.extend_from_slice(&iftab.to_le_bytes());
        }
        Ptg::Func { iftab, argc, .. } => {
            out.push(0x42);
            out.push(*argc);
            out.extend_from_slice(&iftab.to_le_bytes());
        }
        _ => unreachable!(),
    }
}

/// BIFF8 rgce (the bytes after `cce`).
pub fn biff8(src: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for p in compile(src) {
        match &p {
            Ptg::Num(v) => push_num(&mut out, *v),
            // ptgRefV: a single cell used as a value.
            Ptg::Ref(r) => {
                out.push(0x44);
                out.extend_from_slice(&(r.row as u16).to_le_bytes());
                out.extend_from_slice(&col_field(r).to_le_bytes());
            }
            // ptgArea (reference class): ranges are function arguments.
            Ptg::Area(a, b) => {
                out.push(0x25);
                out.extend_from_slice(&(a.row as u16).to_le_bytes());
                out.extend_from_slice(&(b.row as u16).to_le_bytes());
                out.extend_from_slice(&col_field(a).to_le_bytes());
                out.extend_from_slice(&col_field(b).to_le_bytes());
            }
            _ => push_op_or_func(&mut out, &p),
        }
    }
    out
}

/// BIFF12 rgce: as BIFF8 but rows are 32-bit.
pub fn biff12(src: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for p in compile(src) {
        match &p {
            Ptg::Num(v) => push_num(&mut out, *v),
            Ptg::Ref(r) => {
                out.push(0x44);
                out.extend_from_slice(&r.row.to_le_bytes());
                out.extend_from_slice(&col_field(r).to_le_bytes());
            }
            Ptg::Area(a, b) => {
                out.push(0x25);
                out.extend_from_slice(&a.row.to_le_bytes());
                out.extend_from_slice(&b.row.to_le_bytes());
                out.extend_from_slice(&col_field(a).to_le_bytes());
                out.extend_from_slice(&col_field(b).to_le_bytes());
            }
            _ => push_op_or_func(&mut out, &p),
        }
    }
    out
}

fn ods_ref(r: &CellRef) -> String {
    format!(
        "{}{}{}{}",
        if r.col_abs { "$" } else { "" },
        super::col_name(r.col),
        if r.row_abs { "$" } else { "" },
        r.row + 1
    )
}

/// OpenFormula text for `table:formula`: `of:=[.A1]*[.B1]`, `;` between
/// function arguments.
pub fn openformula(src: &str) -> String {
    // Parse first so ods rejects exactly what the binary writers reject.
    compile(src);
    let mut s = String::from("of:=");
    for t in lex(src) {
        match t {
            Tok::Num(n) => s.push_str(&n),
            Tok::Ref(r) => s.push_str(&format!("[.{}]", ods_ref(&r))),
            Tok::Area(a, b) => s.push_str(&format!("[.{}:.{}]", ods_ref(&a), ods_ref(&b))),
            Tok::Name(n) => s.push_str(&n),
            Tok::Op(c) => s.push(c),
            Tok::LParen => s.push('('),
            Tok::RParen => s.push(')'),
            Tok::Comma => s.push(';'),
        }
    }
    s
}
