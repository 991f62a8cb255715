//! One declaration of each file's shape — its keys, their types, which are required, their
//! defaults and what they mean — from which the loaders' unknown-key and required-key checks
//! and "did you mean" hints, the JSON Schema for editors (`cronbridge schema`) and the key
//! reference in the README are all derived. The declarations sit beside their loaders
//! (`schedule::FILE`, `policy::load::FILE`, `settings::FILE`); this module is the machinery.
//!
//! Why a table and not typed serde structs with schemars over serde-saphyr: the loaders keep
//! walking cronbridge's located tree (`yaml`), because that is what gives today's errors — a
//! caret inside a quoted cron, every problem of every batch in one run, one bad batch never
//! hiding the others, a help line per kind of mistake, strict YAML 1.2 booleans with the YAML
//! 1.1 word explained, budgets and duplicate keys. Serde stops at the first error of a
//! document, its messages and spans are the library's, and serde-saphyr (maintained, with
//! spans, budgets and a duplicate-key policy of its own) is built on its own fork of the
//! parser (`saphyr-parser-bw`), a second YAML parser beside `saphyr-parser`; schemars would
//! add itself and its derive crate. What the derive would have given — keys declared once —
//! this table gives, and the key lists, hints, required checks, schema and README cannot
//! drift apart because they are all read from it.
//!
//! Adding a key: one `field(...)` line in its mapping's declaration, and the code that reads
//! its value in the loader; then `CRONBRIDGE_BLESS=1 cargo test --lib schema` rewrites
//! `schema/*.schema.json` and the README's reference, and a line in a valid fixture
//! (`tests/fixtures/files/valid/`) is required by the tests.

use crate::finding::{Finding, Location, Rule};
use crate::yaml;
use serde_json::{Map, Value, json};

/// The JSON Schema dialect of the generated schemas.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// One kind of file: its name for `cronbridge schema <kind>`, where it lives, and its root.
#[derive(Debug)]
pub struct FileShape {
    /// `schedules`, `rules` or `settings`: the argument of `cronbridge schema` and the
    /// schema's file name (`schema/<kind>.schema.json`).
    pub kind: &'static str,
    /// Where such files are, for the README: `schedules/*.yml`.
    pub path: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub root: Type,
}

/// A mapping with known keys.
#[derive(Debug)]
pub struct Object {
    /// Unique among the objects of a file: the schema's `$defs` name.
    pub name: &'static str,
    /// How the README's reference names it: "a batch", "`aws.target`".
    pub title: &'static str,
    pub description: &'static str,
    pub fields: &'static [Field],
    /// Exactly one of these keys is required (`window` or `windows`); empty: no such rule.
    pub one_of: &'static [&'static str],
    /// When the first key is there, the others are required too (an ECS target's
    /// `container_name` and `input`). The loader's own checks say so with their help lines;
    /// this is for the schema and the README.
    pub dependent_required: &'static [(&'static str, &'static [&'static str])],
}

/// One key of an [`Object`].
#[derive(Debug)]
pub struct Field {
    pub key: &'static str,
    pub ty: Type,
    pub required: bool,
    /// `key:` with nothing after it is accepted and means "not given".
    pub nullable: bool,
    pub default: Option<DefaultValue>,
    pub description: &'static str,
}

