//! The data map: a Frictionless Table Schema plus Finishline's own properties.
//!
//! A map is parsed once, at the edge ([`DataMap::from_json`], [`DataMap::from_yaml`]), and
//! validated ([`DataMap::validate`] runs inside both): a map that parses names every wrong
//! property by its path (`fields[3].constraints.pattern`), so the person writing it can fix it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::limits::{bytes, compile_pattern, json_depth, map_limits, yaml_flow_depth};

use crate::normalize::Normalizer;
use crate::DataError;

/// A data map: the destination fields, how to find them in the customer's file and the rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DataMap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub fields: Vec<Field>,
    /// Values read as "no value" (Table Schema default: `[""]`).
    #[serde(
        default = "default_missing",
        skip_serializing_if = "is_default_missing"
    )]
    pub missing_values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<OneOrMany>,
    /// Finishline: groups of fields whose *normalised* values must be unique.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicate_keys: Vec<Vec<String>>,
    /// Properties we do not know; reported by [`DataMap::warnings`].
    #[serde(flatten, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Value>,
}

fn default_missing() -> Vec<String> {
    vec![String::new()]
}
fn is_default_missing(v: &[String]) -> bool {
    v.len() == 1 && v[0].is_empty()
}

/// A string or a list of strings (`primaryKey`, `normalize`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// The Table Schema field types Finishline checks.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    #[default]
    String,
    Integer,
    Number,
    Boolean,
    Date,
    Datetime,
    Time,
    Year,
    Any,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
            FieldType::Time => "time",
            FieldType::Year => "year",
            FieldType::Any => "any",
        }
    }
}

/// What a blank cell means for a field (Finishline).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum BlankMeans {
    /// A blank is flagged for review, never rejected.
    NeedsReview,
    /// A blank is fine (the default for an optional field).
    Empty,
    /// A blank is an error even when the field is not required.
    Error,
}

/// What to do with a value outside `enum` (Finishline). The default is `fail`: never guess.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum OnUnknown {
    #[default]
    Fail,
    Review,
}

/// Table Schema constraints.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Constraints {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub enum_values: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(flatten, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Value>,
}

/// One destination field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, rename = "type")]
    pub field_type: FieldType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "is_default_constraints")]
    pub constraints: Constraints,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_values: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_char: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal_char: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bare_number: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub true_values: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub false_values: Option<Vec<String>>,
    // Finishline extensions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_frequency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blank_means: Option<BlankMeans>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_unknown: Option<OnUnknown>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalize: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub date_formats: Vec<String>,
    #[serde(flatten, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Value>,
}

fn is_default_constraints(c: &Constraints) -> bool {
    *c == Constraints::default()
}

const KNOWN_FIELD_PROPS: &[&str] = &[
    "name",
    "title",
    "description",
    "type",
    "format",
    "constraints",
    "missingValues",
    "groupChar",
    "decimalChar",
    "bareNumber",
    "trueValues",
    "falseValues",
    "sourceNames",
    "sample",
    "changeFrequency",
    "blankMeans",
    "onUnknown",
    "normalize",
    "dateFormats",
];

/// Table Schema properties we accept and ignore (they change nothing we check).
const IGNORED_PROPS: &[&str] = &["example", "rdfType", "$schema", "profile", "foreignKeys"];

/// Refuse a map text over [`map_limits::MAX_MAP_BYTES`].
fn check_map_size(text: &str) -> Result<(), DataError> {
    if text.len() > map_limits::MAX_MAP_BYTES {
        return Err(DataError::Map {
            path: "(the whole map)".into(),
            message: format!(
                "the map takes {}, more than the limit of {}",
                bytes(text.len() as u64),
                bytes(map_limits::MAX_MAP_BYTES as u64)
            ),
        });
    }
    Ok(())
}

