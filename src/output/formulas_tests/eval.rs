//! A tiny evaluator of the Excel formulas billrun writes, for tests only: decimal literals,
//! cell references (`M7`, `Packs!K2`, `'退款资源包'!K2`), ranges inside functions
//! (`SUM(Packs!K2:K4)`), `+ - * /`, parentheses, unary minus, `MIN`, `MAX`, `SUM` and
//! `ROUND(x, n)` (Excel's: half away from zero). A referenced cell may hold a formula of its
//! own; it is evaluated in turn. Anything else (an unknown function, an empty cell, a cycle)
//! is an error, so a formula that points at the wrong cell fails a test instead of reading 0
//! as Excel would.
//!
//! It computes in `Decimal` or in `f64` (the [`Num`] trait). The property tests hold the
//! formulas to the engine's amounts in `Decimal`: the engine computes in `Decimal` with the
//! same operations in the same order as the formulas, so a formula that mirrors the rule gives
//! the identical `Decimal`, digit for digit, and any difference is a real drift, not noise.
//! Excel computes in binary floating point, so its value before a `ROUND` may sit a few units
//! in the 16th digit away from the `Decimal` one; Excel's `ROUND` of a value that close gives
//! the same cents except where the exact value is a half-cent tie, which `Decimal` decides as
//! SPEC 2 says (half away from zero) and `f64` may not (0.285 is 0.28499999… in binary). The
//! `f64` evaluation checks exactly that: its cents match except where its own error reaches
//! a tie ([`Evaluated::rounds`] exposes the value each `ROUND` was given).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::HashMap;
use std::str::FromStr;

/// The arithmetic a formula is evaluated in. Every operation may fail (overflow, division
/// by zero) with Excel's error name.
pub trait Num: Copy + PartialOrd + std::fmt::Debug {
    fn literal(text: &str) -> Result<Self, String>;
    fn from_decimal(d: Decimal) -> Self;
    fn zero() -> Self;
    fn add(self, o: Self) -> Result<Self, String>;
    fn sub(self, o: Self) -> Result<Self, String>;
    fn mul(self, o: Self) -> Result<Self, String>;
    fn div(self, o: Self) -> Result<Self, String>;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    /// `ROUND(self, digits)`, half away from zero; `digits` ≥ 0.
    fn round(self, digits: u32) -> Self;
    fn to_digits(self) -> Option<u32>;
}

impl Num for Decimal {
    fn literal(text: &str) -> Result<Self, String> {
        Decimal::from_str(text).map_err(|e| format!("literal {text}: {e}"))
    }
    fn from_decimal(d: Decimal) -> Self {
        d
    }
    fn zero() -> Self {
        Decimal::ZERO
    }
    fn add(self, o: Self) -> Result<Self, String> {
        self.checked_add(o).ok_or_else(|| "#NUM! (overflow)".into())
    }
    fn sub(self, o: Self) -> Result<Self, String> {
        self.checked_sub(o).ok_or_else(|| "#NUM! (overflow)".into())
    }
    fn mul(self, o: Self) -> Result<Self, String> {
        self.checked_mul(o).ok_or_else(|| "#NUM! (overflow)".into())
    }
    fn div(self, o: Self) -> Result<Self, String> {
        if o.is_zero() {
            return Err("#DIV/0!".into());
        }
        self.checked_div(o).ok_or_else(|| "#NUM! (overflow)".into())
    }
    fn neg(self) -> Self {
        -self
    }
    fn abs(self) -> Self {
        Decimal::abs(&self)
    }
    fn round(self, digits: u32) -> Self {
        self.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero)
    }
    fn to_digits(self) -> Option<u32> {
        (self.fract().is_zero()).then(|| self.to_u32()).flatten()
    }
}