/// A key's default, as the loader applies it.
#[derive(Debug, Clone, Copy)]
pub enum DefaultValue {
    Str(&'static str),
    Int(u32),
    Float(f64),
    Bool(bool),
    /// A duration in minutes, written `5m`.
    Minutes(u32),
}

/// What a value may be. Patterns are regular expressions that ECMAScript (editors) and
/// Python (the tests' validator) read alike; the loaders' checks are the exact ones, the
/// schema's are what is cheap to say.
#[derive(Debug)]
pub enum Type {
    /// Any string.
    Str,
    /// A string matching the pattern; `what` names it in the README ("a class name").
    Pattern {
        pattern: &'static str,
        what: &'static str,
    },
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// One of these words in any letter case (`FARGATE`, `fargate`); the schema offers the
    /// spellings given for completion and accepts the others.
    Word(&'static [&'static str]),
    Bool,
    /// A whole number from `min` to `max`.
    Int {
        min: u32,
        max: Option<u32>,
    },
    /// A number from `min` to `max`.
    Number {
        min: f64,
        max: f64,
    },
    /// `90m`, `1h30m`, `2h`, `1d`.
    Duration,
    /// An IANA time zone name.
    Zone,
    /// An ARN of `service` whose resource starts with `resource`.
    Arn {
        service: &'static str,
        resource: &'static str,
    },
    /// A list of at least `min` items.
    List {
        item: &'static Type,
        min: u32,
    },
    /// A mapping of names matching `key` to values, at least `min` of them.
    Map {
        key: &'static str,
        value: &'static Type,
        min: u32,
    },
    Object(&'static Object),
    /// Any one of these.
    OneOf(&'static [Type]),
    /// JSON written as YAML, or as JSON text in a string; `what` says what it is, `types`
    /// are the JSON types the schema allows (empty: any).
    Json {
        what: &'static str,
        types: &'static [&'static str],
    },
}

/// A field; chain [`Field::required`], [`Field::nullable`] and [`Field::default`].
pub const fn field(key: &'static str, ty: Type, description: &'static str) -> Field {
    Field {
        key,
        ty,
        required: false,
        nullable: false,
        default: None,
        description,
    }
}

impl Field {
    pub const fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub const fn nullable(mut self) -> Field {
        self.nullable = true;
        self
    }

    pub const fn default(mut self, value: DefaultValue) -> Field {
        self.default = Some(value);
        self
    }
}

/// A string that is not only white space.
pub const NON_EMPTY: Type = Type::Pattern {
    pattern: "\\S",
    what: "text",
};

/// A list of non-empty strings.
pub const NAMES: Type = Type::List {
    item: &NON_EMPTY,
    min: 0,
};

impl Object {
    /// The keys, in declaration order (the order hints list them in).
    pub fn keys(&self) -> Vec<&'static str> {
        self.fields.iter().map(|f| f.key).collect()
    }

    /// The declared spelling of `key`, when it is one of the keys.
    pub fn key(&self, key: &str) -> Option<&'static str> {
        self.field(key).map(|f| f.key)
    }

    pub fn field(&self, key: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The required keys, in declaration order.
    pub fn required(&self) -> impl Iterator<Item = &'static str> {
        self.fields.iter().filter(|f| f.required).map(|f| f.key)
    }

    /// Errors for the keys of `entries` this object does not have, with "did you mean"
    /// hints. `what` names the mapping in the message: "batch `Backup`".
    pub fn unknown_keys(
        &self,
        entries: &[yaml::Entry],
        file: &str,
        rule: Rule,
        what: &str,
    ) -> Vec<Finding> {
        yaml::unknown_keys(entries, &self.keys(), file, rule, what)
    }

    /// Errors at `at` for each required key `entries` lacks.
    pub fn missing_keys(
        &self,
        entries: &[yaml::Entry],
        at: &Location,
        rule: Rule,
        what: &str,
    ) -> Vec<Finding> {
        self.required()
            .filter(|key| entries.iter().all(|e| e.key_text() != *key))
            .map(|key| yaml::missing_key(at.clone(), rule, key, what))
            .collect()
    }
}

// ----- JSON Schema -----