/// Refuse a map nested deeper than [`map_limits::MAX_DEPTH`].
fn check_depth(depth: usize) -> Result<(), DataError> {
    if depth > map_limits::MAX_DEPTH {
        return Err(DataError::Map {
            path: "(the whole map)".into(),
            message: format!(
                "the map nests more than {} levels deep, the limit",
                map_limits::MAX_DEPTH
            ),
        });
    }
    Ok(())
}

impl DataMap {
    /// Parse a map from JSON; the error names the path of the wrong property.
    pub fn from_json(text: &str) -> Result<DataMap, DataError> {
        check_map_size(text)?;
        check_depth(json_depth(text, map_limits::MAX_DEPTH))?;
        let de = &mut serde_json::Deserializer::from_str(text);
        let map: DataMap = serde_path_to_error::deserialize(de).map_err(|e| DataError::Map {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })?;
        map.validate()?;
        Ok(map)
    }

    /// Parse a map from YAML; the error names the path of the wrong property.
    ///
    /// serde_yaml 0.9 guards the reading: nesting deeper than 128 levels and alias expansions
    /// that repeat too much (a "billion laughs" map) are refused, not expanded.
    pub fn from_yaml(text: &str) -> Result<DataMap, DataError> {
        check_map_size(text)?;
        // Deep flow nesting is slow to parse long before serde_yaml's limit: refused first.
        check_depth(yaml_flow_depth(text, map_limits::MAX_DEPTH))?;
        let de = serde_yaml::Deserializer::from_str(text);
        let map: DataMap = serde_path_to_error::deserialize(de).map_err(|e| DataError::Map {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })?;
        map.validate()?;
        Ok(map)
    }