impl Num for f64 {
    fn literal(text: &str) -> Result<Self, String> {
        text.parse().map_err(|e| format!("literal {text}: {e}"))
    }
    fn from_decimal(d: Decimal) -> Self {
        // What the writer puts in a number cell.
        crate::money::to_f64_lossy(d)
    }
    fn zero() -> Self {
        0.0
    }
    fn add(self, o: Self) -> Result<Self, String> {
        finite(self + o)
    }
    fn sub(self, o: Self) -> Result<Self, String> {
        finite(self - o)
    }
    fn mul(self, o: Self) -> Result<Self, String> {
        finite(self * o)
    }
    fn div(self, o: Self) -> Result<Self, String> {
        if o == 0.0 {
            return Err("#DIV/0!".into());
        }
        finite(self / o)
    }
    fn neg(self) -> Self {
        -self
    }
    fn abs(self) -> Self {
        f64::abs(self)
    }
    fn round(self, digits: u32) -> Self {
        // `f64::round` is half away from zero. Naive in binary (no decimal correction), which
        // is what the tests want: the strictest model of a floating-point ROUND.
        let p = 10f64.powi(digits as i32);
        (self * p).round() / p
    }
    fn to_digits(self) -> Option<u32> {
        (self.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&self)).then_some(self as u32)
    }
}

fn finite(x: f64) -> Result<f64, String> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err("#NUM! (overflow)".into())
    }
}

/// A cell address: sheet, 1-based column number, 1-based row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Addr {
    pub sheet: String,
    pub col: u32,
    pub row: u32,
}

/// What a cell holds: a number as the writer wrote it, or a formula (with its leading `=`).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Number(Decimal),
    Formula(String),
}

/// The cells of a workbook, by sheet.
#[derive(Debug, Default)]
pub struct Book {
    cells: HashMap<Addr, Cell>,
}

/// A formula's value; in evaluation order, the value each `ROUND` it ran was given; and the
/// largest magnitude of any value it met on the way (what floating-point error scales with:
/// `a − b` of two large operands is exact in `Decimal` but off by their ulps in `f64`).
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated<N> {
    pub value: N,
    pub rounds: Vec<N>,
    pub peak: N,
}

/// How deep formulas may refer to formulas before the evaluator calls it a cycle.
const MAX_DEPTH: usize = 64;

impl Book {
    /// Puts a number in `cell` (`M7`) of `sheet`.
    pub fn number(&mut self, sheet: &str, cell: &str, value: Decimal) {
        self.put(sheet, cell, Cell::Number(value));
    }

    /// Puts a formula (`=M7*I7`) in `cell` of `sheet`.
    pub fn formula(&mut self, sheet: &str, cell: &str, formula: &str) {
        self.put(sheet, cell, Cell::Formula(formula.to_string()));
    }

    fn put(&mut self, sheet: &str, cell: &str, value: Cell) {
        let addr = match Parser::new(cell).cell_ref(sheet.to_string()) {
            Ok(a) => a,
            Err(e) => panic!("bad cell name {cell}: {e}"),
        };
        self.cells.insert(addr, value);
    }