/// The JSON Schema (draft 2020-12) of a kind of file.
pub fn json_schema(file: &FileShape) -> Value {
    let mut defs = Map::new();
    let root = match &file.root {
        Type::Object(object) => object_schema(object, &mut defs),
        other => type_schema(other, &mut defs),
    };
    let mut schema = Map::new();
    schema.insert("$schema".into(), json!(DIALECT));
    schema.insert("title".into(), json!(file.title));
    schema.insert("description".into(), json!(file.description));
    if let Value::Object(root) = root {
        schema.extend(root);
    }
    // The file's description, not its root mapping's.
    schema.insert("description".into(), json!(file.description));
    if !defs.is_empty() {
        schema.insert("$defs".into(), Value::Object(defs));
    }
    Value::Object(schema)
}

/// The schema as committed under `schema/`: two-space JSON and a final newline.
pub fn json_schema_text(file: &FileShape) -> String {
    let mut text = serde_json::to_string_pretty(&json_schema(file)).unwrap_or_default();
    text.push('\n');
    text
}

fn object_schema(object: &Object, defs: &mut Map<String, Value>) -> Value {
    let mut properties = Map::new();
    for f in object.fields {
        properties.insert(f.key.into(), field_schema(f, defs));
    }
    let required: Vec<&str> = object.required().collect();
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("description".into(), json!(object.description));
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), json!(required));
    }
    if !object.one_of.is_empty() {
        let choices: Vec<Value> = object
            .one_of
            .iter()
            .map(|k| json!({"required": [k]}))
            .collect();
        schema.insert("oneOf".into(), Value::Array(choices));
    }
    if !object.dependent_required.is_empty() {
        let dependent: Map<String, Value> = object
            .dependent_required
            .iter()
            .map(|(key, needs)| (key.to_string(), json!(needs)))
            .collect();
        schema.insert("dependentRequired".into(), Value::Object(dependent));
    }
    schema.insert("additionalProperties".into(), json!(false));
    Value::Object(schema)
}

fn field_schema(f: &Field, defs: &mut Map<String, Value>) -> Value {
    let mut schema = match type_schema(&f.ty, defs) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if f.nullable {
        match schema.get("type").cloned() {
            Some(Value::String(t)) => {
                schema.insert("type".into(), json!([t, "null"]));
            }
            _ => {
                let inner = Value::Object(std::mem::take(&mut schema));
                schema.insert("anyOf".into(), json!([inner, {"type": "null"}]));
            }
        }
    }
    schema.insert("description".into(), json!(f.description));
    if let Some(d) = f.default {
        schema.insert("default".into(), default_json(d));
    }
    Value::Object(schema)
}

fn default_json(d: DefaultValue) -> Value {
    match d {
        DefaultValue::Str(s) => json!(s),
        DefaultValue::Int(n) => json!(n),
        DefaultValue::Float(x) => json!(x),
        DefaultValue::Bool(b) => json!(b),
        DefaultValue::Minutes(m) => json!(format!("{m}m")),
    }
}

/// The pattern of an ARN of `service` with a resource starting with `resource`, as
/// `settings::aws::check_arn` reads it.
fn arn_pattern(service: &str, resource: &str) -> String {
    let region = if service == "iam" { "" } else { "[^:\\s]+" };
    format!("^arn:aws(-cn|-us-gov)?:{service}:{region}:[0-9]{{12}}:{resource}\\S+$")
}

/// Durations: whole days, hours and minutes, largest first (`settings::parse_duration`).
const DURATION_PATTERN: &str = "^(?=[0-9])([0-9]+d)?([0-9]+h)?([0-9]+m)?$";

