//! Rehearsals of real schema evolutions (`../shared/corpus/evolutions`): the workloads the
//! catalog's rehearsals write by hand, derived here from each version's schema.
//!
//! A step is rehearsed on one model that the step changes (its block differs between the old
//! and the new schema) and that every version can write with generated values alone: no
//! required relation (its parent rows would be needed), no required field of a type or native
//! type a generated value could break (`Bytes`, `Unsupported`, `@db.Uuid`, a short `VarChar`,
//! `SmallInt`, a narrow `Decimal`), and every unique index with a field that gets a value unique
//! to the instance and round. The checked field is a `String` column every version has under
//! the same name and type: what one version writes, the others must read back.

use prisma_xc::database::quote_pg;
use prisma_xc::schema::{
    Arity, DefaultKind, Field, FieldType, IndexKind, Model, ScalarType, Schema,
};
use std::path::Path;

/// One evolution step, ready to rehearse.
pub struct Step {
    /// `repo/step`.
    pub case: String,
    pub old: String,
    pub new: String,
    /// `--rename` flags the project's own hand-written migration implies
    /// (`scripts/corpus-renames.tsv`).
    pub flags: Vec<String>,
    /// (version, workload JSON), for old, expand, expandWritingNewValues and new.
    pub workloads: Vec<(String, String)>,
    /// (version, SQL giving `key=value` lines from the final database).
    pub kept: Vec<(String, String)>,
    /// The plan states it is not zero-downtime (a change no order of steps makes safe): failed
    /// queries are then what it states, not a failure of the rehearsal.
    pub not_zero_downtime: bool,
    /// The plan has a contract (a breaking change): the samples prefer these.
    pub contracts: bool,
}

/// The PostgreSQL steps of the corpus, in a stable order.
pub fn postgres_steps(corpus: &Path) -> Vec<String> {
    let mut steps: Vec<String> = super::common::read_tsv(&corpus.join("evolutions/INDEX.tsv"))
        .into_iter()
        .filter(|row| row.get("provider").is_some_and(|p| p == "postgresql"))
        .map(|row| format!("{}/{}", row["repo"], row["step"]))
        .collect();
    steps.sort();
    steps
}

/// `count` rehearsable steps spread over `steps` (from every k-th on, the first with a
/// contract, else the first that can be rehearsed), the same every run; `count` 0 takes every
/// rehearsable step. With the steps left out and why.
pub fn sample(corpus: &Path, steps: &[String], count: usize) -> (Vec<Step>, Vec<String>) {
    let renames = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/corpus-renames.tsv"),
    )
    .unwrap_or_default();
    let mut picked: Vec<Step> = Vec::new();
    let mut left_out = Vec::new();
    let starts: Vec<usize> = if count == 0 {
        (0..steps.len()).collect()
    } else {
        (0..count).map(|i| i * steps.len() / count).collect()
    };
    for (n, start) in starts.iter().enumerate() {
        let end = if count == 0 {
            start + 1
        } else {
            starts.get(n + 1).copied().unwrap_or(steps.len())
        };
        let mut first = None;
        for case in &steps[*start..end] {
            let flags: Vec<String> = renames
                .lines()
                .filter_map(|l| l.split_once('\t'))
                .filter(|(s, _)| s == case)
                .flat_map(|(_, f)| ["--rename".to_string(), f.to_string()])
                .collect();
            match step(corpus, case, flags) {
                Ok(s) if s.contracts => {
                    first = Some(s);
                    break;
                }
                Ok(s) => {
                    first.get_or_insert(s);
                }
                Err(why) => left_out.push(format!("{case}: {why}")),
            }
        }
        picked.extend(first);
    }
    (picked, left_out)
}

fn load(path: &Path) -> Result<Schema, String> {
    let (_, loaded) = super::common::load_path(path);
    if loaded.has_errors() {
        return Err(format!("{} does not load", path.display()));
    }
    Ok(loaded.schema)
}

