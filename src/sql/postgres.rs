//! PostgreSQL's flavour: every phase migration one `DO` block (applied whole, its tables locked
//! together first), sync triggers as PL/pgSQL functions, the guard as `RAISE EXCEPTION`.
//! CockroachDB shares its comparisons and nothing else yet.

use crate::database::{ColumnType, TypeFamily};
use crate::migrate::TableRef;
use crate::schema::Provider;

use super::flavour::{
    AtomicMigration, ColumnSync, Flavour, GUARD_HINT, PendingRows, TableLock, TriggerSql, cast,
    join,
};
use super::{Dialect, Operation, operation};

pub struct Postgres;

pub struct Cockroach;

/// PostgreSQL has no `=` for `json`, `xml` and the geometric types (and `box` and `circle`
/// compare areas): values of those, and of types prisma-xc does not know, compare as text.
fn has_equality(ty: &ColumnType) -> bool {
    match &ty.family {
        TypeFamily::Json => !ty.base.eq_ignore_ascii_case("JSON"),
        TypeFamily::Other => {
            let name = ty.base.split('(').next().unwrap_or("").trim();
            [
                "UUID", "INET", "CIDR", "CITEXT", "BIT", "VARBIT", "MONEY", "OID", "TIME",
                "TIMETZ", "MACADDR", "MACADDR8", "XID8",
            ]
            .iter()
            .any(|known| name.eq_ignore_ascii_case(known))
        }
        _ => true,
    }
}

fn distinct(a: &str, b: &str, ty: &ColumnType) -> String {
    if has_equality(ty) {
        format!("{a} IS DISTINCT FROM {b}")
    } else {
        format!("({a})::text IS DISTINCT FROM ({b})::text")
    }
}

impl Flavour for Cockroach {
    fn provider(&self) -> Provider {
        Provider::CockroachDb
    }

    fn as_text(&self, value: &str) -> String {
        format!("{value}::text")
    }

    fn distinct(&self, a: &str, b: &str, ty: &ColumnType) -> String {
        distinct(a, b, ty)
    }
}

impl Flavour for Postgres {
    fn provider(&self) -> Provider {
        Provider::PostgreSql
    }

    fn as_text(&self, value: &str) -> String {
        format!("{value}::text")
    }

    fn builds_online(&self) -> bool {
        true
    }

    fn renames_table_behind_view(&self) -> bool {
        true
    }

    fn adds_enum_values_apart(&self) -> bool {
        true
    }

    fn syncs_columns(&self) -> bool {
        true
    }

    fn distinct(&self, a: &str, b: &str, ty: &ColumnType) -> String {
        distinct(a, b, ty)
    }

    fn sync_trigger(&self, r: &ColumnSync, plan: &str) -> Option<TriggerSql> {
        Some(sync_trigger(r, plan))
    }

    fn contract_guard(&self, pending: &[PendingRows]) -> Option<String> {
        let d = self.dialect();
        let mut checks = String::new();
        for t in pending {
            let table = d.table(&t.table);
            for (condition, why) in &t.conditions {
                let message = crate::escape::raise_message(&format!(
                    "prisma-xc contract guard: rows of {} are not backfilled yet ({why}); {GUARD_HINT}",
                    t.table.name
                ));
                checks.push_str(&format!(
                    "  IF EXISTS (SELECT 1 FROM {table} WHERE {condition}) THEN\n    RAISE EXCEPTION {message};\n  END IF;\n"
                ));
            }
        }
        Some(format!(
            "-- ContractGuard (aborts this migration, changing nothing, while any row is out of sync)\nDO {};\n",
            crate::escape::dollar_quoted(&format!("\nBEGIN\n{checks}END\n"))
        ))
    }

    fn refuse_if_any(&self, table: &TableRef, condition: &str, message: &str) -> Option<String> {
        Some(format!(
            "DO {}",
            crate::escape::dollar_quoted(&format!(
                "\nBEGIN\n  IF EXISTS (SELECT 1 FROM {} WHERE {condition}) THEN\n    RAISE EXCEPTION {};\n  END IF;\nEND\n",
                self.dialect().table(table),
                crate::escape::raise_message(message)
            ))
        ))
    }