fn type_schema(ty: &Type, defs: &mut Map<String, Value>) -> Value {
    match ty {
        Type::Str => json!({"type": "string"}),
        Type::Pattern { pattern, .. } => json!({"type": "string", "pattern": pattern}),
        Type::Enum(values) => json!({"type": "string", "enum": values}),
        Type::Word(values) => json!({
            "type": "string",
            "anyOf": [{"enum": values}, {"pattern": any_case(values)}]
        }),
        Type::Bool => json!({"type": "boolean"}),
        Type::Int { min, max } => {
            let mut s = json!({"type": "integer", "minimum": min});
            if let Some(max) = max {
                s["maximum"] = json!(max);
            }
            s
        }
        Type::Number { min, max } => json!({"type": "number", "minimum": min, "maximum": max}),
        Type::Duration => json!({"type": "string", "pattern": DURATION_PATTERN}),
        Type::Zone => json!({"type": "string", "minLength": 1}),
        Type::Arn { service, resource } => {
            json!({"type": "string", "pattern": arn_pattern(service, resource)})
        }
        Type::List { item, min } => {
            let mut s = json!({"type": "array", "items": type_schema(item, defs)});
            if *min > 0 {
                s["minItems"] = json!(min);
            }
            s
        }
        Type::Map { key, value, min } => {
            let mut s = json!({
                "type": "object",
                "propertyNames": {"pattern": key},
                "additionalProperties": type_schema(value, defs),
            });
            if *min > 0 {
                s["minProperties"] = json!(min);
            }
            s
        }
        Type::Object(object) => {
            if !defs.contains_key(object.name) {
                // Reserve the name first: an object may (some day) contain itself.
                defs.insert(object.name.into(), Value::Null);
                let schema = object_schema(object, defs);
                defs.insert(object.name.into(), schema);
            }
            json!({"$ref": format!("#/$defs/{}", object.name)})
        }
        Type::OneOf(types) => {
            // `anyOf`, not `oneOf`: a value that fits two of them is still fine.
            let choices: Vec<Value> = types.iter().map(|t| type_schema(t, defs)).collect();
            json!({"anyOf": choices})
        }
        Type::Json { types: [], .. } => json!({}),
        Type::Json { types, .. } => json!({"type": types}),
    }
}

// ----- The README's key reference -----

