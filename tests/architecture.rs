//! The shape of the source tree, held by a test so it cannot drift (issue 13, docs/ARCHITECTURE.md):
//! the rules import only the plain layers beneath them, the top-level modules import each
//! other without a cycle, and no source file outgrows one job (about 500 lines, tests aside).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// What `src/rules/` may import besides itself: plain values and arithmetic, no engine,
/// report, input or output.
const RULES_MAY_USE: [&str; 4] = ["calendar", "catalog", "model", "money"];

/// Lines of code (tests aside) a source file may hold.
const MAX_LINES: usize = 500;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// A file's own code: test files (`tests.rs`, `*_tests.rs`, anything under a `tests/` or
/// `*_tests/` folder) have none; elsewhere the code ends where a `#[cfg(test)]` test module begins.
fn code(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let in_tests = path.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c == "tests" || c.ends_with("_tests")
    });
    if in_tests || name == "tests.rs" || name.ends_with("_tests.rs") {
        return None;
    }
    let text = fs::read_to_string(path).ok()?;
    let end = text.find("#[cfg(test)]\nmod tests {").unwrap_or(text.len());
    Some(text[..end].to_string())
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Top-level module of a file under src/ (`engine` for src/engine/replay/mod.rs).
fn top(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_str()
        .unwrap();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules a piece of code names as `crate::X`.
fn uses(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '#')
            .collect();
        let name = name.trim_start_matches("r#").to_string();
        if !name.is_empty() && name != "self" {
            out.insert(name);
        }
    }
    out
}

fn files() -> Vec<(PathBuf, String)> {
    let mut paths = Vec::new();
    sources(&src(), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| code(&p).map(|c| (p, c)))
        .collect()
}

#[test]
fn rules_import_only_calendar_catalog_model_and_money() {
    let mut wrong = Vec::new();
    for (path, code) in files().iter().filter(|(p, _)| top(p) == "rules") {
        for m in uses(code) {
            if m != "rules" && !RULES_MAY_USE.contains(&m.as_str()) {
                wrong.push(format!("{} uses crate::{m}", path.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "rules must stay pure:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_top_level_modules_import_each_other_without_a_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, code) in files() {
        let from = top(&path);
        if from == "lib" || from == "main" {
            continue;
        }
        let deps = graph.entry(from.clone()).or_default();
        deps.extend(uses(&code).into_iter().filter(|m| *m != from));
    }
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        if let Some(cycle) = visit(n, &graph, &mut Vec::new(), &mut done) {
            panic!("module cycle: {}", cycle.join(" → "));
        }
    }
    // The layers the architecture document names, bottom to top.
    assert!(!graph["rules"].contains("engine") && !graph["rules"].contains("report"));
    assert!(!graph["report"].contains("engine") && !graph["report"].contains("output"));
    assert!(!graph["engine"].contains("output") && !graph["engine"].contains("input"));
}

#[test]
fn no_source_file_outgrows_one_job() {
    let big: Vec<String> = files()
        .iter()
        .map(|(p, c)| (p, c.lines().count()))
        .filter(|(_, n)| *n > MAX_LINES)
        .map(|(p, n)| format!("{}: {n} lines", p.display()))
        .collect();
    assert!(
        big.is_empty(),
        "split these along their jobs (limit {MAX_LINES} lines, tests aside):\n{}",
        big.join("\n")
    );
}
