//! The backfill's SQL (`3-backfill/backfill.sql` and the statements of `backfill.ts`): batches
//! that update the rows still pending, a few at a time so that no lock is held for long, and the
//! counts that tell when it is done. PostgreSQL walks the table's key (keyset batches, one
//! statement that updates and returns where it stopped); the other databases take the next
//! pending rows until none is left.

use crate::plan::{BackfillTable, ValueSource};
use crate::schema::Provider;

use super::Dialect;

/// The statements of one table's backfill.
#[derive(Debug, Clone, PartialEq)]
pub struct Batches {
    /// Whether the batches walk the key: `client` takes the last key and returns the next one.
    pub keyset: bool,
    /// The batch `backfill.ts` sends, with its parameters (`$1`, `?`) and [`FILL`] marks.
    pub client: String,
    /// PostgreSQL's `backfill.sql` block for the table: a loop of keyset batches, each its own
    /// transaction, fill-ins as placeholders that fail until replaced.
    pub plpgsql_loop: String,
    /// One batch of 1000 pending rows, for databases `backfill.sql` runs again until done.
    pub one: String,
    /// `SELECT COUNT(*) AS "pending"` of the rows still out of sync.
    pub pending_count: String,
    /// `SELECT COUNT(*) AS "lossy"` of the rows a conversion would change, if any can be.
    pub lossy_count: Option<String>,
}

/// Every statement of `t`'s backfill on `provider`.
pub fn batches(t: &BackfillTable, provider: Provider) -> Batches {
    // PostgreSQL walks the key (keyset); elsewhere each batch takes the next pending rows.
    let keyset = matches!(provider, Provider::PostgreSql | Provider::CockroachDb);
    let client = if keyset {
        let param = |i: usize| format!("${}::{}", i + 1, t.key[i].1);
        batch_sql(t, provider, &param, &format!("${}", t.key.len() + 1))
    } else {
        pending_batch_sql(t, provider, "?")
    };
    let pending_count = pending_count_sql(t, provider);
    Batches {
        keyset,
        client,
        plpgsql_loop: plpgsql_loop(t, provider, &pending_count),
        one: sql_with_placeholders(&pending_batch_sql(t, provider, "1000")),
        pending_count,
        lossy_count: lossy_count_sql(t, provider),
    }
}

/// PostgreSQL's loop over `t`'s keyset batches (the last key in `xc_last_<i>`, the size in
/// `xc_batch_size`), each batch committed on its own, with a notice of the rows updated so far.
fn plpgsql_loop(t: &BackfillTable, provider: Provider, pending_count: &str) -> String {
    let batch = sql_with_placeholders(&batch_sql(
        t,
        provider,
        &|i| format!("xc_last_{i}"),
        "xc_batch_size",
    ));
    let notice = crate::escape::sql_string(
        Provider::PostgreSql,
        &format!(
            "{}: % rows updated",
            crate::escape::one_line(&t.table).replace('%', "%%")
        ),
    );
    // The DO block's dollar quote: a tag that no name in its body holds.
    let tag = crate::escape::dollar_tag(&format!("{batch}{notice}{pending_count}"));
    // Indented to sit in its loop, unless a name holds a line break (an indent there would
    // change the name).
    let batch = if has_line_break(t) {
        batch
    } else {
        batch.replace('\n', "\n    ")
    };
    let declare: String = (t.key.iter().enumerate())
        .map(|(i, (_, ty))| format!("  xc_last_{i} {};\n", crate::escape::one_line(ty)))
        .collect();
    let into: String = (0..t.key.len()).map(|i| format!("xc_last_{i}, ")).collect();
    format!(
        "DO {tag}\nDECLARE\n  xc_batch_size integer := 5000;\n{declare}  xc_scanned bigint;\n  xc_updated bigint;\n  xc_total bigint := 0;\nBEGIN\n  LOOP\n    {batch}\n    INTO {into}xc_scanned, xc_updated;\n    EXIT WHEN xc_scanned = 0;\n    xc_total := xc_total + xc_updated;\n    RAISE NOTICE {notice}, xc_total;\n    COMMIT;\n  END LOOP;\nEND\n{tag};"
    )
}