/// The README's key reference of these files: one table per mapping, in the order a reader
/// meets them.
pub fn reference(files: &[&'static FileShape]) -> String {
    let mut out = String::new();
    for file in files {
        let mut objects = Vec::new();
        collect_objects(&file.root, &mut objects);
        out.push_str(&format!("#### `{}`\n\n{}\n\n", file.path, file.description));
        if let Type::Map { value, .. } = &file.root {
            out.push_str(&format!(
                "Top-level keys are names; each value is {}.\n\n",
                type_words(value)
            ));
        }
        for (i, object) in objects.into_iter().enumerate() {
            // The root mapping is the file, which the paragraph above describes.
            if i > 0 || !matches!(file.root, Type::Object(_)) {
                out.push_str(&format!(
                    "**{}.** {}\n\n",
                    capitalise(object.title),
                    object.description
                ));
            }
            out.push_str("| key | type | required or default | meaning |\n|---|---|---|---|\n");
            for f in object.fields {
                let mut note = match (f.required, f.default) {
                    (true, _) => "required".to_string(),
                    (false, Some(d)) => match default_json(d) {
                        Value::String(s) => format!("default `{s}`"),
                        other => format!("default `{other}`"),
                    },
                    (false, None) => String::new(),
                };
                let needed_by: Vec<String> = object
                    .dependent_required
                    .iter()
                    .filter(|(key, needs)| *key != f.key && needs.contains(&f.key))
                    .map(|(key, _)| format!("`{key}`"))
                    .collect();
                if !needed_by.is_empty() {
                    note = format!("required with {}", needed_by.join(", "));
                }
                if !object.one_of.is_empty() && object.one_of.contains(&f.key) {
                    note = format!(
                        "one of {} is required",
                        object
                            .one_of
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                out.push_str(&format!(
                    "| `{}` | {} | {} | {} |\n",
                    f.key,
                    type_words(&f.ty),
                    note,
                    f.description
                ));
            }
            out.push('\n');
        }
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every object under `ty`, each once, parents first.
fn collect_objects(ty: &'static Type, out: &mut Vec<&'static Object>) {
    match ty {
        Type::Object(object) => {
            if out.iter().any(|o| o.name == object.name) {
                return;
            }
            out.push(object);
            for f in object.fields {
                collect_objects(&f.ty, out);
            }
        }
        Type::List { item, .. } => collect_objects(item, out),
        Type::Map { value, .. } => collect_objects(value, out),
        Type::OneOf(types) => types.iter().for_each(|t| collect_objects(t, out)),
        _ => {}
    }
}

/// A pattern matching any of `words` in any letter case: `^(?:[Ee][Cc]2|…)$` (JSON Schema
/// patterns have no case-insensitive flag).
fn any_case(words: &[&str]) -> String {
    let alternatives: Vec<String> = words
        .iter()
        .map(|w| {
            w.chars()
                .map(|c| {
                    let (lower, upper) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
                    if lower == upper {
                        regex_literal(c)
                    } else {
                        format!("[{upper}{lower}]")
                    }
                })
                .collect()
        })
        .collect();
    format!("^(?:{})$", alternatives.join("|"))
}

fn regex_literal(c: char) -> String {
    if "\\^$.|?*+()[]{}-/".contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

/// How the README says what a value may be.
fn type_words(ty: &Type) -> String {
    match ty {
        Type::Str => "string".into(),
        Type::Pattern { what, .. } => (*what).into(),
        Type::Enum(values) | Type::Word(values) => values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" \\| "),
        Type::Bool => "`true` \\| `false`".into(),
        Type::Int { min, max: None } => format!("whole number ≥ {min}"),
        Type::Int {
            min,
            max: Some(max),
        } => format!("whole number {min}–{max}"),
        Type::Number { min, max } => format!("number {min}–{max}"),
        Type::Duration => "duration (`90m`, `1h30m`, `1d`)".into(),
        Type::Zone => "IANA time zone".into(),
        Type::Arn { service, .. } => format!("`{service}` ARN"),
        Type::List { item, .. } => format!("list of {}", type_words(item)),
        Type::Map { value, .. } => format!("mapping of names to {}", type_words(value)),
        Type::Object(object) => object.title.to_string(),
        Type::OneOf(types) => types
            .iter()
            .map(type_words)
            .collect::<Vec<_>>()
            .join(", or "),
        Type::Json { what, .. } => (*what).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static INNER: Object = Object {
        name: "inner",
        title: "`inner`",
        description: "An inner mapping.",
        fields: &[field("n", Type::Int { min: 1, max: None }, "A number.").required()],
        one_of: &[],
        dependent_required: &[],
    };
    static OUTER: Object = Object {
        name: "outer",
        title: "the file",
        description: "The file.",
        fields: &[
            field("text", Type::Str, "Text.").nullable(),
            field("inner", Type::Object(&INNER), "Inner."),
            field("flag", Type::Bool, "A flag.").default(DefaultValue::Bool(true)),
        ],
        one_of: &[],
        dependent_required: &[],
    };
    static FILE: FileShape = FileShape {
        kind: "test",
        path: "test.yml",
        title: "test",
        description: "A test file.",
        root: Type::Object(&OUTER),
    };

    #[test]
    fn schema_of_an_object_refers_to_its_parts() {
        let s = json_schema(&FILE);
        assert_eq!(s["$schema"], DIALECT);
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["properties"]["text"]["type"], json!(["string", "null"]));
        assert_eq!(s["properties"]["inner"]["$ref"], "#/$defs/inner");
        assert_eq!(s["properties"]["flag"]["default"], true);
        assert_eq!(s["$defs"]["inner"]["required"], json!(["n"]));
    }

    #[test]
    fn keys_and_required_come_from_the_fields() {
        assert_eq!(OUTER.keys(), ["text", "inner", "flag"]);
        assert_eq!(INNER.required().collect::<Vec<_>>(), ["n"]);
        assert_eq!(OUTER.key("flag"), Some("flag"));
        assert_eq!(OUTER.key("flga"), None);
    }
}