fn step(corpus: &Path, case: &str, flags: Vec<String>) -> Result<Step, String> {
    let dir = corpus.join("evolutions").join(case);
    let (old, new) = (
        load(&dir.join("old.prisma"))?,
        load(&dir.join("new.prisma"))?,
    );
    for version in ["old.prisma", "new.prisma"] {
        let text = std::fs::read_to_string(dir.join(version)).unwrap();
        if text
            .lines()
            .any(|l| l.trim_start().starts_with("///") && l.contains("*/"))
        {
            // Prisma Client's generator copies it into a doc comment, which it then ends.
            return Err(format!(
                "a `///` comment of {version} holds `*/`: Prisma Client does not compile"
            ));
        }
    }
    if old
        .datasource
        .as_ref()
        .is_some_and(|d| !d.schemas.is_empty())
    {
        return Err("multiSchema".into());
    }
    // The plan, for its intermediate schema.
    let scratch = std::env::temp_dir().join(format!(
        "prisma-xc-corpus-rehearsal-{}-{}",
        std::process::id(),
        case.replace('/', "_")
    ));
    let _ = std::fs::remove_dir_all(&scratch);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
        .arg("diff")
        .arg(dir.join("old.prisma"))
        .arg(dir.join("new.prisma"))
        .args([
            "--name",
            "rehearsal",
            "--timestamp",
            "20300101000000",
            "--out",
        ])
        .arg(scratch.join("plan"))
        .args(&flags)
        .output()
        .unwrap();
    let planned = (|| {
        if !out.status.success() {
            return Err(format!(
                "not planned: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .next()
                    .unwrap_or("")
            ));
        }
        let backfill = std::fs::read_to_string(scratch.join("plan/3-backfill/backfill.sql"))
            .unwrap_or_default();
        if backfill.contains("FILL_IN_") {
            return Err("the backfill needs a FILL IN".into());
        }
        let plan: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(scratch.join("plan/plan.json")).map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let stated = plan["notZeroDowntime"]
            .as_array()
            .is_some_and(|reasons| !reasons.is_empty());
        let contracts = plan["steps"]
            .as_array()
            .is_some_and(|steps| steps.iter().any(|s| s["phase"] == "contract"));
        Ok((
            load(&scratch.join("plan/schema.expand.prisma"))?,
            stated,
            contracts,
        ))
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    let (expand, not_zero_downtime, contracts) = planned?;

    let changed: Vec<&Model> = new
        .models
        .iter()
        .filter(|m| {
            old.models
                .iter()
                .find(|o| o.name == m.name)
                .is_some_and(|o| block(o) != block(m))
        })
        .collect();
    if changed.is_empty() {
        return Err("changes no model both schemas have".into());
    }
    let mut why = Vec::new();
    for model in changed {
        match rehearsal_of(&model.name, [&old, &expand, &new]) {
            Ok((workloads, kept)) => {
                return Ok(Step {
                    case: case.to_string(),
                    old: std::fs::read_to_string(dir.join("old.prisma")).unwrap(),
                    new: std::fs::read_to_string(dir.join("new.prisma")).unwrap(),
                    flags,
                    workloads,
                    kept,
                    not_zero_downtime,
                    contracts,
                });
            }
            Err(e) => why.push(format!("{}: {e}", model.name)),
        }
    }
    Err(why.join("; "))
}

/// What a model declares, comments left out: two versions of a model differ when these do.
fn block(model: &Model) -> String {
    let fields: Vec<String> = model
        .fields
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {:?} {:?} {:?} {:?} {}",
                f.name,
                f.mapped_name,
                f.field_type,
                f.arity,
                f.native_type,
                f.default.as_ref().map(|d| format!("{:?}", d.kind)),
                f.is_updated_at
            )
        })
        .collect();
    let key = model
        .primary_key
        .as_ref()
        .map(|k| format!("{:?}", k.fields));
    let indexes: Vec<String> = (model.indexes.iter())
        .map(|i| format!("{:?} {:?} {:?}", i.kind, i.fields, i.map))
        .collect();
    format!("{:?} {fields:?} {key:?} {indexes:?}", model.mapped_name)
}