    /// Evaluates `cell` of `sheet` (a number, or its formula evaluated recursively).
    pub fn eval<N: Num>(&self, sheet: &str, cell: &str) -> Result<Evaluated<N>, String> {
        let addr = Parser::new(cell).cell_ref(sheet.to_string())?;
        let mut run = Run {
            book: self,
            rounds: Vec::new(),
            peak: N::zero(),
        };
        let value = run.cell(&addr, 0)?;
        Ok(Evaluated {
            value,
            rounds: run.rounds,
            peak: run.peak,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Literal(String),
    Ref(Addr),
    Range(Addr, Addr),
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

/// Recursive descent over one formula; `sheet` is the sheet the formula sits on (what an
/// unqualified reference means).
struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            s: text.as_bytes(),
            text,
            i: 0,
        }
    }

    fn parse(text: &str, sheet: &str) -> Result<Expr, String> {
        let body = text
            .strip_prefix('=')
            .ok_or_else(|| format!("{text}: a formula starts with ="))?;
        let mut p = Parser::new(body);
        let e = p.expr(sheet)?;
        p.skip_ws();
        if p.i != p.s.len() {
            return Err(format!("{text}: unexpected {:?}", &body[p.i..]));
        }
        Ok(e)
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!(
                "expected {:?} at {} in {}",
                c as char, self.i, self.text
            ))
        }
    }

    fn expr(&mut self, sheet: &str) -> Result<Expr, String> {
        self.chain(sheet, &[(b'+', Op::Add), (b'-', Op::Sub)], Self::term)
    }

    fn term(&mut self, sheet: &str) -> Result<Expr, String> {
        self.chain(sheet, &[(b'*', Op::Mul), (b'/', Op::Div)], Self::unary)
    }

    /// `operand (op operand)*`, left to right: one precedence level.
    fn chain(
        &mut self,
        sheet: &str,
        ops: &[(u8, Op)],
        operand: fn(&mut Self, &str) -> Result<Expr, String>,
    ) -> Result<Expr, String> {
        let mut left = operand(self, sheet)?;
        while let Some(&(_, op)) = ops.iter().find(|(c, _)| self.eat(*c)) {
            let right = operand(self, sheet)?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// Excel's unary minus binds tighter than `*` and `/`.
    fn unary(&mut self, sheet: &str) -> Result<Expr, String> {
        if self.eat(b'-') {
            return Ok(Expr::Neg(Box::new(self.unary(sheet)?)));
        }
        if self.eat(b'+') {
            return self.unary(sheet);
        }
        self.primary(sheet)
    }

    fn primary(&mut self, sheet: &str) -> Result<Expr, String> {
        self.skip_ws();
        match self.peek() {
            Some(b'(') => {
                self.i += 1;
                let e = self.expr(sheet)?;
                self.expect(b')')?;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => {
                let start = self.i;
                while matches!(self.peek(), Some(c) if c.is_ascii_digit() || c == b'.') {
                    self.i += 1;
                }
                Ok(Expr::Literal(self.text[start..self.i].to_string()))
            }
            Some(b'\'') => {
                let name = self.quoted_sheet()?;
                self.expect(b'!')?;
                self.reference(name)
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let start = self.i;
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
                {
                    self.i += 1;
                }
                let word = &self.text[start..self.i];
                match self.peek() {
                    Some(b'!') => {
                        self.i += 1;
                        self.reference(word.to_string())
                    }
                    Some(b'(') => {
                        self.i += 1;
                        let mut args = Vec::new();
                        if !self.eat(b')') {
                            loop {
                                args.push(self.expr(sheet)?);
                                if self.eat(b')') {
                                    break;
                                }
                                self.expect(b',')?;
                            }
                        }
                        Ok(Expr::Call(word.to_ascii_uppercase(), args))
                    }
                    _ => {
                        self.i = start;
                        self.reference(sheet.to_string())
                    }
                }
            }
            _ => Err(format!(
                "unexpected end or character at {} in {}",
                self.i, self.text
            )),
        }
    }

    /// `'name'` with `''` for a quote inside it.
    fn quoted_sheet(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut name = Vec::new();
        loop {
            match self.peek() {
                None => return Err(format!("unterminated sheet name in {}", self.text)),
                Some(b'\'') if self.s.get(self.i + 1) == Some(&b'\'') => {
                    name.push(b'\'');
                    self.i += 2;
                }
                Some(b'\'') => {
                    self.i += 1;
                    return String::from_utf8(name).map_err(|e| e.to_string());
                }
                Some(c) => {
                    name.push(c);
                    self.i += 1;
                }
            }
        }
    }

    /// A cell or a range on `sheet`.
    fn reference(&mut self, sheet: String) -> Result<Expr, String> {
        let from = self.cell_ref(sheet.clone())?;
        if self.peek() == Some(b':') {
            self.i += 1;
            let to = self.cell_ref(sheet)?;
            return Ok(Expr::Range(from, to));
        }
        Ok(Expr::Ref(from))
    }

    /// `K2`: column letters, then the row number.
    fn cell_ref(&mut self, sheet: String) -> Result<Addr, String> {
        let mut col = 0u32;
        let start = self.i;
        while let Some(c) = self.peek().filter(u8::is_ascii_uppercase) {
            col = col * 26 + u32::from(c - b'A' + 1);
            self.i += 1;
        }
        let digits = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let row: u32 = self.text[digits..self.i].parse().unwrap_or(0);
        if col == 0 || row == 0 || start == digits {
            return Err(format!("not a cell at {start} in {}", self.text));
        }
        Ok(Addr { sheet, col, row })
    }
}

struct Run<'a, N> {
    book: &'a Book,
    rounds: Vec<N>,
    peak: N,
}

impl<N: Num> Run<'_, N> {
    fn cell(&mut self, addr: &Addr, depth: usize) -> Result<N, String> {
        if depth > MAX_DEPTH {
            return Err(format!("circular reference through {addr:?}"));
        }
        match self.book.cells.get(addr) {
            None => Err(format!("empty cell {addr:?}")),
            Some(Cell::Number(d)) => Ok(N::from_decimal(*d)),
            Some(Cell::Formula(f)) => {
                let e = Parser::parse(f, &addr.sheet)?;
                self.expr(&e, depth + 1)
            }
        }
    }

    fn expr(&mut self, e: &Expr, depth: usize) -> Result<N, String> {
        let v = self.value(e, depth)?;
        if v.abs() > self.peak {
            self.peak = v.abs();
        }
        Ok(v)
    }

    fn value(&mut self, e: &Expr, depth: usize) -> Result<N, String> {
        match e {
            Expr::Literal(t) => N::literal(t),
            Expr::Ref(a) => self.cell(a, depth),
            Expr::Range(..) => Err("a range outside a function".into()),
            Expr::Neg(x) => Ok(self.expr(x, depth)?.neg()),
            Expr::Bin(op, a, b) => {
                let (a, b) = (self.expr(a, depth)?, self.expr(b, depth)?);
                match op {
                    Op::Add => a.add(b),
                    Op::Sub => a.sub(b),
                    Op::Mul => a.mul(b),
                    Op::Div => a.div(b),
                }
            }
            Expr::Call(name, args) => self.call(name, args, depth),
        }
    }

    fn call(&mut self, name: &str, args: &[Expr], depth: usize) -> Result<N, String> {
        match name {
            "ROUND" => {
                let [x, n] = args else {
                    return Err("ROUND takes two arguments".into());
                };
                let x = self.expr(x, depth)?;
                let n = self.expr(n, depth)?;
                let digits = n.to_digits().ok_or("ROUND digits must be 0 or more")?;
                self.rounds.push(x);
                Ok(x.round(digits))
            }
            "SUM" | "MIN" | "MAX" => {
                let values = self.values(args, depth)?;
                let pick = |keep_left: fn(&N, &N) -> bool| {
                    values
                        .iter()
                        .copied()
                        .reduce(|a, b| if keep_left(&a, &b) { a } else { b })
                        .ok_or_else(|| format!("{name} of nothing"))
                };
                match name {
                    "SUM" => values.iter().try_fold(N::zero(), |s, v| s.add(*v)),
                    "MIN" => pick(|a, b| a <= b),
                    _ => pick(|a, b| a >= b),
                }
            }
            _ => Err(format!("unknown function {name}")),
        }
    }

    /// The arguments of an aggregate, a range standing for each of its cells.
    fn values(&mut self, args: &[Expr], depth: usize) -> Result<Vec<N>, String> {
        let mut out = Vec::new();
        for a in args {
            match a {
                Expr::Range(from, to) => {
                    if from.sheet != to.sheet || from.col > to.col || from.row > to.row {
                        return Err(format!("bad range {from:?}:{to:?}"));
                    }
                    for col in from.col..=to.col {
                        for row in from.row..=to.row {
                            let at = Addr {
                                sheet: from.sheet.clone(),
                                col,
                                row,
                            };
                            out.push(self.cell(&at, depth + 1)?);
                        }
                    }
                }
                e => out.push(self.expr(e, depth)?),
            }
        }
        Ok(out)
    }
}