/// Whether a name the batch writes holds a line break.
fn has_line_break(t: &BackfillTable) -> bool {
    let names = std::iter::once(&t.table)
        .chain(&t.schema)
        .chain(t.key.iter().map(|(c, _)| c))
        .chain(t.assignments.iter().flat_map(|a| {
            std::iter::once(&a.column).chain(match &a.source {
                ValueSource::Column { column, .. } => Some(column),
                _ => None,
            })
        }));
    names.into_iter().any(|n| n.contains(['\n', '\r']))
        || t.assignments
            .iter()
            .any(|a| a.pending.contains(['\n', '\r']))
}

/// Marks a fill-in inside generated SQL until the target language decides how to show it.
pub const FILL: char = '\u{1}';

/// The FILL IN key of assignment `i` of a table: `Table.column`, and `Table.column.2`, ... for
/// a column with several (two values removed from one enum).
pub fn fill_key(t: &BackfillTable, i: usize) -> String {
    let column = &t.assignments[i].column;
    let nth = t.assignments[..i]
        .iter()
        .filter(|a| &a.column == column)
        .count();
    if nth == 0 {
        format!("{}.{column}", t.table)
    } else {
        format!("{}.{column}.{}", t.table, nth + 1)
    }
}

/// The `SET` clauses of a table's batch (each column changes only where it is pending, one
/// clause per column however many assignments it has) and the condition of rows still pending.
fn assignments_sql(t: &BackfillTable, provider: Provider) -> (Vec<String>, Vec<String>) {
    let d = Dialect(provider);
    let mut columns: indexmap::IndexMap<&str, Vec<String>> = indexmap::IndexMap::new();
    for (i, a) in t.assignments.iter().enumerate() {
        let value = match &a.source {
            ValueSource::Column {
                column,
                cast: Some(ty),
            } => super::flavour::of(provider).convert(&d.quote(column), ty),
            ValueSource::Column { column, cast: None } => d.quote(column),
            ValueSource::Constant { sql } => sql.clone(),
            ValueSource::FillIn { .. } => format!("{FILL}{}{FILL}", fill_key(t, i)),
        };
        columns
            .entry(&a.column)
            .or_default()
            .push(format!("WHEN {} THEN {value}", to_do(a)));
    }
    let sets: Vec<String> = columns
        .iter()
        .map(|(column, cases)| {
            format!(
                "{} = CASE {} ELSE {} END",
                d.quote(column),
                cases.join(" "),
                d.quote(column)
            )
        })
        .collect();
    let pending: Vec<String> = t
        .assignments
        .iter()
        .map(|a| format!("({})", to_do(a)))
        .collect();
    (sets, pending)
}

/// The rows a batch updates: pending, less those whose value the conversion would change
/// (left as they are, and still counted as pending by the verification and the guard).
fn to_do(a: &crate::plan::Assignment) -> String {
    match &a.lossy {
        Some(lossy) => format!("({}) AND NOT ({lossy})", a.pending),
        None => a.pending.clone(),
    }
}

/// Rows the conversion cannot take unchanged, for the backfill to name.
fn lossy_count_sql(t: &BackfillTable, provider: Provider) -> Option<String> {
    let lossy: Vec<&str> = t
        .assignments
        .iter()
        .filter_map(|a| a.lossy.as_deref())
        .collect();
    (!lossy.is_empty()).then(|| count_sql(t, provider, "lossy", &lossy))
}

/// `SELECT COUNT(*) AS "<label>"` of the rows of a table that match any of `conditions`.
fn count_sql(t: &BackfillTable, provider: Provider, label: &str, conditions: &[&str]) -> String {
    format!(
        "SELECT COUNT(*) AS \"{label}\" {}",
        super::rows_matching_any(Dialect(provider), &t.schema, &t.table, conditions)
    )
}

