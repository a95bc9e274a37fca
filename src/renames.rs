//! Renames: what Prisma cannot see in two schemas, declared by the user.
//!
//! Prisma compares names, so a renamed field looks like a dropped one plus a new one. A rename
//! is declared on the command line (`--rename User.user_name=username`, `--rename Person=User`,
//! `--rename Role.ADMIN=OWNER`) or in the new schema (`// prisma-xc: renamed from user_name`, see
//! [`crate::directives`]). Both are checked against the two schemas here, so every later stage
//! can trust them.

use indexmap::IndexMap;

use crate::diagnostics::{Diagnostic, Span};
use crate::directives::{Directive, DirectiveKind, Target};
use crate::schema::Schema;

/// Where a rename was declared, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Directive(Span),
}

/// Every declared rename, keyed by old names.
#[derive(Debug, Clone, Default)]
pub struct Renames {
    /// Old model name -> new model name.
    pub models: IndexMap<String, (String, Origin)>,
    /// (old model, old field) -> new field.
    pub fields: IndexMap<(String, String), (String, Origin)>,
    /// Old enum name -> new enum name.
    pub enums: IndexMap<String, (String, Origin)>,
    /// (old enum, old value) -> new value.
    pub enum_values: IndexMap<(String, String), (String, Origin)>,
}

impl Renames {
    /// The new name of an old model (itself when it was not renamed).
    pub fn model<'a>(&'a self, old: &'a str) -> &'a str {
        self.models.get(old).map_or(old, |(n, _)| n)
    }

    pub fn field<'a>(&'a self, old_model: &str, old_field: &'a str) -> &'a str {
        // Called for every field of every model: no allocation when nothing was declared.
        if self.fields.is_empty() {
            return old_field;
        }
        self.fields
            .get(&(old_model.to_string(), old_field.to_string()))
            .map_or(old_field, |(n, _)| n)
    }

    pub fn enumeration<'a>(&'a self, old: &'a str) -> &'a str {
        self.enums.get(old).map_or(old, |(n, _)| n)
    }

    pub fn enum_value<'a>(&'a self, old_enum: &str, old_value: &'a str) -> &'a str {
        if self.enum_values.is_empty() {
            return old_value;
        }
        self.enum_values
            .get(&(old_enum.to_string(), old_value.to_string()))
            .map_or(old_value, |(n, _)| n)
    }

    pub fn origin_of_field(&self, old_model: &str, old_field: &str) -> Option<Origin> {
        if self.fields.is_empty() {
            return None;
        }
        self.fields
            .get(&(old_model.to_string(), old_field.to_string()))
            .map(|(_, o)| *o)
    }
}

/// A `--rename OLD=NEW` flag as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameFlag {
    pub old: Vec<String>,
    pub new: String,
}

impl std::str::FromStr for RenameFlag {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let usage = "expected Model=NewModel, Model.field=newField or Enum.VALUE=NEW_VALUE";
        let (old, new) = s.split_once('=').ok_or_else(|| format!("`{s}`: {usage}"))?;
        let old: Vec<String> = old
            .trim()
            .split('.')
            .map(|p| p.trim().to_string())
            .collect();
        let new = new.trim();
        let ok = |p: &str| !p.is_empty() && !p.contains(['.', '=', ' ']);
        if old.len() > 2 || !old.iter().all(|p| ok(p)) || !ok(new) {
            return Err(format!("`{s}`: {usage}"));
        }
        Ok(RenameFlag {
            old,
            new: new.to_string(),
        })
    }
}

/// Why a declared rename cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameError {
    pub flag: String,
    pub message: String,
}

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "--rename {}: {}", self.flag, self.message)
    }
}

/// Check the flags and the directives of the new schema against both schemas. Flags that name
/// nothing are errors (the user typed them for this run); directives that name nothing are
/// warnings at their line. The comment of a rename that has shipped (the old schema already
/// has the new name, and not the old one) is history, and says nothing.
pub fn declare(
    old: &Schema,
    new: &Schema,
    flags: &[RenameFlag],
    directives: &[Directive],
) -> Result<(Renames, Vec<Diagnostic>), RenameError> {
    let mut renames = Renames::default();
    let mut warnings = Vec::new();
    // Model and enum renames first: field and value renames are looked up through them.
    declare_containers(old, new, flags, directives, &mut renames, &mut warnings)?;
    declare_member_flags(old, new, flags, &mut renames)?;
    declare_member_directives(old, new, directives, &mut renames, &mut warnings);
    Ok((renames, warnings))
}

