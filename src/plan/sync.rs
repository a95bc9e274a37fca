//! Sync triggers: while old and new code run side by side, a trigger per renamed column copies
//! each write to the other column (old code writes the old one, code that names only the new
//! one fills the old one), converting between their types where they differ. PostgreSQL and
//! SQLite; the contract drops them.

use super::{ColumnRename, cast, changes_value, distinct};
use crate::database::ColumnType;
use crate::schema::Provider;
use crate::sql::Dialect;

#[derive(Debug, Default)]
pub(super) struct SyncTriggers {
    pub create: String,
    pub drop: String,
}

/// Triggers that keep each renamed column and its old column equal, whichever one a row's
/// writer set: old code writes only the old column, new code both.
pub(super) fn sync_triggers(
    provider: Provider,
    renames: &[ColumnRename],
    plan: &str,
) -> SyncTriggers {
    match provider {
        Provider::PostgreSql => renames
            .iter()
            .map(|r| postgres_sync_trigger(r, plan))
            .collect(),
        Provider::Sqlite => renames
            .iter()
            .map(|r| sqlite_sync_trigger(r, plan))
            .collect(),
        _ => SyncTriggers::default(),
    }
}

impl FromIterator<SyncTriggers> for SyncTriggers {
    fn from_iter<I: IntoIterator<Item = SyncTriggers>>(iter: I) -> Self {
        let mut out = SyncTriggers::default();
        for t in iter {
            out.create.push_str(&t.create);
            out.drop.push_str(&t.drop);
        }
        out
    }
}

/// The comment above a sync trigger: one line, whatever the names hold.
pub(super) fn sync_comment(r: &ColumnRename, plan: &str) -> String {
    crate::escape::line_comment(&format!(
        "CreateSyncTrigger (plan {plan}: keeps \"{}\" and \"{}\" equal while old and new code run side by side)",
        r.new_column, r.old_column
    ))
}

/// The message a sync trigger stops a write with when a value does not convert unchanged.
pub(super) fn conversion_error(r: &ColumnRename, to: &ColumnType) -> String {
    format!(
        "prisma-xc sync: a value of \"{}\".\"{}\" changes when converted to {}; the write is refused instead of storing another value",
        r.table.name,
        r.old_column,
        to.sql()
    )
}

pub(super) fn postgres_sync_trigger(r: &ColumnRename, plan: &str) -> SyncTriggers {
    let provider = Provider::PostgreSql;
    let d = Dialect(provider);
    let base = crate::database::owned_name(
        &format!("{}_{}", r.table.name, r.new_column),
        "xc_sync",
        provider,
    );
    let function = d.qualified(&r.table.schema, &base);
    let (old, new) = (
        format!("NEW.{}", d.quote(&r.old_column)),
        format!("NEW.{}", d.quote(&r.new_column)),
    );
    let (was_old, was_new) = (
        format!("OLD.{}", d.quote(&r.old_column)),
        format!("OLD.{}", d.quote(&r.new_column)),
    );
    // `target := source`, cast when the types differ, refusing a value the cast would change.
    let assign = |target: &str, source: &str, from: &ColumnType, to: &ColumnType| -> String {
        if !r.converts() {
            return format!("{target} := {source};");
        }
        let check = distinct(provider, &cast(target, from), source, from);
        format!(
            "{target} := {};\n      IF {check} THEN RAISE EXCEPTION {}; END IF;",
            cast(source, to),
            crate::escape::raise_message(&conversion_error(r, to))
        )
    };
    let to_new = assign(&new, &old, &r.old_type, &r.new_type);
    let to_old = assign(&old, &new, &r.new_type, &r.old_type);
    let old_changed = distinct(provider, &old, &was_old, &r.old_type);
    let new_changed = distinct(provider, &new, &was_new, &r.new_type);
    let body = format!(
        "\nBEGIN\n  IF TG_OP = 'INSERT' THEN\n    IF {new} IS NULL THEN\n      {to_new}\n    END IF;\n    IF {old} IS NULL THEN\n      {to_old}\n    END IF;\n  ELSIF {old_changed} AND NOT ({new_changed}) THEN\n      {to_new}\n  ELSIF {new_changed} AND NOT ({old_changed}) THEN\n      {to_old}\n  END IF;\n  RETURN NEW;\nEND\n"
    );
    SyncTriggers {
        create: format!(
            "-- {}\nCREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS {};\nCREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {function}();\n",
            sync_comment(r, plan),
            crate::escape::dollar_quoted(&body),
            d.quote(&base),
            d.table(&r.table)
        ),
        drop: format!(
            "-- DropSyncTrigger\nDROP TRIGGER IF EXISTS {} ON {};\nDROP FUNCTION IF EXISTS {function}();\n",
            d.quote(&base),
            d.table(&r.table)
        ),
    }
}