    /// Read a map file: YAML when the name ends in `.yaml`/`.yml`, JSON otherwise.
    pub fn from_path(path: &std::path::Path) -> Result<DataMap, DataError> {
        let io = |e| DataError::Io {
            path: path.display().to_string(),
            source: e,
        };
        let len = std::fs::metadata(path).map_err(io)?.len();
        if len > map_limits::MAX_MAP_BYTES as u64 {
            return Err(DataError::Map {
                path: path.display().to_string(),
                message: format!(
                    "the map file takes {}, more than the limit of {}",
                    bytes(len),
                    bytes(map_limits::MAX_MAP_BYTES as u64)
                ),
            });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ext == "yaml" || ext == "yml" {
            DataMap::from_yaml(&text)
        } else {
            DataMap::from_json(&text)
        }
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Check what serde cannot: names unique, references resolve, patterns compile.
    pub fn validate(&self) -> Result<(), DataError> {
        let err = |path: String, message: String| Err(DataError::Map { path, message });
        if self.fields.is_empty() {
            return err(
                "fields".into(),
                "a data map needs at least one field".into(),
            );
        }
        for (i, f) in self.fields.iter().enumerate() {
            let p = format!("fields[{i}]");
            if f.name.trim().is_empty() {
                return err(format!("{p}.name"), "a field needs a name".into());
            }
            if let Some(j) = self.fields[..i].iter().position(|g| g.name == f.name) {
                return err(
                    format!("{p}.name"),
                    format!(
                        "the name \"{}\" is already used by fields[{j}]; names must be unique",
                        f.name
                    ),
                );
            }
            if let Some(pat) = &f.constraints.pattern {
                if let Err(e) = compile_pattern(pat) {
                    return err(format!("{p}.constraints.pattern"), e);
                }
            }
            if f.field_type == FieldType::String
                && crate::formats::StringFormat::parse(f.format.as_deref()).is_none()
            {
                let name = f.format.as_deref().unwrap_or_default();
                let why = if name == "wkt" {
                    " (well-known text geometry is not checked by Finishline)"
                } else {
                    ""
                };
                return err(
                    format!("{p}.format"),
                    format!(
                        "field \"{}\": unknown string format \"{name}\"{why}; use one of: {}",
                        f.name,
                        crate::formats::StringFormat::NAMES.join(", ")
                    ),
                );
            }
            if let (FieldType::Date | FieldType::Datetime | FieldType::Time, Some(fmt)) =
                (f.field_type, f.format.as_deref())
            {
                let pattern_ok = fmt.contains('%') && crate::types::check_strftime(fmt).is_ok();
                if !matches!(fmt, "default" | "any") && !pattern_ok {
                    return err(
                        format!("{p}.format"),
                        format!(
                            "field \"{}\": \"{fmt}\" is not a {} format; use default, any or a strftime pattern such as %d/%m/%Y",
                            f.name,
                            f.field_type.as_str()
                        ),
                    );
                }
            }
            if let Some(n) = &f.normalize {
                for (k, name) in n.to_vec().iter().enumerate() {
                    if Normalizer::parse(name).is_none() {
                        return err(
                            format!("{p}.normalize[{k}]"),
                            format!(
                                "unknown normaliser \"{name}\"; use one of: {}",
                                Normalizer::NAMES.join(", ")
                            ),
                        );
                    }
                }
            }
            for (k, df) in f.date_formats.iter().enumerate() {
                if crate::types::check_strftime(df).is_err() {
                    return err(
                        format!("{p}.dateFormats[{k}]"),
                        format!("\"{df}\" is not a date format such as %d/%m/%Y"),
                    );
                }
            }
            if let (Some(g), Some(d)) = (&f.group_char, &f.decimal_char) {
                if g == d {
                    return err(
                        format!("{p}.groupChar"),
                        "groupChar and decimalChar must differ".into(),
                    );
                }
            }
            if let Some(values) = &f.constraints.enum_values {
                for (k, v) in values.iter().enumerate() {
                    if !(v.is_string() || v.is_number() || v.is_boolean()) {
                        return err(
                            format!("{p}.constraints.enum[{k}]"),
                            "enum values must be strings, numbers or booleans".into(),
                        );
                    }
                }
            }
            for (key, v) in [
                ("minimum", &f.constraints.minimum),
                ("maximum", &f.constraints.maximum),
            ] {
                if let Some(v) = v {
                    if crate::types::bound_value(f, v).is_none() {
                        return err(
                            format!("{p}.constraints.{key}"),
                            format!("{v} is not a {} value", f.field_type.as_str()),
                        );
                    }
                }
            }
        }
        for (i, group) in self.duplicate_keys.iter().enumerate() {
            if group.is_empty() {
                return err(
                    format!("duplicateKeys[{i}]"),
                    "a duplicate key needs at least one field".into(),
                );
            }
            for (k, name) in group.iter().enumerate() {
                if self.field_index(name).is_none() {
                    return err(
                        format!("duplicateKeys[{i}][{k}]"),
                        format!("\"{name}\" is not a field of this map"),
                    );
                }
            }
        }
        if let Some(pk) = &self.primary_key {
            for name in pk.to_vec() {
                if self.field_index(&name).is_none() {
                    return err(
                        "primaryKey".into(),
                        format!("\"{name}\" is not a field of this map"),
                    );
                }
            }
        }
        Ok(())
    }

    /// Unknown properties, as "path: message" lines (a typo such as `normalise` lands here).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for k in self.extra.keys() {
            if !IGNORED_PROPS.contains(&k.as_str()) {
                out.push(format!("{k}: unknown property, ignored"));
            }
        }
        for (i, f) in self.fields.iter().enumerate() {
            for k in f.extra.keys() {
                if IGNORED_PROPS.contains(&k.as_str()) {
                    continue;
                }
                let hint = KNOWN_FIELD_PROPS
                    .iter()
                    .map(|p| {
                        (
                            p,
                            strsim::jaro_winkler(&k.to_lowercase(), &p.to_lowercase()),
                        )
                    })
                    .filter(|(_, s)| *s > 0.85)
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(p, _)| format!(" (did you mean {p}?)"))
                    .unwrap_or_default();
                out.push(format!("fields[{i}].{k}: unknown property, ignored{hint}"));
            }
            for k in f.constraints.extra.keys() {
                out.push(format!(
                    "fields[{i}].constraints.{k}: constraint not supported, ignored"
                ));
            }
        }
        out
    }
}