/// Model and enum renames, from flags (errors when they name nothing) and directives
/// (warnings).
fn declare_containers(
    old: &Schema,
    new: &Schema,
    flags: &[RenameFlag],
    directives: &[Directive],
    renames: &mut Renames,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(), RenameError> {
    for flag in flags.iter().filter(|f| f.old.len() == 1) {
        let err = |message: String| RenameError {
            flag: format!("{}={}", flag.old.join("."), flag.new),
            message,
        };
        let old_name = &flag.old[0];
        if old.model(old_name).is_some() {
            if new.model(&flag.new).is_none() {
                return Err(err(format!("the new schema has no model `{}`", flag.new)));
            }
            renames
                .models
                .insert(old_name.clone(), (flag.new.clone(), Origin::Flag));
        } else if old.enum_by_name(old_name).is_some() {
            if new.enum_by_name(&flag.new).is_none() {
                return Err(err(format!("the new schema has no enum `{}`", flag.new)));
            }
            renames
                .enums
                .insert(old_name.clone(), (flag.new.clone(), Origin::Flag));
        } else {
            return Err(err(format!(
                "the old schema has no model or enum `{old_name}`"
            )));
        }
    }
    for d in directives {
        let DirectiveKind::RenamedFrom(from) = &d.kind else {
            continue;
        };
        match &d.target {
            Target::Model(to) => {
                // The comment of a rename that shipped in an earlier change stays behind.
                if old.model(from).is_none() && old.model(to).is_some() {
                    continue;
                }
                if old.model(from).is_none() {
                    warnings.push(names_nothing(
                        d.span,
                        format!("the old schema has no model `{from}`"),
                    ));
                } else if from != to && old.model(to).is_some() && new.model(from).is_some() {
                    warnings.push(names_nothing(d.span, format!("both schemas have models `{from}` and `{to}`, so `{to}` is not a renamed `{from}`")));
                } else {
                    renames
                        .models
                        .insert(from.clone(), (to.clone(), Origin::Directive(d.span)));
                }
            }
            Target::Enum(to) => {
                if old.enum_by_name(from).is_none() && old.enum_by_name(to).is_some() {
                    continue;
                }
                if old.enum_by_name(from).is_none() {
                    warnings.push(names_nothing(
                        d.span,
                        format!("the old schema has no enum `{from}`"),
                    ));
                } else {
                    renames
                        .enums
                        .insert(from.clone(), (to.clone(), Origin::Directive(d.span)));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The old model a model of the new schema was, renamed or not.
fn old_model_of(old: &Schema, renames: &Renames, new_model: &str) -> Option<String> {
    renames
        .models
        .iter()
        .find(|(_, (n, _))| n == new_model)
        .map(|(o, _)| o.clone())
        .or_else(|| old.model(new_model).map(|m| m.name.clone()))
}

/// The old enum an enum of the new schema was, renamed or not.
fn old_enum_of(old: &Schema, renames: &Renames, new_enum: &str) -> Option<String> {
    renames
        .enums
        .iter()
        .find(|(_, (n, _))| n == new_enum)
        .map(|(o, _)| o.clone())
        .or_else(|| old.enum_by_name(new_enum).map(|e| e.name.clone()))
}

/// Field and enum value renames from `--rename Model.old=new`: an error when they name nothing.
fn declare_member_flags(
    old: &Schema,
    new: &Schema,
    flags: &[RenameFlag],
    renames: &mut Renames,
) -> Result<(), RenameError> {
    for flag in flags.iter().filter(|f| f.old.len() == 2) {
        let err = |message: String| RenameError {
            flag: format!("{}={}", flag.old.join("."), flag.new),
            message,
        };
        let (container, member) = (&flag.old[0], &flag.old[1]);
        // The container may be named by its old or its new name.
        let old_model = old.model(container).map(|m| m.name.clone()).or_else(|| {
            renames
                .models
                .iter()
                .find(|(_, (n, _))| n == container)
                .map(|(o, _)| o.clone())
        });
        if let Some(old_model) = old_model {
            let new_model = renames.model(&old_model).to_string();
            if old
                .model(&old_model)
                .and_then(|m| m.field(member))
                .is_none()
            {
                return Err(err(format!(
                    "model `{old_model}` in the old schema has no field `{member}`"
                )));
            }
            if new
                .model(&new_model)
                .and_then(|m| m.field(&flag.new))
                .is_none()
            {
                return Err(err(format!(
                    "model `{new_model}` in the new schema has no field `{}`",
                    flag.new
                )));
            }
            renames.fields.insert(
                (old_model, member.clone()),
                (flag.new.clone(), Origin::Flag),
            );
            continue;
        }
        let old_enum = old
            .enum_by_name(container)
            .map(|e| e.name.clone())
            .or_else(|| {
                renames
                    .enums
                    .iter()
                    .find(|(_, (n, _))| n == container)
                    .map(|(o, _)| o.clone())
            });
        let Some(old_enum) = old_enum else {
            return Err(err(format!(
                "the old schema has no model or enum `{container}`"
            )));
        };
        let new_enum = renames.enumeration(&old_enum).to_string();
        let has_value = |s: &Schema, e: &str, v: &str| {
            s.enum_by_name(e)
                .is_some_and(|e| e.values.iter().any(|x| x.name == v))
        };
        if !has_value(old, &old_enum, member) {
            return Err(err(format!(
                "enum `{old_enum}` in the old schema has no value `{member}`"
            )));
        }
        if !has_value(new, &new_enum, &flag.new) {
            return Err(err(format!(
                "enum `{new_enum}` in the new schema has no value `{}`",
                flag.new
            )));
        }
        renames
            .enum_values
            .insert((old_enum, member.clone()), (flag.new.clone(), Origin::Flag));
    }

    Ok(())
}

/// Field and enum value renames from `renamed from` comments: a warning at the comment when it
/// names nothing, silence when the rename has shipped.
fn declare_member_directives(
    old: &Schema,
    new: &Schema,
    directives: &[Directive],
    renames: &mut Renames,
    warnings: &mut Vec<Diagnostic>,
) {
    for d in directives {
        let DirectiveKind::RenamedFrom(from) = &d.kind else {
            continue;
        };
        match &d.target {
            Target::Field { model, field } => {
                let Some(old_model) = old_model_of(old, renames, model) else {
                    warnings.push(names_nothing(
                        d.span,
                        format!("model `{model}` is new, so it has no old field `{from}`"),
                    ));
                    continue;
                };
                let old_has = old.model(&old_model).and_then(|m| m.field(from)).is_some();
                let new_has = new.model(model).and_then(|m| m.field(from)).is_some();
                let shipped = old.model(&old_model).and_then(|m| m.field(field)).is_some();
                if !old_has && shipped {
                    continue;
                }
                if !old_has {
                    warnings.push(names_nothing(
                        d.span,
                        format!("model `{old_model}` in the old schema has no field `{from}`"),
                    ));
                } else if new_has && from != field {
                    warnings.push(names_nothing(d.span, format!("model `{model}` still has a field `{from}`, so `{field}` is not a renamed `{from}`")));
                } else {
                    renames.fields.insert(
                        (old_model, from.clone()),
                        (field.clone(), Origin::Directive(d.span)),
                    );
                }
            }
            Target::EnumValue { enumeration, value } => {
                let Some(old_enum) = old_enum_of(old, renames, enumeration) else {
                    warnings.push(names_nothing(
                        d.span,
                        format!("enum `{enumeration}` is new, so it has no old value `{from}`"),
                    ));
                    continue;
                };
                let old_has = old
                    .enum_by_name(&old_enum)
                    .is_some_and(|e| e.values.iter().any(|v| &v.name == from));
                let shipped = old
                    .enum_by_name(&old_enum)
                    .is_some_and(|e| e.values.iter().any(|v| &v.name == value));
                if !old_has && shipped {
                    continue;
                }
                if !old_has {
                    warnings.push(names_nothing(
                        d.span,
                        format!("enum `{old_enum}` in the old schema has no value `{from}`"),
                    ));
                } else {
                    renames.enum_values.insert(
                        (old_enum, from.clone()),
                        (value.clone(), Origin::Directive(d.span)),
                    );
                }
            }
            _ => {}
        }
    }
}

fn names_nothing(span: Span, why: String) -> Diagnostic {
    Diagnostic::warning(span, format!("this `renamed from` names nothing: {why}"))
        .with_help("fix the old name, or remove the comment if the rename has already shipped")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_models_fields_and_values() {
        let f: RenameFlag = "User.user_name=username".parse().unwrap();
        assert_eq!(f.old, vec!["User", "user_name"]);
        assert_eq!(f.new, "username");
        let f: RenameFlag = "Person=User".parse().unwrap();
        assert_eq!(f.old, vec!["Person"]);
        for bad in ["User", "=x", "a.b.c=d", "a=", "a=b.c"] {
            assert!(bad.parse::<RenameFlag>().is_err(), "{bad}");
        }
    }

    fn warnings(old: &str, new: &str) -> Vec<String> {
        use crate::diagnostics::{SourceFile, Sources};
        let load = |text: &str| {
            let mut sources = Sources::default();
            sources.add(SourceFile::new("schema.prisma", text));
            (crate::load(&sources), sources)
        };
        let ((old, _), (new, new_sources)) = (load(old), load(new));
        let (directives, problems) = crate::directives::find(&new_sources, &new.schema, |_| true);
        assert!(problems.is_empty());
        let (_, warnings) = declare(&old.schema, &new.schema, &[], &directives).unwrap();
        warnings.into_iter().map(|w| w.message).collect()
    }

    #[test]
    fn a_shipped_rename_keeps_its_comment_silently_and_a_wrong_one_warns() {
        let head = "datasource db {\n  provider = \"postgresql\"\n}\n";
        let shipped = format!(
            "{head}enum Role {{\n  ADMIN // prisma-xc: renamed from ROOT\n}}\nmodel Person {{ // prisma-xc: renamed from User\n  id Int @id\n  username String // prisma-xc: renamed from user_name\n}}\n"
        );
        assert_eq!(warnings(&shipped, &shipped), Vec::<String>::new());
        let before = format!(
            "{head}enum Role {{\n  ADMIN\n}}\nmodel Person {{\n  id Int @id\n  name String\n}}\n"
        );
        let wrong = format!(
            "{head}enum Role {{\n  ADMIN\n}}\nmodel Person {{\n  id Int @id\n  name String\n  username String // prisma-xc: renamed from usr\n}}\n"
        );
        assert_eq!(
            warnings(&before, &wrong),
            [
                "this `renamed from` names nothing: model `Person` in the old schema has no field `usr`"
            ]
        );
    }
}