/// SQLite has no trigger functions: three triggers per renamed column, each an `UPDATE` of the
/// row just written. Triggers do not fire themselves again (`recursive_triggers` is off), so the
/// copy stops after one step. A value the conversion would change stops the write
/// (`RAISE(ABORT)`), as on PostgreSQL.
pub(super) fn sqlite_sync_trigger(r: &ColumnRename, plan: &str) -> SyncTriggers {
    let provider = Provider::Sqlite;
    let d = Dialect(provider);
    let base = crate::database::owned_name(
        &format!("{}_{}", r.table.name, r.new_column),
        "xc_sync",
        provider,
    );
    let table = d.table(&r.table);
    let (old, new) = (d.quote(&r.old_column), d.quote(&r.new_column));
    let (new_old, new_new) = (format!("NEW.{old}"), format!("NEW.{new}"));
    // `when`: the write that copies this way (on insert, only into a column left empty).
    let refuse = |source: &str, from: &ColumnType, to: &ColumnType, when: &str| -> String {
        match changes_value(provider, source, from, to) {
            Some(lossy) => format!(
                "  SELECT RAISE(ABORT, {}) WHERE {when}({lossy});\n",
                crate::escape::sql_string(
                    provider,
                    &crate::escape::one_line(&conversion_error(r, to))
                )
            ),
            None => String::new(),
        }
    };
    let to_new = refuse(&new_old, &r.old_type, &r.new_type, "");
    let to_old = refuse(&new_new, &r.new_type, &r.old_type, "");
    let insert_to_new = refuse(
        &new_old,
        &r.old_type,
        &r.new_type,
        &format!("{new_new} IS NULL AND "),
    );
    let insert_to_old = refuse(
        &new_new,
        &r.new_type,
        &r.old_type,
        &format!("{new_old} IS NULL AND "),
    );
    let names = [
        format!("{base}_insert"),
        format!("{base}_old"),
        format!("{base}_new"),
    ];
    let create = format!(
        "-- {}\n\
CREATE TRIGGER {} AFTER INSERT ON {table} FOR EACH ROW WHEN {new_new} IS NULL OR {new_old} IS NULL\n\
BEGIN\n{insert_to_new}{insert_to_old}  UPDATE {table} SET {new} = coalesce({new_new}, {new_old}), {old} = coalesce({new_old}, {new_new}) WHERE rowid = NEW.rowid;\nEND;\n\
CREATE TRIGGER {} AFTER UPDATE OF {old} ON {table} FOR EACH ROW WHEN {new_old} IS NOT OLD.{old} AND {new_new} IS OLD.{new}\n\
BEGIN\n{to_new}  UPDATE {table} SET {new} = {new_old} WHERE rowid = NEW.rowid;\nEND;\n\
CREATE TRIGGER {} AFTER UPDATE OF {new} ON {table} FOR EACH ROW WHEN {new_new} IS NOT OLD.{new} AND {new_old} IS OLD.{old}\n\
BEGIN\n{to_old}  UPDATE {table} SET {old} = {new_new} WHERE rowid = NEW.rowid;\nEND;\n",
        sync_comment(r, plan),
        d.quote(&names[0]),
        d.quote(&names[1]),
        d.quote(&names[2]),
    );
    let mut drop = String::from("-- DropSyncTrigger\n");
    for n in &names {
        drop.push_str(&format!("DROP TRIGGER IF EXISTS {};\n", d.quote(n)));
    }
    SyncTriggers { create, drop }
}