    /// One statement, applied whole or not at all however it is sent: Prisma 6 sends a
    /// migration as one script (one implicit transaction), Prisma 7 statement by statement
    /// where its parser can split it, which would leave a failed deploy half applied and the
    /// next one failing on what is already there. Column names win over PL/pgSQL's own
    /// variables (`found`) in the statements. Prisma's enum rebuild brings its own
    /// transaction, which the block already is.
    fn atomic_migration(&self, m: &AtomicMigration) -> String {
        let strip = |sql: &str| -> String {
            sql.lines()
                .filter(|line| !matches!(line.trim(), "BEGIN;" | "COMMIT;"))
                .map(|line| format!("{line}\n"))
                .collect()
        };
        let (unlocked, locked) = (strip(m.unlocked), strip(m.sql));
        let (declare, body) = match m.locks {
            // One table: locked at once in the strongest mode the migration takes.
            Some((mode, [table])) => (
                "",
                join(
                    &unlocked,
                    &format!(
                        "-- LockTable (before its first change: the migration never waits to take a stronger lock)\n\
                         {};\n\n{locked}",
                        lock_table(table, mode, false)
                    ),
                ),
            ),
            Some((mode, tables)) if !tables.is_empty() => (
                "DECLARE\n  xc_lock_deadline timestamptz;\n",
                join(&unlocked, &lock_together(mode, tables, &locked)),
            ),
            _ => ("", join(&unlocked, &locked)),
        };
        let tag = crate::escape::dollar_tag(&body);
        format!(
            "-- One statement: a failed deploy applies nothing, and deploying again starts afresh.\n\
             DO {tag}\n#variable_conflict use_column\n{declare}BEGIN\n\
             -- Fail fast instead of queueing all traffic behind a blocked ALTER.\n\
             {};\n\n{}\nEND\n{tag};\n",
            set_lock_timeout(m.lock_timeout),
            body.trim_end()
        )
    }
}

/// How long a statement of the migration waits for a lock before it fails.
pub fn set_lock_timeout(timeout: &str) -> String {
    format!(
        "SET lock_timeout = {}",
        crate::escape::sql_string(Provider::PostgreSql, timeout)
    )
}

/// `LOCK TABLE` of `table` in `mode`.
fn lock_table(table: &TableRef, mode: TableLock, nowait: bool) -> String {
    operation(
        Dialect(Provider::PostgreSql),
        &Operation::LockTable {
            table,
            mode: mode.mode(),
            nowait,
        },
    )
}

/// `sql` after a loop that locks every table of `tables`, the first waiting (up to the
/// `lock_timeout`, holding nothing) and the others `NOWAIT`: when one is busy, every lock is
/// given back and the loop tries again, so that the migration never waits while it holds a
/// table (an application's write could be waiting for that one: a deadlock). Past the
/// `lock_timeout` it fails, having changed nothing.
fn lock_together(mode: TableLock, tables: &[TableRef], sql: &str) -> String {
    let locks: String = (tables.iter().enumerate())
        .map(|(i, table)| format!("    {};\n", lock_table(table, mode, i > 0)))
        .collect();
    format!(
        "-- LockTables: all together or none, so that this migration never waits for a table while\n\
         -- it holds another (an application's write could be waiting for that one).\n\
         xc_lock_deadline := CASE current_setting('lock_timeout') WHEN '0' THEN 'infinity'::timestamptz\n\
         \x20 ELSE clock_timestamp() + current_setting('lock_timeout')::interval END;\n\
         LOOP\n\
         \x20 BEGIN\n\
         {locks}\
         \x20   EXIT;\n\
         \x20 EXCEPTION WHEN lock_not_available THEN\n\
         \x20   IF clock_timestamp() >= xc_lock_deadline THEN\n\
         \x20     RAISE EXCEPTION 'lock timeout: a table this migration changes stayed busy for longer than lock_timeout; nothing was applied'\n\
         \x20       USING ERRCODE = 'lock_not_available',\n\
         \x20       HINT = 'Mark the migration rolled back (prisma migrate resolve --rolled-back) and deploy again when traffic is lighter.';\n\
         \x20   END IF;\n\
         \x20   PERFORM pg_sleep(0.01);\n\
         \x20 END;\n\
         END LOOP;\n\n{sql}"
    )
}

