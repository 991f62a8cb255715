//! `cronbridge schema <kind>`: the JSON Schema of a kind of file, generated from the
//! declarations its loader checks with (`shape`). The committed `schema/*.schema.json` and
//! the README's key reference are tested against the same declarations.

use crate::outcome::Outcome;
use crate::shape::{self, FileShape};
use clap::{Args, ValueEnum};
use std::io::Write;

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which kind of file.
    #[arg(value_enum)]
    pub kind: SchemaKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// `schedules/*.yml`.
    Schedules,
    /// `rules/*.yml`: policies and alerts.
    Rules,
    /// `cronbridge.yml`.
    Settings,
}

/// Every kind of file, in the order the README describes them.
pub fn files() -> [&'static FileShape; 3] {
    [
        &crate::schedule::FILE,
        &crate::policy::load::FILE,
        &crate::settings::FILE,
    ]
}

impl SchemaKind {
    pub fn shape(self) -> &'static FileShape {
        match self {
            SchemaKind::Schedules => &crate::schedule::FILE,
            SchemaKind::Rules => &crate::policy::load::FILE,
            SchemaKind::Settings => &crate::settings::FILE,
        }
    }
}

pub fn command(args: SchemaArgs) -> anyhow::Result<Outcome> {
    let text = shape::json_schema_text(args.kind.shape());
    write!(std::io::stdout().lock(), "{text}")?;
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const ROOT: &str = env!("CARGO_MANIFEST_DIR");

    fn bless() -> bool {
        std::env::var_os("CRONBRIDGE_BLESS").is_some()
    }

    #[test]
    fn kinds_name_their_files() {
        for kind in SchemaKind::value_variants() {
            let name = kind.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(kind.shape().kind, name);
        }
        let kinds: HashSet<_> = files().iter().map(|f| f.kind).collect();
        assert_eq!(kinds.len(), SchemaKind::value_variants().len());
    }

    // `CRONBRIDGE_BLESS=1 cargo test --lib committed_schemas` rewrites them.
    #[test]
    fn committed_schemas_are_the_generated_ones() {
        let mut stale = Vec::new();
        for file in files() {
            let path = format!("{ROOT}/schema/{}.schema.json", file.kind);
            let expected = shape::json_schema_text(file);
            if bless() {
                std::fs::create_dir_all(format!("{ROOT}/schema")).unwrap();
                std::fs::write(&path, &expected).unwrap();
                continue;
            }
            if std::fs::read_to_string(&path).ok().as_deref() != Some(expected.as_str()) {
                stale.push(path);
            }
        }
        assert!(
            stale.is_empty(),
            "{stale:?} differ from the declarations; run `CRONBRIDGE_BLESS=1 cargo test --lib committed_schemas` and commit them"
        );
    }

    #[test]
    fn object_names_are_unique_in_each_schema() {
        for file in files() {
            let schema = shape::json_schema(file);
            let defs = schema["$defs"].as_object().map_or(0, |d| d.len());
            let text = serde_json::to_string(&schema).unwrap();
            let refs: HashSet<&str> = text
                .match_indices("#/$defs/")
                .map(|(i, _)| {
                    let rest = &text[i + 8..];
                    &rest[..rest.find('"').unwrap()]
                })
                .collect();
            assert_eq!(
                refs.len(),
                defs,
                "{}: every object once, under its own name",
                file.kind
            );
        }
    }

    const BEGIN: &str = "<!-- keys:begin -->\n";
    const END: &str = "<!-- keys:end -->";

    // `CRONBRIDGE_BLESS=1 cargo test --lib readme_key_reference` rewrites it.
    #[test]
    fn readme_key_reference_is_the_declarations() {
        let path = format!("{ROOT}/README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let expected = shape::reference(&files());
        let start = readme.find(BEGIN).map(|i| i + BEGIN.len());
        let end = readme.find(END);
        let (Some(start), Some(end)) = (start, end) else {
            panic!("README.md has no `{}` … `{END}` markers", BEGIN.trim());
        };
        if bless() {
            let text = format!("{}{expected}{}", &readme[..start], &readme[end..]);
            std::fs::write(&path, text).unwrap();
            return;
        }
        assert!(
            readme[start..end] == expected,
            "README.md's key reference is not the declarations; run `CRONBRIDGE_BLESS=1 cargo test --lib readme_key_reference`"
        );
    }
}