/// A value the worker makes unique to the instance and round (`$s`, `$n`), a constant, or
/// `None` when no generated value is safe for the field.
fn value_of(schema: &Schema, f: &Field) -> Option<(serde_json::Value, bool)> {
    let native = f.native_type.as_ref().map(|n| (n.name.as_str(), &n.args));
    let arg = |i: usize| {
        native
            .and_then(|(_, args)| args.get(i))
            .and_then(|a| a.trim().parse::<u32>().ok())
    };
    match &f.field_type {
        FieldType::Scalar(ScalarType::String) => match native.map(|(n, _)| n) {
            None | Some("Text") | Some("Citext") => Some((serde_json::json!("$s"), true)),
            Some("VarChar") if arg(0).is_none_or(|n| n >= 60) => {
                Some((serde_json::json!("$s"), true))
            }
            Some("Uuid") => Some((serde_json::json!("$u"), true)),
            Some("VarChar") if arg(0).is_some_and(|n| n >= 36) => {
                Some((serde_json::json!("$u"), true))
            }
            _ => None,
        },
        FieldType::Scalar(ScalarType::Int | ScalarType::BigInt | ScalarType::Float) => {
            match native.map(|(n, _)| n) {
                Some("SmallInt") | Some("Oid") => None,
                _ => Some((serde_json::json!("$n"), true)),
            }
        }
        FieldType::Scalar(ScalarType::Decimal) => match (arg(0), arg(1)) {
            (Some(p), Some(s)) if p.saturating_sub(s) < 9 => None,
            _ => Some((serde_json::json!("$n"), true)),
        },
        FieldType::Scalar(ScalarType::Boolean) => Some((serde_json::json!(true), false)),
        FieldType::Scalar(ScalarType::DateTime) => {
            Some((serde_json::json!("2024-01-02T03:04:05.000Z"), false))
        }
        FieldType::Scalar(ScalarType::Json) => {
            Some((serde_json::json!({"rehearsal": true}), false))
        }
        FieldType::Enum(name) => schema
            .enums
            .iter()
            .find(|e| &e.name == name)
            .and_then(|e| e.values.first())
            .map(|v| (serde_json::json!(v.name), false)),
        _ => None,
    }
}

/// The fields of `model` that a relation field of it names in `fields:`.
fn foreign_key_fields(model: &Model) -> Vec<&str> {
    model
        .fields
        .iter()
        .filter_map(|f| f.relation.as_ref())
        .flat_map(|r| r.fields.iter().map(String::as_str))
        .collect()
}

/// What creating a row of a model takes: its data (required parents created nested), and
/// whether a nested create is in it (`createMany` takes none).
struct CreateData {
    data: serde_json::Map<String, serde_json::Value>,
    nested: bool,
}

/// Parents are created this deep at most.
const PARENT_DEPTH: usize = 3;