/// A trigger function per renamed column: on insert it fills whichever column the writer left
/// empty, on update it copies the column that changed to the one that did not, casting where
/// the types differ and refusing a value the cast would change.
fn sync_trigger(r: &ColumnSync, plan: &str) -> TriggerSql {
    let provider = Provider::PostgreSql;
    let d = Dialect(provider);
    let base = r.base_name(provider);
    let function = d.qualified(&r.table.schema, &base);
    let (old, new) = (
        format!("NEW.{}", d.quote(r.old_column)),
        format!("NEW.{}", d.quote(r.new_column)),
    );
    let (was_old, was_new) = (
        format!("OLD.{}", d.quote(r.old_column)),
        format!("OLD.{}", d.quote(r.new_column)),
    );
    // `target := source`, cast when the types differ, refusing a value the cast would change.
    let assign = |target: &str, source: &str, from: &ColumnType, to: &ColumnType| -> String {
        if !r.converts() {
            return format!("{target} := {source};");
        }
        let check = distinct(&cast(target, from), source, from);
        format!(
            "{target} := {};\n      IF {check} THEN RAISE EXCEPTION {}; END IF;",
            cast(source, to),
            crate::escape::raise_message(&r.conversion_error(to))
        )
    };
    let to_new = assign(&new, &old, r.old_type, r.new_type);
    let to_old = assign(&old, &new, r.new_type, r.old_type);
    let old_changed = distinct(&old, &was_old, r.old_type);
    let new_changed = distinct(&new, &was_new, r.new_type);
    let body = format!(
        "\nBEGIN\n  IF TG_OP = 'INSERT' THEN\n    IF {new} IS NULL THEN\n      {to_new}\n    END IF;\n    IF {old} IS NULL THEN\n      {to_old}\n    END IF;\n  ELSIF {old_changed} AND NOT ({new_changed}) THEN\n      {to_new}\n  ELSIF {new_changed} AND NOT ({old_changed}) THEN\n      {to_old}\n  END IF;\n  RETURN NEW;\nEND\n"
    );
    let create = format!(
        "-- {}\nCREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS {};\nCREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {function}();\n",
        r.comment(plan),
        crate::escape::dollar_quoted(&body),
        d.quote(&base),
        d.table(r.table)
    );
    TriggerSql {
        recreate: create.clone(),
        create,
        drop: format!(
            "-- DropSyncTrigger\nDROP TRIGGER IF EXISTS {} ON {};\nDROP FUNCTION IF EXISTS {function}();\n",
            d.quote(&base),
            d.table(r.table)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::column_type as ty;

    use crate::test_support::table_ref as table;

    #[test]
    fn values_without_equality_compare_as_text() {
        let json = ty("JSON", TypeFamily::Json);
        let jsonb = ty("JSONB", TypeFamily::Json);
        assert_eq!(
            Postgres.distinct("a", "b", &json),
            "(a)::text IS DISTINCT FROM (b)::text"
        );
        assert_eq!(Postgres.distinct("a", "b", &jsonb), "a IS DISTINCT FROM b");
        assert_eq!(
            Postgres.changes_value("v", &jsonb, &jsonb),
            None,
            "no cast, nothing changes"
        );
    }

    #[test]
    fn the_guard_names_each_reason_and_escapes_it() {
        let guard = Postgres
            .contract_guard(&[PendingRows {
                table: table("User"),
                conditions: vec![("\"b\" IS NULL", "it's `b`")],
            }])
            .unwrap();
        assert!(
            guard.contains("IF EXISTS (SELECT 1 FROM \"User\" WHERE \"b\" IS NULL)"),
            "{guard}"
        );
        assert!(guard.contains("it''s `b`"), "{guard}");
    }

    #[test]
    fn a_migration_locks_one_table_at_once_and_several_together() {
        let (one, two) = ([table("A")], [table("A"), table("B")]);
        let migration = |locks: &[TableRef]| {
            Postgres.atomic_migration(&AtomicMigration {
                unlocked: "",
                sql: "ALTER TABLE \"A\" ADD COLUMN \"x\" INTEGER;\n",
                locks: Some((TableLock::AccessExclusive, locks)),
                lock_timeout: "5s",
                exclusive: false,
                after_unlock: "",
            })
        };
        let single = migration(&one);
        assert!(
            single.contains("LOCK TABLE \"A\" IN ACCESS EXCLUSIVE MODE;"),
            "{single}"
        );
        assert!(!single.contains("LOOP"), "{single}");
        let both = migration(&two);
        assert!(
            both.contains("LOCK TABLE \"B\" IN ACCESS EXCLUSIVE MODE NOWAIT;"),
            "{both}"
        );
        assert!(both.contains("SET lock_timeout = '5s';"), "{both}");
        assert!(both.contains("LOOP"), "{both}");
    }
}
