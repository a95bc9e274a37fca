//! Plans rehearsed as rolling deploys of real Prisma Client applications on PostgreSQL, SQLite
//! and MariaDB (Prisma's `mysql` provider, through `@prisma/adapter-mariadb`): for the
//! bundled example and the catalog's zero-downtime recipes, instances built against each
//! version's schema (`tests/rehearsal/worker.ts`, with a workload per case and version: create,
//! findUnique, update, updateMany, upsert, findMany with include, count, delete) run while the
//! test walks `plan.json`'s steps in order: the expand applied by the real `prisma migrate
//! deploy` under traffic, the backfill under traffic, each rollout starting the new instances
//! before stopping the running ones one by one, the contract deployed under traffic. Every
//! Prisma error is a failed query, every read that does not give back what the instance wrote a
//! wrong read, and every write an instance was told succeeded must be in the final database:
//! the test fails on any of them, and prints a table of queries and failures per instance.

mod common;
#[path = "rehearsal/corpus.rs"]
mod corpus;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use common::plan::{CASES, Engine, Env, MYSQL_CASES, SQLITE_CASES};

/// A rehearsal: a catalog case (or the bundled example) and what each version's instances do.
struct Rehearsal {
    case: &'static str,
    /// (version, workload JSON: see worker.ts).
    workloads: &'static [(&'static str, &'static str)],
    /// Where each version's rows are after the contract: (version, a query giving one
    /// `key=value` line per row, the value being the first checked field's, or the key again
    /// when only the row's presence is checked).
    kept: &'static [(&'static str, &'static str)],
    /// Versions whose failed queries are the ones the plan states as not zero-downtime (the
    /// plan must say so): counted and reported, not failing the rehearsal. Wrong reads and
    /// lost writes never are.
    stated_failures: &'static [&'static str],
    /// `{rows}` rows for the lock benchmark (`XC_REHEARSAL_ROWS`), with keys apart from the
    /// seed's and the instances'.
    bulk: &'static str,
}

/// The same workloads on another database (the catalog's `sqlite_` or `mysql_` twin of the
/// case).
const fn on(case: &'static str, r: &Rehearsal) -> Rehearsal {
    Rehearsal {
        case,
        workloads: r.workloads,
        kept: r.kept,
        stated_failures: r.stated_failures,
        bulk: r.bulk,
    }
}