/// Parents nested in one create are told apart by their number: two parents of the same model
/// (reached by two paths) get different values (`$s-1`, `$n:1`).
fn create_data(
    schema: &Schema,
    model: &Model,
    checked: Option<&str>,
    depth: usize,
    parents: &mut usize,
) -> Result<CreateData, String> {
    let parent = *parents;
    if model.is_ignored || model.is_incomplete {
        return Err(format!("`{}` is ignored", model.name));
    }
    let Some(key) = &model.primary_key else {
        return Err(format!("`{}` has no primary key", model.name));
    };
    let key: Vec<&str> = key.fields.iter().map(|f| f.name.as_str()).collect();
    let foreign = foreign_key_fields(model);
    let mut data = serde_json::Map::new();
    let mut nested = false;
    // Fields whose value differs per row: generated, defaulted by a function, or the key of a
    // parent created for this row alone.
    let mut unique_values: Vec<&str> = Vec::new();
    for f in &model.fields {
        if let (FieldType::Model(target), Some(relation)) = (&f.field_type, &f.relation) {
            if !f.is_required() || relation.fields.is_empty() {
                continue;
            }
            if depth == PARENT_DEPTH {
                return Err(format!("parents deeper than {PARENT_DEPTH} (`{}`)", f.name));
            }
            let parent = schema
                .models
                .iter()
                .find(|m| &m.name == target)
                .ok_or_else(|| format!("no model {target}"))?;
            *parents += 1;
            if *parents > 50 {
                return Err(format!(
                    "more than 50 parents to create for `{}`",
                    model.name
                ));
            }
            let parent_data = create_data(schema, parent, None, depth + 1, parents)?;
            data.insert(
                f.name.clone(),
                serde_json::json!({ "create": parent_data.data }),
            );
            nested = true;
            unique_values.extend(relation.fields.iter().map(String::as_str));
            continue;
        }
        if f.is_relation() || f.arity == Arity::List {
            continue;
        }
        let generated = f.default.is_some() || f.is_updated_at;
        let wanted = (f.is_required() && !generated) || checked == Some(f.name.as_str());
        if foreign.contains(&f.name.as_str()) {
            // Set through its relation (required), or left empty (optional).
            continue;
        }
        if !wanted {
            if f.default
                .as_ref()
                .is_some_and(|d| !matches!(d.kind, DefaultKind::Now | DefaultKind::Value(_)))
            {
                unique_values.push(&f.name);
            }
            continue;
        }
        if f.is_ignored {
            return Err(format!(
                "required field `{}.{}` is ignored",
                model.name, f.name
            ));
        }
        let Some((value, unique)) = value_of(schema, f) else {
            return Err(format!("no safe value for `{}.{}`", model.name, f.name));
        };
        if unique {
            unique_values.push(&f.name);
        }
        let value = match value.as_str() {
            Some("$s") if parent > 0 => serde_json::json!(format!("$s-{parent}")),
            Some("$n") if parent > 0 => serde_json::json!(format!("$n:{parent}")),
            _ => value,
        };
        data.insert(f.name.clone(), value);
    }
    // Every unique index (the primary key too) needs a field whose value differs per row, or
    // one left NULL (NULLs never collide).
    let varies = |name: &str| {
        unique_values.contains(&name)
            || (!data.contains_key(name)
                && model
                    .field(name)
                    .is_some_and(|f| !f.is_required() && f.default.is_none()))
    };
    let uniques = model
        .indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Unique)
        .map(|i| i.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>())
        .chain(std::iter::once(key));
    for fields in uniques {
        if !fields.iter().any(|f| varies(f)) {
            return Err(format!(
                "unique `{}`({}) without a value per row",
                model.name,
                fields.join(", ")
            ));
        }
    }
    Ok(CreateData { data, nested })
}

/// The workload of one version, and the model's primary key fields in it.
fn workload(
    schema: &Schema,
    name: &str,
    checked: Option<&str>,
) -> Result<(serde_json::Value, Vec<String>), String> {
    let model = schema
        .models
        .iter()
        .find(|m| m.name == name)
        .ok_or("missing in a version")?;
    let key = model.primary_key.as_ref().ok_or("no primary key")?;
    if key.name.is_some() {
        return Err("a named primary key".into());
    }
    let key: Vec<String> = key.fields.iter().map(|f| f.name.clone()).collect();
    let CreateData { data, nested } = create_data(schema, model, checked, 0, &mut 0)?;
    let mut workload = serde_json::json!({
        "model": delegate(name),
        "create": data,
        "update": {},
        "checks": [],
        "key": key,
        "createMany": !nested,
    });
    if let Some(field) = checked {
        workload["update"] = serde_json::json!({ field: "$s" });
        workload["checks"] = serde_json::json!([field]);
    }
    let single_unique = model.indexes.iter().find_map(|i| {
        (i.kind == IndexKind::Unique && i.fields.len() == 1)
            .then(|| i.fields[0].name.clone())
            .filter(|f| data.get(f).is_some_and(|v| v == "$s"))
    });
    if let Some(by) = single_unique {
        workload["upsertBy"] = serde_json::json!(by);
    }
    if let Some(relation) = model.fields.iter().find(|f| f.is_relation()) {
        workload["include"] = serde_json::json!(relation.name);
    }
    Ok((workload, key))
}

