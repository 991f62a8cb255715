//! JSON written in YAML, and the placeholders cronbridge fills in: the target `input`
//! template of the settings and the `<cluster_arn>`-style values of alert patterns. Pure.
//!
//! A placeholder is `<name>` with `name` made of lowercase letters and `_`; it may stand
//! anywhere inside a JSON string. Any other `<` is literal text.

#![allow(
    clippy::result_large_err,
    reason = "a `Finding` is the error of every value check; they run once per value of a small file"
)]

use crate::finding::{Finding, Rule};
use crate::yaml::{self, Node, Resolved, Value as YamlValue};
use serde_json::{Map, Number, Value};

/// The placeholders of the target `input` template.
pub const INPUT_PLACEHOLDERS: &[&str] = &["batch", "batch_class", "rule"];

/// The default `input`: `{"batch": "<batch>", "batch_class": "<batch_class>"}`.
pub fn default_input() -> Value {
    serde_json::json!({"batch": "<batch>", "batch_class": "<batch_class>"})
}

/// Converts a YAML node to JSON with the YAML 1.2 core schema. A string value that is meant
/// as JSON text is not parsed here; see [`json_value`].
pub fn to_json(node: &Node, file: &str, rule: Rule) -> Result<Value, Finding> {
    match &node.value {
        YamlValue::Mapping(entries) => {
            let mut map = Map::new();
            for e in entries {
                map.insert(e.key_text().to_string(), to_json(&e.value, file, rule)?);
            }
            Ok(Value::Object(map))
        }
        YamlValue::Sequence(items) => items
            .iter()
            .map(|i| to_json(i, file, rule))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        YamlValue::Scalar(s) => match s.resolve() {
            Resolved::Null => Ok(Value::Null),
            Resolved::Bool(b) => Ok(Value::Bool(b)),
            Resolved::String(t) => Ok(Value::String(t.to_string())),
            Resolved::Int(t) | Resolved::Float(t) => {
                number(t).map(Value::Number).ok_or_else(|| {
                    Finding::error(
                        rule,
                        node.location(file),
                        format!("`{t}` is not a number JSON can hold"),
                    )
                    .help("write a decimal number, or quote the value to make it a string")
                })
            }
        },
    }
}

fn number(text: &str) -> Option<Number> {
    let parsed = if let Some(hex) = text.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok().map(Number::from)
    } else if let Some(oct) = text.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok().map(Number::from)
    } else {
        text.parse::<i64>().ok().map(Number::from)
    };
    parsed.or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64))
}

/// A value written either as YAML (a mapping or a list) or as JSON text in a string.
pub fn json_value(node: &Node, file: &str, rule: Rule, what: &str) -> Result<Value, Finding> {
    match node.scalar().map(yaml::Scalar::resolve) {
        Some(Resolved::String(text)) => serde_json::from_str(text).map_err(|err| {
            Finding::error(
                rule,
                node.location(file),
                format!("{what} is not valid JSON: {err}"),
            )
            .help("write it as YAML (a mapping or a list), or as JSON text in quotes")
        }),
        _ => to_json(node, file, rule),
    }
}

/// One `<name>` found in a string: its name and character offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub name: String,
    pub offset: usize,
}

/// The placeholders in `text`, in order.
pub fn placeholders(text: &str) -> Vec<Placeholder> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '<' {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_lowercase() || **c == '_')
                .collect();
            let end = i + 1 + name.chars().count();
            if !name.is_empty() && chars.get(end) == Some(&'>') {
                found.push(Placeholder { name, offset: i });
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// Every string of a JSON value (keys included), with its path for messages.
pub fn strings(value: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => out.push(s.as_str()),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                for (k, v) in map {
                    out.push(k.as_str());
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    out
}

/// The placeholders of `value` that are not in `known`, each with a suggestion.
pub fn unknown_placeholders(value: &Value, known: &[&str]) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for s in strings(value) {
        for p in placeholders(s) {
            if !known.contains(&p.name.as_str()) && out.iter().all(|(n, _)| *n != p.name) {
                let hint = yaml::suggest(&p.name, known.iter().copied()).map(str::to_string);
                out.push((p.name, hint));
            }
        }
    }
    out
}

/// Replaces every known placeholder in every string (keys included) with its value.
/// Substitution happens on parsed strings, so a value can never break the JSON around it.
pub fn render(value: &Value, vars: &[(&str, &str)]) -> Value {
    match value {
        Value::String(s) => Value::String(fill(s, vars)),
        Value::Array(items) => Value::Array(items.iter().map(|v| render(v, vars)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (fill(k, vars), render(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn fill(text: &str, vars: &[(&str, &str)]) -> String {
    if !text.contains('<') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    for p in placeholders(text) {
        let Some((_, value)) = vars.iter().find(|(n, _)| *n == p.name) else {
            continue;
        };
        // `placeholders` counts characters; find the byte position of this occurrence.
        let token = format!("<{}>", p.name);
        if let Some(at) = rest.find(&token) {
            out.push_str(&rest[..at]);
            out.push_str(value);
            rest = &rest[at + token.len()..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_lowercase_words_in_angle_brackets() {
        let found = placeholders("a <batch> b <Batch> <> <x-y> <batch_class>.run <rule");
        let names: Vec<_> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["batch", "batch_class"]);
        assert_eq!(found[0].offset, 2);
    }

    #[test]
    fn render_fills_strings_and_keeps_json_intact() {
        let template = serde_json::json!(["bundle", "exec", "rails", "runner", "<batch_class>.run", {"<batch>": 1}]);
        let out = render(&template, &[("batch_class", "A::\"B\""), ("batch", "X")]);
        assert_eq!(
            out,
            serde_json::json!(["bundle", "exec", "rails", "runner", "A::\"B\".run", {"X": 1}])
        );
        // Unknown names are left alone (the loader reports them).
        assert_eq!(
            render(&serde_json::json!("<nope> <batch>"), &[("batch", "b")]),
            serde_json::json!("<nope> b")
        );
    }

    #[test]
    fn unknown_placeholders_get_a_suggestion() {
        let value = serde_json::json!({"batch": "<batch_clas>", "x": "<batch>"});
        assert_eq!(
            unknown_placeholders(&value, INPUT_PLACEHOLDERS),
            vec![("batch_clas".to_string(), Some("batch_class".to_string()))]
        );
    }

    #[test]
    fn yaml_becomes_json() {
        let (doc, _) = yaml::parse("f.yml", "a: [1, 2.5, true, ~, \"3\", 0x10]\nb: {c: d}\n");
        let yaml::Document::Root(root) = doc else {
            panic!()
        };
        let v = to_json(&root, "f.yml", Rule::SettingsInvalidTemplate).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": [1, 2.5, true, null, "3", 16], "b": {"c": "d"}})
        );
        let (doc, _) = yaml::parse("f.yml", "a: .inf\n");
        let yaml::Document::Root(root) = doc else {
            panic!()
        };
        assert!(to_json(&root, "f.yml", Rule::SettingsInvalidTemplate).is_err());
    }
}