const EXAMPLE: Rehearsal = Rehearsal {
    case: "example",
    workloads: &[
        (
            "old",
            r#"{"model": "user", "create": {"email": "$s@example.org", "user_name": "$s"}, "update": {"user_name": "$s"}, "checks": ["user_name"], "upsertBy": "email", "include": "posts"}"#,
        ),
        (
            "new",
            r#"{"model": "user", "create": {"email": "$s@example.org", "username": "$s"}, "update": {"username": "$s"}, "checks": ["username"], "upsertBy": "email", "include": "posts"}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || username FROM \"User\""),
        ("new", "SELECT id || '=' || username FROM \"User\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"User\" (email, user_name) SELECT 'bulk-' || i || '@example.org', 'bulk-' || i FROM generate_series(1, {rows}) i",
};

const RENAMED_FIELD: Rehearsal = Rehearsal {
    case: "renamed_field",
    workloads: &[
        (
            "old",
            r#"{"model": "user", "create": {"id": "$n", "user_name": "$s"}, "update": {"user_name": "$s"}, "checks": ["user_name"], "upsertBy": "user_name"}"#,
        ),
        (
            "new",
            r#"{"model": "user", "create": {"id": "$n", "username": "$s"}, "update": {"username": "$s"}, "checks": ["username"], "upsertBy": "username"}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || username FROM \"User\""),
        ("new", "SELECT id || '=' || username FROM \"User\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"User\" (id, user_name) SELECT 100000000 + i, 'bulk-' || i FROM generate_series(1, {rows}) i",
};

const NEW_REQUIRED_FIELD: Rehearsal = Rehearsal {
    case: "new_required_field",
    workloads: &[
        (
            "old",
            r#"{"model": "person", "create": {"id": "$n", "name": "$s"}, "update": {"name": "$s"}, "checks": ["name"]}"#,
        ),
        (
            "expand",
            r#"{"model": "person", "create": {"id": "$n", "name": "$s", "email": "$s@example.org"}, "update": {"name": "$s"}, "checks": ["name", "email"]}"#,
        ),
        (
            "new",
            r#"{"model": "person", "create": {"id": "$n", "name": "$s", "email": "$s@example.org"}, "update": {"name": "$s"}, "checks": ["name", "email"]}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || name FROM \"Person\""),
        ("expand", "SELECT id || '=' || name FROM \"Person\""),
        ("new", "SELECT id || '=' || name FROM \"Person\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Person\" (id, name) SELECT 100000000 + i, 'bulk-' || i FROM generate_series(1, {rows}) i",
};

// Old code writes null; the new version must never read such a row.
const OPTIONAL_TO_REQUIRED: Rehearsal = Rehearsal {
    case: "optional_to_required",
    workloads: &[
        (
            "old",
            r#"{"model": "account", "create": {"id": "$n"}, "update": {"plan": null}, "checks": []}"#,
        ),
        (
            "expand",
            r#"{"model": "account", "create": {"id": "$n", "plan": "$s"}, "update": {"plan": "$s"}, "checks": ["plan"]}"#,
        ),
        (
            "new",
            r#"{"model": "account", "create": {"id": "$n", "plan": "$s"}, "update": {"plan": "$s"}, "checks": ["plan"]}"#,
        ),
    ],
    kept: &[
        ("expand", "SELECT id || '=' || plan FROM \"Account\""),
        ("new", "SELECT id || '=' || plan FROM \"Account\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Account\" (id, plan) SELECT 100000000 + i, CASE WHEN i % 2 = 0 THEN 'pro' END FROM generate_series(1, {rows}) i",
};

const DROPPED_FIELD: Rehearsal = Rehearsal {
    case: "dropped_field",
    workloads: &[
        (
            "old",
            r#"{"model": "item", "create": {"id": "$n", "legacy": "$s", "title": "$s"}, "update": {"title": "$s"}, "checks": ["title"]}"#,
        ),
        (
            "new",
            r#"{"model": "item", "create": {"id": "$n", "title": "$s"}, "update": {"title": "$s"}, "checks": ["title"]}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || title FROM \"Item\""),
        ("new", "SELECT id || '=' || title FROM \"Item\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Item\" (id, legacy, title) SELECT 100000000 + i, 'x', 'bulk-' || i FROM generate_series(1, {rows}) i",
};

const INDEX_UNIQUE_FOREIGN_KEY: Rehearsal = Rehearsal {
    case: "index_unique_foreign_key",
    workloads: &[
        (
            "old",
            r#"{"model": "member", "create": {"id": "$n", "email": "$s@example.org", "teamId": 1}, "update": {"email": "$s@example.org"}, "checks": ["email"]}"#,
        ),
        (
            "new",
            r#"{"model": "member", "create": {"id": "$n", "email": "$s@example.org", "teamId": 1}, "update": {"email": "$s@example.org"}, "checks": ["email"], "upsertBy": "email", "include": "team"}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || email FROM \"Member\""),
        ("new", "SELECT id || '=' || email FROM \"Member\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Member\" (id, email, \"teamId\") SELECT 100000000 + i, 'bulk-' || i || '@example.org', 1 FROM generate_series(1, {rows}) i",
};

// Every running version must read both values before any writes the new one.
const ENUM_VALUE_RENAMED: Rehearsal = Rehearsal {
    case: "enum_value_renamed",
    workloads: &[
        (
            "old",
            r#"{"model": "login", "create": {"id": "$n", "status": "ACTIVE"}, "update": {"status": "BLOCKED"}, "checks": []}"#,
        ),
        (
            "expand",
            r#"{"model": "login", "create": {"id": "$n", "status": "ACTIVE"}, "update": {"status": "BLOCKED"}, "checks": []}"#,
        ),
        (
            "expandWritingNewValues",
            r#"{"model": "login", "create": {"id": "$n", "status": "ENABLED"}, "update": {"status": "BLOCKED"}, "checks": []}"#,
        ),
        (
            "new",
            r#"{"model": "login", "create": {"id": "$n", "status": "ENABLED"}, "update": {"status": "BLOCKED"}, "checks": []}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || id FROM \"Login\""),
        ("expand", "SELECT id || '=' || id FROM \"Login\""),
        (
            "expandWritingNewValues",
            "SELECT id || '=' || id FROM \"Login\"",
        ),
        ("new", "SELECT id || '=' || id FROM \"Login\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Login\" (id, status) SELECT 100000000 + i, (CASE WHEN i % 2 = 0 THEN 'ACTIVE' ELSE 'BLOCKED' END)::\"Status\" FROM generate_series(1, {rows}) i",
};

// Old clients fail reading a value they do not know: the expand version reads it and does not
// write it yet.
const ENUM_VALUE_ADDED: Rehearsal = Rehearsal {
    case: "enum_value_added",
    workloads: &[
        (
            "old",
            r#"{"model": "subscription", "create": {"id": "$n", "tier": "FREE"}, "update": {"tier": "PRO"}, "checks": ["tier"]}"#,
        ),
        (
            "expand",
            r#"{"model": "subscription", "create": {"id": "$n", "tier": "PRO"}, "update": {"tier": "FREE"}, "checks": ["tier"]}"#,
        ),
        (
            "new",
            r#"{"model": "subscription", "create": {"id": "$n", "tier": "TEAM"}, "update": {"tier": "TEAM"}, "checks": ["tier"]}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || tier FROM \"Subscription\""),
        ("expand", "SELECT id || '=' || tier FROM \"Subscription\""),
        ("new", "SELECT id || '=' || tier FROM \"Subscription\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Subscription\" (id, tier) SELECT 100000000 + i, (CASE WHEN i % 2 = 0 THEN 'FREE' ELSE 'PRO' END)::\"Tier\" FROM generate_series(1, {rows}) i",
};

const ENUM_VALUE_REMOVED: Rehearsal = Rehearsal {
    case: "enum_value_removed",
    workloads: &[
        (
            "old",
            r#"{"model": "shirt", "create": {"id": "$n", "size": "XL"}, "update": {"size": "S"}, "checks": []}"#,
        ),
        (
            "expand",
            r#"{"model": "shirt", "create": {"id": "$n", "size": "M"}, "update": {"size": "S"}, "checks": ["size"]}"#,
        ),
        (
            "new",
            r#"{"model": "shirt", "create": {"id": "$n", "size": "M"}, "update": {"size": "S"}, "checks": ["size"]}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || id FROM \"Shirt\""),
        ("expand", "SELECT id || '=' || size FROM \"Shirt\""),
        ("new", "SELECT id || '=' || size FROM \"Shirt\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Shirt\" (id, size) SELECT 100000000 + i, (CASE WHEN i % 2 = 0 THEN 'XL' ELSE 'S' END)::\"Size\" FROM generate_series(1, {rows}) i",
};

// Old instances keep using the old table name: an updatable view on PostgreSQL, a copy kept in
// sync both ways on SQLite, until the contract.
const RENAMED_MODEL: Rehearsal = Rehearsal {
    case: "renamed_model",
    workloads: &[
        (
            "old",
            r#"{"model": "person", "create": {"email": "$s@example.org"}, "update": {"email": "$s@example.org"}, "checks": ["email"], "upsertBy": "email", "include": "posts"}"#,
        ),
        (
            "new",
            r#"{"model": "user", "create": {"email": "$s@example.org"}, "update": {"email": "$s@example.org"}, "checks": ["email"], "upsertBy": "email", "include": "posts"}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || email FROM \"User\""),
        ("new", "SELECT id || '=' || email FROM \"User\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Person\" (email) SELECT 'bulk-' || i || '@example.org' FROM generate_series(1, {rows}) i",
};

const DROPPED_MODEL: Rehearsal = Rehearsal {
    case: "dropped_model",
    workloads: &[
        (
            "old",
            r#"{"model": "book", "create": {"id": "$n", "authorId": 1}, "update": {}, "checks": [], "include": "author"}"#,
        ),
        (
            "new",
            r#"{"model": "author", "create": {"id": "$n"}, "update": {}, "checks": []}"#,
        ),
    ],
    kept: &[("new", "SELECT id || '=' || id FROM \"Author\"")],
    stated_failures: &[],
    bulk: "INSERT INTO \"Book\" (id, \"authorId\") SELECT 100000000 + i, 1 FROM generate_series(1, {rows}) i",
};

const TYPE_CHANGE: Rehearsal = Rehearsal {
    case: "type_change",
    workloads: &[
        (
            "old",
            r#"{"model": "counter", "create": {"id": "$n", "total": "$n"}, "update": {"total": 6}, "checks": ["total"]}"#,
        ),
        (
            "expand",
            r#"{"model": "counter", "create": {"id": "$n", "total": "$n"}, "update": {"total": 6}, "checks": ["total"]}"#,
        ),
        (
            "new",
            r#"{"model": "counter", "create": {"id": "$n", "total": "$n"}, "update": {"total": 6000000000}, "checks": ["total"]}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || total FROM \"Counter\""),
        ("expand", "SELECT id || '=' || total FROM \"Counter\""),
        ("new", "SELECT id || '=' || total FROM \"Counter\""),
    ],
    // The plan says: instances built on the expand schema fail from the contract until the new
    // version has replaced them.
    stated_failures: &["expand"],
    bulk: "INSERT INTO \"Counter\" (id, total) SELECT 100000000 + i, i FROM generate_series(1, {rows}) i",
};

const PRIMARY_KEY_CHANGE: Rehearsal = Rehearsal {
    case: "primary_key_change",
    workloads: &[
        (
            "old",
            r#"{"model": "membership", "create": {"userId": "$n", "teamId": 1}, "update": {"teamId": 1}, "checks": ["teamId"], "ledger": ["userId", "teamId"]}"#,
        ),
        (
            "new",
            r#"{"model": "membership", "create": {"userId": "$n", "teamId": 2}, "update": {}, "checks": ["teamId"], "key": ["userId", "teamId"]}"#,
        ),
    ],
    kept: &[
        (
            "old",
            "SELECT \"userId\" || '/' || \"teamId\" || '=' || \"teamId\" FROM \"Membership\"",
        ),
        (
            "new",
            "SELECT \"userId\" || '/' || \"teamId\" || '=' || \"teamId\" FROM \"Membership\"",
        ),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Membership\" (\"userId\", \"teamId\") SELECT 100000000 + i, 1 FROM generate_series(1, {rows}) i",
};

const TWO_RENAMED_FIELDS: Rehearsal = Rehearsal {
    case: "two_renamed_fields",
    workloads: &[
        (
            "old",
            r#"{"model": "account", "create": {"id": "$n", "primary": "$s", "backup": "$s"}, "update": {"primary": "$s", "backup": null}, "checks": ["primary", "backup"]}"#,
        ),
        (
            "new",
            r#"{"model": "account", "create": {"id": "$n", "display_name_of_the_account_primary": "$s"}, "update": {"display_name_of_the_account_primary": "$s", "display_name_of_the_account_backup": "$s"}, "checks": ["display_name_of_the_account_primary", "display_name_of_the_account_backup"]}"#,
        ),
    ],
    kept: &[
        (
            "old",
            "SELECT id || '=' || display_name_of_the_account_primary FROM \"Account\"",
        ),
        (
            "new",
            "SELECT id || '=' || display_name_of_the_account_primary FROM \"Account\"",
        ),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Account\" (id, \"primary\", backup) SELECT 100000000 + i, 'p' || i, 'b' || i FROM generate_series(1, {rows}) i",
};

const ENUM_VALUE_RENAMED_AND_REMOVED: Rehearsal = Rehearsal {
    case: "enum_value_renamed_and_removed",
    workloads: &[
        (
            "old",
            r#"{"model": "plan", "create": {"id": "$n", "tier": "LEGACY"}, "update": {"tier": "FREE"}, "checks": []}"#,
        ),
        (
            "expand",
            r#"{"model": "plan", "create": {"id": "$n", "tier": "PRO"}, "update": {"tier": "FREE"}, "checks": []}"#,
        ),
        (
            "expandWritingNewValues",
            r#"{"model": "plan", "create": {"id": "$n", "tier": "PRO"}, "update": {"tier": "BASIC"}, "checks": []}"#,
        ),
        (
            "new",
            r#"{"model": "plan", "create": {"id": "$n", "tier": "BASIC"}, "update": {"tier": "PRO"}, "checks": ["tier"]}"#,
        ),
    ],
    kept: &[
        ("old", "SELECT id || '=' || id FROM \"Plan\""),
        ("expand", "SELECT id || '=' || id FROM \"Plan\""),
        (
            "expandWritingNewValues",
            "SELECT id || '=' || id FROM \"Plan\"",
        ),
        ("new", "SELECT id || '=' || tier FROM \"Plan\""),
    ],
    stated_failures: &[],
    bulk: "INSERT INTO \"Plan\" (id, tier) SELECT 100000000 + i, (CASE WHEN i % 2 = 0 THEN 'FREE' ELSE 'LEGACY' END)::\"Tier\" FROM generate_series(1, {rows}) i",
};

const REHEARSALS: &[Rehearsal] = &[
    EXAMPLE,
    RENAMED_FIELD,
    NEW_REQUIRED_FIELD,
    OPTIONAL_TO_REQUIRED,
    DROPPED_FIELD,
    INDEX_UNIQUE_FOREIGN_KEY,
    ENUM_VALUE_RENAMED,
    ENUM_VALUE_ADDED,
    Rehearsal {
        // Prisma Client casts enum parameters to the type's name: the plan says the new
        // version fails until the contract renames the type.
        case: "enum_type_renamed",
        workloads: &[
            (
                "old",
                r#"{"model": "member", "create": {"id": "$n", "role": "ADMIN"}, "update": {"role": "USER"}, "checks": ["role"]}"#,
            ),
            (
                "new",
                r#"{"model": "member", "create": {"id": "$n", "role": "ADMIN"}, "update": {"role": "USER"}, "checks": ["role"]}"#,
            ),
        ],
        kept: &[
            ("old", "SELECT id || '=' || role FROM \"Member\""),
            ("new", "SELECT id || '=' || role FROM \"Member\""),
        ],
        stated_failures: &["new"],
        bulk: "INSERT INTO \"Member\" (id, role) SELECT 100000000 + i, 'USER' FROM generate_series(1, {rows}) i",
    },
    ENUM_VALUE_REMOVED,
    DROPPED_MODEL,
    RENAMED_MODEL,
    Rehearsal {
        // Old instances name the old table and columns (a view), new ones the new.
        case: "map_changed",
        workloads: &[
            (
                "old",
                r#"{"model": "account", "create": {"id": "$n", "userId": "$s"}, "update": {"userId": "$s"}, "checks": ["userId"]}"#,
            ),
            (
                "new",
                r#"{"model": "account", "create": {"id": "$n", "userId": "$s"}, "update": {"userId": "$s"}, "checks": ["userId"]}"#,
            ),
        ],
        kept: &[
            ("old", "SELECT id || '=' || user_id FROM accounts"),
            ("new", "SELECT id || '=' || user_id FROM accounts"),
        ],
        stated_failures: &[],
        bulk: "INSERT INTO \"Account\" (id, \"userId\") SELECT 100000000 + i, 'bulk-' || i FROM generate_series(1, {rows}) i",
    },
    Rehearsal {
        case: "moved_table",
        workloads: &[
            (
                "old",
                r#"{"model": "invoice", "create": {"id": "$n", "customerId": 1}, "update": {"customerId": 1}, "checks": ["customerId"], "include": "customer"}"#,
            ),
            (
                "new",
                r#"{"model": "invoice", "create": {"id": "$n", "customerId": 1}, "update": {"customerId": 1}, "checks": ["customerId"], "include": "customer"}"#,
            ),
        ],
        kept: &[
            (
                "old",
                "SELECT id || '=' || \"customerId\" FROM billing.\"Invoice\"",
            ),
            (
                "new",
                "SELECT id || '=' || \"customerId\" FROM billing.\"Invoice\"",
            ),
        ],
        stated_failures: &[],
        bulk: "INSERT INTO \"Invoice\" (id, \"customerId\") SELECT 100000000 + i, 1 FROM generate_series(1, {rows}) i",
    },
    TYPE_CHANGE,
    Rehearsal {
        // No cast from a timestamp to a number: the expand version writes the copy itself.
        case: "type_change_without_cast",
        workloads: &[
            (
                "old",
                r#"{"model": "event", "create": {"id": "$n", "startTime": "2024-03-19T12:00:00.000Z"}, "update": {"startTime": "2024-03-19T12:00:01.000Z"}, "checks": []}"#,
            ),
            (
                "expand",
                r#"{"model": "event", "create": {"id": "$n", "startTime": "2024-03-19T12:00:00.000Z", "startTimeXcNew": 1710849600}, "update": {"startTime": "2024-03-19T12:00:01.000Z", "startTimeXcNew": 1710849601}, "checks": ["startTimeXcNew"]}"#,
            ),
            (
                "new",
                r#"{"model": "event", "create": {"id": "$n", "startTime": 1710849600}, "update": {"startTime": 1710849601}, "checks": ["startTime"]}"#,
            ),
        ],
        kept: &[
            ("old", "SELECT id || '=' || id FROM \"Event\""),
            ("expand", "SELECT id || '=' || \"startTime\" FROM \"Event\""),
            ("new", "SELECT id || '=' || \"startTime\" FROM \"Event\""),
        ],
        stated_failures: &["expand"],
        bulk: "INSERT INTO \"Event\" (id, \"startTime\") SELECT 100000000 + i, timestamp '2024-03-19 12:00:00' + i * interval '1 second' FROM generate_series(1, {rows}) i",
    },
    Rehearsal {
        case: "type_change_indexed",
        workloads: &[
            (
                "old",
                r#"{"model": "website", "create": {"id": "$n", "shareId": "$s"}, "update": {"shareId": "$s"}, "checks": ["shareId"]}"#,
            ),
            (
                "expand",
                r#"{"model": "website", "create": {"id": "$n", "shareId": "$s"}, "update": {"shareId": "$s"}, "checks": ["shareId"]}"#,
            ),
            (
                "new",
                r#"{"model": "website", "create": {"id": "$n", "shareId": "$s"}, "update": {"shareId": "$s"}, "checks": ["shareId"], "upsertBy": "shareId"}"#,
            ),
        ],
        kept: &[
            ("old", "SELECT id || '=' || share_id FROM \"Website\""),
            ("expand", "SELECT id || '=' || share_id FROM \"Website\""),
            ("new", "SELECT id || '=' || share_id FROM \"Website\""),
        ],
        stated_failures: &["expand"],
        bulk: "INSERT INTO \"Website\" (id, share_id) SELECT 100000000 + i, 'bulk-' || i FROM generate_series(1, {rows}) i",
    },
    PRIMARY_KEY_CHANGE,
    TWO_RENAMED_FIELDS,
    Rehearsal {
        // `json` has no `=`: the sync trigger and the backfill compare its text.
        case: "json_renamed_field",
        workloads: &[
            (
                "old",
                r#"{"model": "doc", "create": {"id": "$n", "meta": "$s"}, "update": {"meta": "$s"}, "checks": ["meta"]}"#,
            ),
            (
                "new",
                r#"{"model": "doc", "create": {"id": "$n", "data": "$s"}, "update": {"data": "$s"}, "checks": ["data"]}"#,
            ),
        ],
        kept: &[
            ("old", "SELECT id || '=' || (data #>> '{}') FROM \"Doc\""),
            ("new", "SELECT id || '=' || (data #>> '{}') FROM \"Doc\""),
        ],
        stated_failures: &[],
        bulk: "INSERT INTO \"Doc\" (id, meta) SELECT 100000000 + i, json_build_object('a', i) FROM generate_series(1, {rows}) i",
    },
    ENUM_VALUE_RENAMED_AND_REMOVED,
    Rehearsal {
        case: "foreign_key_actions",
        workloads: &[
            (
                "old",
                r#"{"model": "member", "create": {"id": "$n", "teamId": 1}, "update": {"teamId": 2}, "checks": ["teamId"], "include": "team"}"#,
            ),
            (
                "new",
                r#"{"model": "member", "create": {"id": "$n", "teamId": 1}, "update": {"teamId": 2}, "checks": ["teamId"], "include": "team"}"#,
            ),
        ],
        kept: &[
            ("old", "SELECT id || '=' || \"teamId\" FROM \"Member\""),
            ("new", "SELECT id || '=' || \"teamId\" FROM \"Member\""),
        ],
        stated_failures: &[],
        bulk: "INSERT INTO \"Member\" (id, \"teamId\") SELECT 100000000 + i, 1 FROM generate_series(1, {rows}) i",
    },
];

/// The catalog's recipes that SQLite has.
const SQLITE_REHEARSALS: &[Rehearsal] = &[
    on("sqlite_example", &EXAMPLE),
    on("sqlite_renamed_field", &RENAMED_FIELD),
    on("sqlite_new_required_field", &NEW_REQUIRED_FIELD),
    on("sqlite_optional_to_required", &OPTIONAL_TO_REQUIRED),
    on("sqlite_dropped_field", &DROPPED_FIELD),
    on("sqlite_index_unique_foreign_key", &INDEX_UNIQUE_FOREIGN_KEY),
    on("sqlite_dropped_model", &DROPPED_MODEL),
    on("sqlite_enum_value_renamed", &ENUM_VALUE_RENAMED),
    on("sqlite_enum_value_removed", &ENUM_VALUE_REMOVED),
    on("sqlite_enum_value_added", &ENUM_VALUE_ADDED),
    on("sqlite_renamed_model", &RENAMED_MODEL),
    on("sqlite_type_change", &TYPE_CHANGE),
    on("sqlite_primary_key_change", &PRIMARY_KEY_CHANGE),
    on("sqlite_two_renamed_fields", &TWO_RENAMED_FIELDS),
    on(
        "sqlite_enum_value_renamed_and_removed",
        &ENUM_VALUE_RENAMED_AND_REMOVED,
    ),
];

/// MySQL's recipes (MariaDB here). The enum recipes copy their table where MySQL cannot change
/// an enum in place (PLAN.md names the lock): writes wait, none fails.
const MYSQL_REHEARSALS: &[Rehearsal] = &[
    on("mysql_renamed_field", &RENAMED_FIELD),
    on("mysql_new_required_field", &NEW_REQUIRED_FIELD),
    on("mysql_optional_to_required", &OPTIONAL_TO_REQUIRED),
    on("mysql_dropped_field", &DROPPED_FIELD),
    on("mysql_index_unique_foreign_key", &INDEX_UNIQUE_FOREIGN_KEY),
    on("mysql_dropped_model", &DROPPED_MODEL),
    on("mysql_enum_value_renamed", &ENUM_VALUE_RENAMED),
    on("mysql_enum_value_removed", &ENUM_VALUE_REMOVED),
    on("mysql_enum_value_added", &ENUM_VALUE_ADDED),
    on("mysql_type_change", &TYPE_CHANGE),
    on("mysql_primary_key_change", &PRIMARY_KEY_CHANGE),
    on("mysql_two_renamed_fields", &TWO_RENAMED_FIELDS),
    on(
        "mysql_enum_value_renamed_and_removed",
        &ENUM_VALUE_RENAMED_AND_REMOVED,
    ),
];

/// One running application instance.
struct Instance {
    tag: String,
    version: String,
    child: Child,
    stop: PathBuf,
    out: PathBuf,
    /// Created by the instance once its first round of queries has run.
    ready: PathBuf,
}

/// What an instance did, from its summary.
struct Summary {
    tag: String,
    version: String,
    queries: u64,
    /// Queries MySQL chose as a deadlock's victim, retried (and then done).
    retried: u64,
    /// Failed queries.
    failures: Vec<String>,
    /// Reads that did not give back what the instance wrote.
    wrong_reads: Vec<String>,
    /// Its slowest query: milliseconds, and which.
    slowest: (u64, String),
    /// Rows it wrote and did not delete: key -> the first checked value it last wrote.
    owned: Vec<(String, Option<String>)>,
}

fn start(env: &Env, version: &str, tag: &str, base: u64) -> Instance {
    let stop = env.dir.join(format!("{tag}.stop"));
    let out = env.dir.join(format!("{tag}.json"));
    let ready = env.dir.join(format!("{tag}.ready"));
    let child = Command::new(&env.harness)
        .args(["bin", "tsx", "worker.ts"])
        .arg(env.dir.join(format!("gen-{}", client_of(version))))
        .arg(env.dir.join(format!("workload-{version}.json")))
        .args([tag, &base.to_string()])
        .arg(&stop)
        .arg(&out)
        .arg(&ready)
        .env("DATABASE_URL", &env.url)
        // MySQL's metadata-lock deadlocks are retried, as PLAN.md tells MySQL users.
        .env(
            "XC_RETRY_DEADLOCKS",
            if env.kind == Engine::MariaDb {
                "1"
            } else {
                "0"
            },
        )
        // The lock sampler tells the instances' sessions by it.
        .env("PGAPPNAME", "xc-worker")
        // What a worker that dies before its summary said.
        .stderr(std::fs::File::create(env.dir.join(format!("{tag}.err"))).unwrap())
        .current_dir(&env.dir)
        .process_group(0)
        .spawn()
        .expect("start a worker");
    Instance {
        tag: tag.to_string(),
        version: version.to_string(),
        child,
        stop,
        out,
        ready,
    }
}

/// Waits until each of `instances` has run its first round of queries, as a rolling deploy
/// waits for a new instance's readiness probe before it stops an old one: on a busy machine
/// starting tsx and a client can take longer than any fixed pause. An instance that exits, or
/// is not ready within a minute, is left for its summary to tell.
fn wait_ready(instances: &mut [Instance]) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    for instance in instances {
        while !instance.ready.exists()
            && instance.child.try_wait().unwrap().is_none()
            && std::time::Instant::now() < deadline
        {
            pause(50);
        }
    }
}

/// A rehearsal that ends early leaves no instance running.
impl Drop for Instance {
    fn drop(&mut self) {
        // The worker runs under the harness script and tsx: its whole process group goes.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(std::process::Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

fn stop(mut instance: Instance) -> Summary {
    std::fs::write(&instance.stop, "").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while instance.child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = instance.child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(&instance.out).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|_| {
        let err = std::fs::read_to_string(instance.out.with_extension("err")).unwrap_or_default();
        let err: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        let said = err[err.len().saturating_sub(5)..].join(" | ");
        serde_json::json!({"queries": 0, "failures": [], "wrongReads": [format!("{} wrote no summary: {said}", instance.tag)], "owned": []})
    });
    let texts = |v: &serde_json::Value| -> Vec<String> {
        (v.as_array().into_iter().flatten())
            .map(|f| f.as_str().unwrap_or_default().to_string())
            .collect()
    };
    Summary {
        tag: instance.tag.clone(),
        version: instance.version.clone(),
        queries: v["queries"].as_u64().unwrap_or(0),
        retried: v["retried"].as_u64().unwrap_or(0),
        failures: texts(&v["failures"]),
        wrong_reads: texts(&v["wrongReads"]),
        slowest: (
            v["slowest"][0].as_u64().unwrap_or(0),
            v["slowest"][1].as_str().unwrap_or_default().to_string(),
        ),
        owned: (v["owned"].as_array().into_iter().flatten())
            .filter_map(|p| {
                let value = match &p[1] {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(text) => Some(text.clone()),
                    other => Some(other.to_string()),
                };
                Some((p[0].as_str()?.to_string(), value))
            })
            .collect(),
    }
}

/// The longest lock wait of an application session seen during each step: (step, seconds,
/// the statement it waited behind).
type LockWaits = Vec<(String, f64, String)>;

/// Samples `pg_stat_activity` every 100 ms while a rehearsal runs: the instances' sessions
/// (`application_name` xc-worker) waiting for a lock, how long their query has run, and what
/// the session blocking them runs ([`blocking_statement`]).
struct LockSampler {
    step: std::sync::Arc<std::sync::Mutex<String>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<LockWaits>,
}

impl LockSampler {
    fn start(url: &str) -> LockSampler {
        let step = std::sync::Arc::new(std::sync::Mutex::new("before the plan".to_string()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (url, at, halt) = (url.to_string(), step.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let query = "SELECT extract(epoch FROM clock_timestamp() - a.query_start)::numeric(10, 3) || '|' || coalesce((SELECT b.query FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid)) LIMIT 1), '?') FROM pg_stat_activity a WHERE a.application_name = 'xc-worker' AND a.wait_event_type = 'Lock' ORDER BY a.query_start LIMIT 1";
            let mut waits: LockWaits = Vec::new();
            while !halt.load(std::sync::atomic::Ordering::Relaxed) {
                let out = Command::new("psql")
                    .args([&url, "-AtX", "-c", query])
                    .output();
                let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
                let step = at.lock().unwrap().clone();
                let (seconds, behind) = match text.as_deref().unwrap_or("").split_once('|') {
                    Some((secs, behind)) => (
                        secs.trim().parse().unwrap_or(0.0),
                        blocking_statement(behind),
                    ),
                    None => (0.0, String::new()),
                };
                match waits.iter_mut().find(|(s, _, _)| *s == step) {
                    Some(w) if seconds > w.1 => *w = (step, seconds, behind),
                    Some(_) => {}
                    None => waits.push((step, seconds, behind)),
                }
                pause(100);
            }
            waits
        });
        LockSampler { step, stop, thread }
    }

    fn at(&self, step: &str) {
        *self.step.lock().unwrap() = step.to_string();
    }

    fn finish(self) -> LockWaits {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// The statement of a blocking session's script that application queries wait behind, most
/// likely: its first `ALTER TABLE` (a migration's table locks), else its first statement
/// (comments, `SET`s and `DO` guards left out).
fn blocking_statement(sql: &str) -> String {
    let code: Vec<&str> = (sql.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("--") && !l.starts_with("SET "))
        .collect();
    let text = code.join(" ");
    let statements: Vec<&str> = text.split(';').map(str::trim).collect();
    let statement = (statements.iter())
        .find(|s| s.starts_with("ALTER TABLE"))
        .or_else(|| {
            statements
                .iter()
                .find(|s| !s.starts_with("DO ") && !s.is_empty())
        })
        .unwrap_or(&"");
    statement.chars().take(100).collect()
}

/// The time of day (UTC), as the workers stamp their failures.
fn clock() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

fn pause(millis: u64) {
    std::thread::sleep(Duration::from_millis(millis));
}

/// The client a version runs: the one generated from its schema.
fn client_of(version: &str) -> &'static str {
    match version {
        "old" => "old",
        "new" => "new",
        _ => "expand",
    }
}

fn schema_of(client: &str) -> &'static str {
    match client {
        "old" => "old.prisma",
        "new" => "new.prisma",
        _ => "plan/schema.expand.prisma",
    }
}

/// The example's schema body (its datasource included, the comments above it left out), on
/// SQLite with the catalog's SQLite datasource.
fn example(name: &str, sqlite: bool) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/example")
            .join(name),
    )
    .unwrap();
    let body = &text[text.find("datasource").unwrap()..];
    if sqlite {
        // SQLite has no native VarChar.
        let mut body = body[body.find("\n}\n").unwrap() + 3..]
            .trim_start()
            .to_string();
        while let Some(at) = body.find(" @db.VarChar(") {
            let end = at + body[at..].find(')').unwrap() + 1;
            body.replace_range(at..end, "");
        }
        body
    } else {
        // The example is a Prisma 7 schema; the rehearsal runs Prisma 6, which needs the url.
        body.replacen(
            "provider = \"postgresql\"\n",
            "provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n",
            1,
        )
    }
}

/// What a rehearsal's case brings: its schemas, flags, seed and FILL INs.
struct CaseInput {
    old: String,
    new: String,
    engine: Engine,
    flags: Vec<String>,
    seed: String,
    fill_in: Vec<(&'static str, &'static str)>,
}

fn case_of(name: &str) -> CaseInput {
    let sqlite = name.starts_with("sqlite_");
    let engine = if name.starts_with("mysql_") {
        Engine::MariaDb
    } else {
        Engine::sqlite_if(sqlite)
    };
    if name.ends_with("example") {
        return CaseInput {
            old: example("old.prisma", sqlite),
            new: example("new.prisma", sqlite),
            engine,
            flags: Vec::new(),
            // Both databases read this.
            seed: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) INSERT INTO \"User\" (email, user_name) SELECT 'seed-' || i || '@example.org', 'seed-' || i FROM n; INSERT INTO \"Post\" (title, \"authorId\") SELECT 'seed post', id FROM \"User\";".into(),
            fill_in: Vec::new(),
        };
    }
    let c = (CASES.iter().chain(SQLITE_CASES).chain(MYSQL_CASES))
        .find(|c| c.name == name)
        .expect("a catalog case");
    CaseInput {
        old: c.old.to_string(),
        new: c.new.to_string(),
        engine,
        flags: c.flags.iter().map(|f| f.to_string()).collect(),
        seed: c.seed.to_string(),
        fill_in: c.fill_in.to_vec(),
    }
}

/// Plays one plan as a rolling deploy; the report's rows, or why it failed.
/// How the reports name a step of plan.json: `apply expand`, `backfill`, `roll out new`,
/// `no instance left: old`.
fn step_label(step: &serde_json::Value) -> String {
    let (phase, version) = (step["phase"].as_str(), step["version"].as_str());
    match (step["kind"].as_str().unwrap_or(""), phase.or(version)) {
        ("applyMigrations", Some(phase)) => format!("apply {phase}"),
        ("rollOut", Some(version)) => format!("roll out {version}"),
        ("waitUntilGone", Some(version)) => format!("no instance left: {version}"),
        (kind, _) => kind.to_string(),
    }
}

/// What a rehearsal reports: a table row per instance, and the lock waits per step when the
/// sampler ran.
struct Report {
    rows: Vec<String>,
    /// The plan's row: instances, queries, failed queries (stated), wrong reads, lost writes.
    case_row: String,
    lock_waits: LockWaits,
    slowest: (u64, String),
}

/// Plays one plan as a rolling deploy; with `bulk_rows`, on a table of that many more rows,
/// sampling lock waits. Its report, or why it failed.
fn rehearse(
    harness: &Path,
    r: &Rehearsal,
    input: CaseInput,
    bulk_rows: Option<u64>,
) -> Result<Report, String> {
    let CaseInput {
        old,
        new,
        engine,
        flags,
        seed,
        fill_in,
    } = input;
    let env = Env::with_old_deployed(
        harness,
        &format!("rehearsal_{}", r.case.replace(['/', '.', '-'], "_")),
        engine,
        &old,
        &new,
    )?;
    let dir = env.dir.clone();
    if !seed.is_empty() {
        env.psql(&["-c", &seed])?;
    }
    if let Some(rows) = bulk_rows {
        env.psql(&["-c", &r.bulk.replace("{rows}", &rows.to_string())])?;
        env.psql(&["-c", "VACUUM ANALYZE"])?;
    }
    env.plan(
        "rehearsal",
        &flags.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan/plan.json")).unwrap())
            .map_err(|e| e.to_string())?;
    let steps = plan["steps"]
        .as_array()
        .ok_or("plan.json lists no steps")?
        .clone();
    // The user's FILL INs, as PLAN.md asks before the backfill.
    let backfill = dir.join("plan/3-backfill/backfill.sql");
    if let Ok(mut text) = std::fs::read_to_string(&backfill) {
        common::plan::fill_in(&mut text, &fill_in);
        std::fs::write(&backfill, text).unwrap();
    }

    // A client and a workload per version.
    for (from, to) in [
        ("tests/rehearsal/worker.ts", "worker.ts"),
        ("tests/harness/sqlite-writers.cjs", "sqlite-writers.cjs"),
    ] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(from),
            dir.join(to),
        )
        .unwrap();
    }
    // One client per schema, generated side by side (the expand schema serves two versions
    // of the enum recipes).
    let mut generating = Vec::new();
    for (version, workload) in r.workloads {
        std::fs::write(dir.join(format!("workload-{version}.json")), workload).unwrap();
        let client = client_of(version);
        if generating.iter().any(|(c, _)| *c == client) {
            continue;
        }
        let child = Command::new(harness)
            .args(["generate", schema_of(client), &format!("gen-{client}")])
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        generating.push((client, child));
    }
    for (client, child) in generating {
        let out = child.wait_with_output().unwrap();
        if !out.status.success() {
            return Err(format!(
                "generate {client}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }

    let mut next = 0u64;
    let mut launch = |version: &str| {
        next += 1;
        start(&env, version, &format!("{version}{next}"), next * 1_000_000)
    };
    let sampler = bulk_rows.map(|_| LockSampler::start(&env.url));
    let mut running = vec![launch("old"), launch("old")];
    let mut done: Vec<Summary> = Vec::new();
    let mut walked = Vec::new();
    wait_ready(&mut running);
    // Traffic before the first step.
    pause(1000);
    let mut stamp = 1;
    for step in &steps {
        let kind = step["kind"].as_str().unwrap_or("");
        walked.push(step_label(step));
        if std::env::var("XC_REHEARSAL_TRACE").is_ok() {
            eprintln!("{} at {}", walked.last().unwrap(), clock());
        }
        if let Some(sampler) = &sampler {
            sampler.at(walked.last().unwrap());
        }
        match kind {
            "applyMigrations" => {
                let phase = step["phase"].as_str().unwrap();
                let ts = format!("2030010100000{stamp}");
                stamp += 1;
                env.promote(phase, &ts)?;
                // The phase's pull request sets prisma/schema.prisma, as PLAN.md says.
                let schema = if phase == "contract" {
                    "new.prisma"
                } else {
                    "plan/schema.expand.prisma"
                };
                std::fs::copy(dir.join(schema), dir.join("prisma/schema.prisma")).unwrap();
                env.deploy_under_traffic()
                    .map_err(|e| format!("deploy {phase} under traffic: {e}"))?;
                env.migrations_match(&dir.join(schema))?;
            }
            "backfill" => {
                // psql loops batch by batch; sqlite3 and mysql run one batch per statement, so
                // the file runs again until its verification counts 0 (as its header says).
                let runs = if engine == Engine::Postgres {
                    1
                } else {
                    10_000
                };
                let mut left = String::new();
                for _ in 0..runs {
                    left = env.psql(&["-f", &backfill.display().to_string()])?;
                    if left.lines().last() == Some("0") {
                        break;
                    }
                }
                if left.lines().last() != Some("0") {
                    return Err(format!("the backfill left rows: {left}"));
                }
            }
            "rollOut" => {
                // Gradually: the new instances start, then the running ones stop one by one;
                // the last of them stops at the wait step.
                let version = step["version"].as_str().unwrap().to_string();
                let before = std::mem::take(&mut running);
                running.push(launch(&version));
                running.push(launch(&version));
                wait_ready(&mut running);
                pause(1000);
                let mut before = before.into_iter();
                if let Some(first) = before.next() {
                    done.push(stop(first));
                }
                pause(1000);
                running.extend(before);
            }
            "waitUntilGone" => {
                let version = step["version"].as_str().unwrap();
                let (gone, stay): (Vec<Instance>, Vec<Instance>) =
                    running.into_iter().partition(|i| i.version == version);
                done.extend(gone.into_iter().map(stop));
                running = stay;
            }
            other => return Err(format!("unknown step kind {other}")),
        }
        pause(1000);
    }
    pause(2000);
    done.extend(running.into_iter().map(stop));
    let lock_waits = sampler.map(LockSampler::finish).unwrap_or_default();

    // Failed queries are allowed only where the plan says, and only of the versions it names.
    let stated = plan["notZeroDowntime"]
        .as_array()
        .is_some_and(|reasons| !reasons.is_empty());
    if !r.stated_failures.is_empty() && !stated {
        return Err("the rehearsal expects failures the plan does not state".into());
    }
    let unexpected: Vec<&String> = (done.iter())
        .filter(|s| !r.stated_failures.contains(&s.version.as_str()))
        .flat_map(|s| &s.failures)
        .chain(done.iter().flat_map(|s| &s.wrong_reads))
        .collect();
    if !unexpected.is_empty() {
        return Err(format!(
            "failed queries or wrong reads ({}):\n{}",
            walked.join(" -> "),
            (unexpected.iter().take(20))
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    if let Some(idle) = done.iter().find(|s| s.queries == 0) {
        return Err(format!("instance {} ran no query", idle.tag));
    }
    // Every acknowledged write is in the final database.
    let mut lost = Vec::new();
    for s in &done {
        let Some((_, query)) = r.kept.iter().find(|(v, _)| *v == s.version) else {
            continue;
        };
        let rows = env.psql(&["-c", query])?;
        let rows: std::collections::HashMap<&str, &str> =
            rows.lines().filter_map(|l| l.split_once('=')).collect();
        for (key, value) in &s.owned {
            let found = rows.get(key.as_str()).copied();
            let expected = value.as_deref().unwrap_or(key);
            if found != Some(expected) {
                lost.push(format!(
                    "{} wrote {key}={expected}, the database holds {found:?}",
                    s.tag
                ));
            }
        }
    }
    if !lost.is_empty() {
        return Err(format!(
            "lost writes:\n{}",
            lost.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let rows = done
        .iter()
        .map(|s| {
            format!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                r.case,
                s.tag,
                s.version,
                s.queries,
                s.retried,
                s.failures.len(),
                s.wrong_reads.len()
            )
        })
        .collect();
    let case_row = format!(
        "| {} | {} | {} | {} | {} | {} | 0 | 0 |",
        r.case,
        done.len(),
        done.iter().map(|s| s.queries).sum::<u64>(),
        done.iter().map(|s| s.retried).sum::<u64>(),
        walked.join(" → "),
        done.iter().map(|s| s.failures.len()).sum::<usize>(),
    );
    let slowest = (done.iter().map(|s| s.slowest.clone()))
        .max_by_key(|(ms, _)| *ms)
        .unwrap_or_default();
    Ok(Report {
        rows,
        case_row,
        lock_waits,
        slowest,
    })
}

/// Rehearses `rehearsals` two at a time and fails on any failed query, wrong read or lost
/// write outside what the plans state.
fn rehearse_all(harness: &Path, rehearsals: &[Rehearsal]) {
    let chosen = common::chosen(rehearsals, "XC_REHEARSAL", |r| r.case);
    rehearse_these(harness, &chosen, |r| case_of(r.case));
}

/// Rehearses `chosen` two at a time, each from what `input` gives for it.
fn rehearse_these(
    harness: &Path,
    chosen: &[&Rehearsal],
    input: impl Fn(&Rehearsal) -> CaseInput + Sync,
) {
    if chosen.is_empty() {
        return;
    }
    let results: Vec<(&str, Result<Report, String>)> =
        common::two_at_a_time(chosen, |r| (r.case, rehearse(harness, r, input(r), None)));
    let mut table = vec![
        "| case | instance | version | queries | deadlock victims retried (MySQL) | failed (stated) | wrong reads |".to_string(),
        "|---|---|---|---:|---:|---:|---:|".into(),
    ];
    let mut cases = vec![
        "| plan | instances | queries | retried | steps | failed queries (stated) | wrong reads | lost writes |".to_string(),
        "|---|---:|---:|---:|---|---:|---:|---:|".into(),
    ];
    let mut failures = Vec::new();
    for (case, result) in &results {
        match result {
            Ok(report) => {
                table.extend(report.rows.iter().cloned());
                cases.push(report.case_row.clone());
            }
            Err(e) => failures.push(format!("{case}: {e}")),
        }
    }
    eprintln!(
        "rehearsals: {}/{} plans without a failed query, wrong read or lost write\n{}\n\n{}",
        results.len() - failures.len(),
        results.len(),
        table.join("\n"),
        cases.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn plans_rehearse_as_rolling_deploys_without_errors() {
    if let Some(harness) = common::harness_with_postgres() {
        rehearse_all(&harness, REHEARSALS);
    }
}

/// Real schema evolutions of the corpus, rehearsed on PostgreSQL with workloads derived from
/// each version's schema (`rehearsal/corpus.rs`): `XC_CORPUS_REHEARSALS` steps spread over the
/// corpus (3 unless set; `all` for every step that can be rehearsed: `scripts/corpus-rehearse`).
#[test]
#[cfg_attr(
    any(xc_no_corpus, xc_no_node, xc_no_postgres),
    ignore = "needs ../shared/corpus, Node.js and npm, PostgreSQL server binaries"
)]
fn sampled_corpus_steps_rehearse_as_rolling_deploys() {
    let (Some(corpus), Some(harness)) = (common::corpus(), common::harness_with_postgres()) else {
        return;
    };
    let count = match std::env::var("XC_CORPUS_REHEARSALS").as_deref() {
        Ok("all") => 0,
        Ok(n) => n.parse().expect("XC_CORPUS_REHEARSALS: a number or all"),
        Err(_) => 3,
    };
    // XC_CORPUS_STEPS=repo/step,... rehearses those alone.
    let (steps, count) = match std::env::var("XC_CORPUS_STEPS") {
        Ok(only) => (only.split(',').map(str::to_string).collect(), 0),
        Err(_) => (corpus::postgres_steps(&corpus), count),
    };
    let (sampled, left_out) = corpus::sample(&corpus, &steps, count);
    eprintln!(
        "corpus rehearsals: {} steps rehearsed, {} left out (no model every version can write with \
         generated values, or a plan that needs a FILL IN):\n{}",
        sampled.len(),
        left_out.len(),
        left_out.join("\n")
    );
    assert!(
        !sampled.is_empty() || count == 0,
        "no corpus step could be rehearsed"
    );
    // The rehearsal's texts are 'static like the catalog's: these live until the test ends.
    let leak = |s: &str| -> &'static str { s.to_string().leak() };
    let pairs = |v: &[(String, String)]| -> &'static [(&'static str, &'static str)] {
        v.iter()
            .map(|(a, b)| (leak(a), leak(b)))
            .collect::<Vec<_>>()
            .leak()
    };
    let rehearsals: Vec<Rehearsal> = sampled
        .iter()
        .map(|s| Rehearsal {
            case: leak(&s.case),
            workloads: pairs(&s.workloads),
            kept: pairs(&s.kept),
            stated_failures: if s.not_zero_downtime {
                &["old", "expand", "expandWritingNewValues", "new"]
            } else {
                &[]
            },
            bulk: "",
        })
        .collect();
    let chosen: Vec<&Rehearsal> = rehearsals.iter().collect();
    rehearse_these(&harness, &chosen, |r| {
        let s = sampled.iter().find(|s| s.case == r.case).unwrap();
        CaseInput {
            old: s.old.clone(),
            new: s.new.clone(),
            engine: Engine::Postgres,
            flags: s.flags.clone(),
            seed: String::new(),
            fill_in: Vec::new(),
        }
    });
}

/// SQLite takes one writer at a time: the instances, `migrate deploy` and the backfill wait for
/// each other's writes (every connection with a busy timeout, and transactions that take the
/// write lock first: tests/harness/sqlite-writers.cjs), as PLAN.md tells SQLite users.
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn sqlite_plans_rehearse_as_rolling_deploys() {
    if let Some(harness) = common::harness_with_sqlite3() {
        rehearse_all(&harness, SQLITE_REHEARSALS);
    }
}

/// The lock benchmark (`scripts/lock-bench`): every rehearsal again, one at a time, on tables
/// of `XC_REHEARSAL_ROWS` more rows (1,000,000 unless set), printing per step the longest time
/// an application query waited for a lock and what it waited behind, and each plan's slowest
/// application query. Figures, not a pass mark: it fails only as the rehearsal does.
#[test]
#[ignore = "a benchmark: scripts/lock-bench runs it"]
fn lock_waits_on_large_tables() {
    let Some(harness) = common::harness_with_postgres() else {
        return;
    };
    let rows: u64 = std::env::var("XC_REHEARSAL_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let mut table = vec![
        format!("lock waits on {rows} rows"),
        "| recipe | step | longest lock wait (s) | waiting behind | slowest query (ms) |".into(),
        "|---|---|---:|---|---:|".into(),
    ];
    let mut failures = Vec::new();
    for r in common::chosen(REHEARSALS, "XC_REHEARSAL", |r| r.case) {
        match rehearse(&harness, r, case_of(r.case), Some(rows)) {
            Ok(report) => {
                let (ms, what) = &report.slowest;
                for (i, (step, seconds, behind)) in report.lock_waits.iter().enumerate() {
                    let behind = if behind.is_empty() {
                        String::new()
                    } else {
                        format!("`{}`", behind.replace('|', "\\|"))
                    };
                    let slowest = if i == 0 {
                        format!("{ms} ({what})")
                    } else {
                        String::new()
                    };
                    table.push(format!(
                        "| {} | {step} | {seconds:.1} | {behind} | {slowest} |",
                        r.case
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", r.case)),
        }
        eprintln!("{}", table.last().unwrap());
    }
    println!("{}", table.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The MySQL rehearsals run by default: one per way MySQL runs a phase (sync triggers with
/// the guard and the backfill, an online index and foreign key, an enum appended in place and
/// its table copied, a swap under `LOCK TABLES`). `XC_REHEARSAL_MYSQL=all` runs every one
/// (all 13 pass), as does naming cases in `XC_REHEARSAL`.
const MYSQL_BY_DEFAULT: &[&str] = &[
    "mysql_renamed_field",
    "mysql_index_unique_foreign_key",
    "mysql_enum_value_renamed_and_removed",
    "mysql_type_change",
];

/// MySQL's recipes as rolling deploys on MariaDB, the instances through
/// `@prisma/adapter-mariadb`.
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_mariadb),
    ignore = "needs Node.js and npm, MariaDB server binaries"
)]
fn mysql_plans_rehearse_as_rolling_deploys() {
    let Some(harness) = common::harness_with_mariadb() else {
        return;
    };
    let all = std::env::var("XC_REHEARSAL_MYSQL").as_deref() == Ok("all")
        || std::env::var("XC_REHEARSAL").is_ok();
    let chosen: Vec<Rehearsal> = (MYSQL_REHEARSALS.iter())
        .filter(|r| all || MYSQL_BY_DEFAULT.contains(&r.case))
        .map(|r| on(r.case, r))
        .collect();
    rehearse_all(&harness, &chosen);
}