/// Prisma Client's delegate for a model: its name with a lowercase first letter.
fn delegate(model: &str) -> String {
    let mut chars = model.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A `String` field every version has with the same column and type, writable by all.
fn stable_string_field<'a>(model: &str, versions: [&'a Schema; 3]) -> Option<&'a str> {
    let find = |s: &'a Schema| s.models.iter().find(|m| m.name == model);
    let [old, expand, new] = versions.map(find);
    let (old, expand, new) = (old?, expand?, new?);
    let foreign = foreign_key_fields(new);
    let key: Vec<&str> = new
        .primary_key
        .as_ref()
        .map(|k| k.fields.iter().map(|f| f.name.as_str()).collect())
        .unwrap_or_default();
    new.fields.iter().map(|f| f.name.as_str()).find(|name| {
        let same = |m: &Model| {
            m.field(name).is_some_and(|f| {
                let n = new.field(name).unwrap();
                f.field_type == FieldType::Scalar(ScalarType::String)
                    && f.database_name() == n.database_name()
                    && f.native_type == n.native_type
                    && f.arity != Arity::List
                    && value_of(versions[0], f).is_some_and(|(v, _)| v == "$s")
            })
        };
        !key.contains(name) && !foreign.contains(name) && same(old) && same(expand) && same(new)
    })
}

/// Workloads for old, expand (and the expand that writes new enum values) and new, and what
/// the final database must hold of each.
#[allow(clippy::type_complexity)]
fn rehearsal_of(
    model: &str,
    versions: [&Schema; 3],
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), String> {
    let checked = stable_string_field(model, versions);
    let [old, expand, new] = versions;
    let (old_w, key) = workload(old, model, checked)?;
    let (expand_w, _) = workload(expand, model, checked)?;
    let (new_w, _) = workload(new, model, checked)?;
    // Every version names a row by the old key (the key may change with the plan), so that
    // the final database is searched by what each instance wrote.
    let new_model = new.models.iter().find(|m| m.name == model).unwrap();
    for schema in versions {
        let m = schema.models.iter().find(|m| m.name == model).unwrap();
        for field in &key {
            if !m.field(field).is_some_and(|f| {
                matches!(
                    f.field_type,
                    FieldType::Scalar(ScalarType::String | ScalarType::Int | ScalarType::BigInt)
                ) && f.database_name() == new_model.field(field).map_or("", |n| n.database_name())
            }) {
                return Err(format!("its key field `{field}` changes"));
            }
        }
    }
    let with_ledger = |mut w: serde_json::Value| {
        w["ledger"] = serde_json::json!(key);
        w.to_string()
    };
    let (old_w, expand_w, new_w) = (
        with_ledger(old_w),
        with_ledger(expand_w),
        with_ledger(new_w),
    );
    let column = |field: &str| {
        format!(
            "{}::text",
            quote_pg(new_model.field(field).unwrap().database_name())
        )
    };
    let key_sql = key
        .iter()
        .map(|k| column(k))
        .collect::<Vec<_>>()
        .join(" || '/' || ");
    let value_sql = checked.map(column).unwrap_or_else(|| key_sql.clone());
    let kept_sql = format!(
        "SELECT {key_sql} || '=' || {value_sql} FROM {}",
        quote_pg(new_model.database_name())
    );
    let workloads = vec![
        ("old".to_string(), old_w),
        ("expand".to_string(), expand_w.clone()),
        ("expandWritingNewValues".to_string(), expand_w),
        ("new".to_string(), new_w),
    ];
    let kept = ["old", "expand", "expandWritingNewValues", "new"]
        .into_iter()
        .map(|v| (v.to_string(), kept_sql.clone()))
        .collect();
    Ok((workloads, kept))
}