/// `Decimal` → `f64` for comparing an `f64` evaluation with a `Decimal` one.
pub fn approx(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn dec_of(book: &Book, sheet: &str, cell: &str) -> Result<Decimal, String> {
        book.eval::<Decimal>(sheet, cell).map(|e| e.value)
    }

    #[test]
    fn operators_precedence_and_functions() {
        let mut b = Book::default();
        b.number("S", "A1", dec!(2));
        b.number("S", "B1", dec!(3));
        let cases = [
            ("C1", "=A1+B1*-2", dec!(-4)),
            ("C2", "=(A1+B1)*2-MIN(A1,B1)/MAX(4,A1)", dec!(9.5)),
            // Half away from zero.
            (
                "C3",
                "=ROUND(-0.125,2)+ROUND(0.125,2)+ROUND(1.005,2)",
                dec!(1.01),
            ),
            ("C4", "=SUM(A1:B1)+SUM(A1,B1,1.5)", dec!(11.5)),
            // A formula over formulas.
            ("C5", "=C1*C4", dec!(-46)),
            // Left to right.
            ("C6", "=10-2-3", dec!(5)),
            ("C7", "=12/4/3", dec!(1)),
        ];
        for (cell, formula, _) in cases {
            b.formula("S", cell, formula);
        }
        for (cell, formula, want) in cases {
            assert_eq!(dec_of(&b, "S", cell), Ok(want), "{formula}");
        }
        let e = b.eval::<Decimal>("S", "C3").unwrap();
        assert_eq!(e.rounds, vec![dec!(-0.125), dec!(0.125), dec!(1.005)]);
        // f64 has no exact 1.005 (1.00499999…): a binary ROUND gives 1.00 where Decimal,
        // as SPEC 2 says, gives 1.01.
        let f = b.eval::<f64>("S", "C3").unwrap();
        assert!((f.value - 1.00).abs() < 1e-9, "{}", f.value);
    }

    #[test]
    fn sheet_qualified_references_and_ranges() {
        let mut b = Book::default();
        for (i, v) in [dec!(1.5), dec!(2), dec!(3)].into_iter().enumerate() {
            b.number("Packs", &format!("K{}", i + 2), v);
            b.number("退款资源包", &format!("K{}", i + 2), v * dec!(10));
            b.number("it's", &format!("AA{}", i + 1), v);
        }
        b.formula("Refunds", "O2", "=SUM(Packs!K2:K4)");
        b.formula("Refunds", "O3", "=SUM('退款资源包'!K3:K4)-Packs!K2");
        b.formula("Refunds", "O4", "=MAX(0,'it''s'!AA1:AA3)");
        assert_eq!(dec_of(&b, "Refunds", "O2"), Ok(dec!(6.5)));
        assert_eq!(dec_of(&b, "Refunds", "O3"), Ok(dec!(48.5)));
        assert_eq!(dec_of(&b, "Refunds", "O4"), Ok(dec!(3)));
    }

    #[test]
    fn what_excel_would_quietly_accept_is_an_error_here() {
        let mut b = Book::default();
        b.number("S", "A1", dec!(1));
        let cases = [
            ("B1", "=A1+A2", "empty cell"),
            ("C1", "=C2", "circular"),
            ("C2", "=C1", "circular"),
            ("D1", "=A1/0", "#DIV/0!"),
            ("E1", "=FLOOR(A1,1)", "unknown function"),
            ("F1", "=A1+", "unexpected end"),
            ("G1", "A1", "starts with ="),
        ];
        for (cell, formula, _) in cases {
            b.formula("S", cell, formula);
        }
        for (cell, formula, why) in cases {
            let e = dec_of(&b, "S", cell).unwrap_err();
            assert!(e.contains(why), "{formula}: {e}");
        }
    }
}