/// The keyset batch of one table: take the next `limit` keys after the last one, update the
/// rows among them that are still pending, return the batch's last key and the counts.
/// `param(i)` is how the last key's i-th column is written, `limit` the batch size.
fn batch_sql(
    t: &BackfillTable,
    provider: Provider,
    param: &dyn Fn(usize) -> String,
    limit: &str,
) -> String {
    let d = Dialect(provider);
    let table = d.qualified(&t.schema, &t.table);
    let keys: Vec<String> = t.key.iter().map(|(c, _)| d.quote(c)).collect();
    let key_list = keys.join(", ");
    let params: Vec<String> = (0..t.key.len()).map(param).collect();
    let order_desc: Vec<String> = keys.iter().map(|k| format!("{k} DESC")).collect();
    let (sets, pending) = assignments_sql(t, provider);
    let last_key: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("k.{k} AS \"k{i}\""))
        .collect();
    format!(
        "WITH batch AS (\n  SELECT {key_list} FROM {table}\n  WHERE {first} IS NULL OR ({key_list}) > ({params})\n  ORDER BY {key_list}\n  LIMIT {limit}\n), updated AS (\n  UPDATE {table} SET\n    {sets}\n  WHERE ({key_list}) IN (SELECT {key_list} FROM batch)\n    AND ({pending})\n  RETURNING 1\n)\nSELECT {last_key}, (SELECT COUNT(*) FROM batch) AS \"scanned\", (SELECT COUNT(*) FROM updated) AS \"updated\"\nFROM (SELECT 1) AS one LEFT JOIN (SELECT {key_list} FROM batch ORDER BY {order_desc} LIMIT 1) AS k ON TRUE",
        first = params.first().cloned().unwrap_or_else(|| "NULL".into()),
        params = params.join(", "),
        sets = sets.join(",\n    "),
        pending = pending.join(" OR "),
        last_key = last_key.join(", "),
        order_desc = order_desc.join(", "),
    )
}

/// One batch of the next pending rows, for databases without data-modifying CTEs: repeated until
/// it updates nothing. `limit` is the batch size.
fn pending_batch_sql(t: &BackfillTable, provider: Provider, limit: &str) -> String {
    let d = Dialect(provider);
    let table = d.qualified(&t.schema, &t.table);
    let keys: Vec<String> = t.key.iter().map(|(c, _)| d.quote(c)).collect();
    let key_list = keys.join(", ");
    let (sets, pending) = assignments_sql(t, provider);
    if provider == Provider::MySql {
        // Joined, the batch's rows are found by their key: `IN (derived table)` makes MariaDB
        // scan and lock the whole table. The derived table lets MySQL read the table it
        // updates; its keys are renamed so that no name of the batch is ambiguous.
        let renamed: Vec<String> = (keys.iter().enumerate())
            .map(|(i, k)| format!("{k} AS xc_k{i}"))
            .collect();
        let on: Vec<String> = (keys.iter().enumerate())
            .map(|(i, k)| format!("{table}.{k} = xc_batch.xc_k{i}"))
            .collect();
        return format!(
            "UPDATE {table} JOIN (\n  SELECT {} FROM {table} WHERE {} ORDER BY {key_list} LIMIT {limit}\n) AS xc_batch ON {}\nSET\n    {}",
            renamed.join(", "),
            pending.join(" OR "),
            on.join(" AND "),
            sets.join(",\n    "),
        );
    }
    // The derived table lets MySQL read the table it updates.
    format!(
        "UPDATE {table} SET\n    {}\nWHERE ({key_list}) IN (\n  SELECT {key_list} FROM (SELECT {key_list} FROM {table} WHERE {} ORDER BY {key_list} LIMIT {limit}) AS xc_batch\n)",
        sets.join(",\n    "),
        pending.join(" OR "),
    )
}

fn pending_count_sql(t: &BackfillTable, provider: Provider) -> String {
    let pending: Vec<&str> = t.assignments.iter().map(|a| a.pending.as_str()).collect();
    count_sql(t, provider, "pending", &pending)
}

/// Fill-ins in SQL become an identifier that fails until replaced: the script refuses to run.
fn sql_with_placeholders(sql: &str) -> String {
    let mut out = String::new();
    for (i, part) in sql.split(FILL).enumerate() {
        if i % 2 == 1 {
            out.push_str(&super::fill_in(
                part,
                &format!("an SQL expression for {part}"),
            ));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// One count of the rows the backfill has still to fill, summed over `tables`; `None` when
/// there is nothing to fill.
pub fn pending_total(tables: &[BackfillTable], provider: Provider) -> Option<String> {
    let d = Dialect(provider);
    let counts: Vec<String> = (tables.iter())
        .filter(|t| !t.assignments.is_empty())
        .map(|t| {
            let pending: Vec<&str> = (t.assignments.iter()).map(|a| a.pending.as_str()).collect();
            format!(
                "(SELECT count(*) {})",
                super::rows_matching_any(d, &t.schema, &t.table, &pending)
            )
        })
        .collect();
    (!counts.is_empty()).then(|| format!("SELECT {}", counts.join(" + ")))
}
