//! The plan catalog: one case per recipe, and the steps every case goes through on a real
//! database with the real Prisma CLI (see `tests/plan_postgres.rs` and `tests/plan_hostile.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A case of the catalog as written below.
pub struct Case {
    pub name: &'static str,
    pub old: &'static str,
    pub new: &'static str,
    /// Extra flags for `prisma-xc diff` (renames).
    pub flags: &'static [&'static str],
    /// Rows written before the expand.
    pub seed: &'static str,
    /// Writes of old and new application code while the expand is deployed.
    pub mixed: &'static str,
    /// FILL_IN placeholder -> SQL expression.
    pub fill_in: &'static [(&'static str, &'static str)],
    /// A query after the contract and its expected psql output (unaligned, tuples only).
    pub check: (&'static str, &'static str),
    /// Whether the contract must abort when deployed before the backfill.
    pub guarded: bool,
}

/// A case as the runner takes it: a catalog case, or one made from it (the hostile names of
/// `tests/plan_hostile.rs`).
#[derive(Debug, Clone)]
pub struct PlanCase {
    pub name: String,
    /// Schema bodies (the datasource is added per database unless the body brings its own).
    pub old: String,
    pub new: String,
    pub flags: Vec<String>,
    pub seed: String,
    pub mixed: String,
    pub fill_in: Vec<(String, String)>,
    pub check: (String, String),
    pub guarded: bool,
    /// A table named `sentinel` that nothing of the plan may touch: it must still be there,
    /// with its row, after every step.
    pub sentinel: bool,
    /// A Prisma Client generated from `schema.expand.prisma` type-checks `dual-write.ts` and
    /// `backfill.ts` (`tsc --strict`).
    pub type_check: bool,
}

impl From<&Case> for PlanCase {
    fn from(c: &Case) -> PlanCase {
        PlanCase {
            name: c.name.to_string(),
            old: c.old.to_string(),
            new: c.new.to_string(),
            flags: c.flags.iter().map(|f| f.to_string()).collect(),
            seed: c.seed.to_string(),
            mixed: c.mixed.to_string(),
            fill_in: (c.fill_in.iter())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            check: (c.check.0.to_string(), c.check.1.to_string()),
            guarded: c.guarded,
            sentinel: false,
            type_check: false,
        }
    }
}

/// Whether a case's check reads the database's catalog (index and table names): a check the
/// hostile run cannot repeat, since it renames everything.
pub fn reads_catalog(check: &str) -> bool {
    ["pg_index", "sqlite_master", "information_schema", "pragma_"]
        .iter()
        .any(|t| check.contains(t))
}

/// The cases to deploy under their plain names. `tests/plan_hostile.rs` deploys every case
/// again under hostile names, with a sentinel table and, on PostgreSQL, the plan's TypeScript
/// type-checked: only the cases whose check reads the catalog by plain names run here too,
/// unless `XC_PLAN_CATALOG=all` (or `XC_PLAN_CASE` names some).
pub fn plain_cases(cases: &[Case]) -> Vec<PlanCase> {
    let all = std::env::var("XC_PLAN_CATALOG").as_deref() == Ok("all")
        || std::env::var("XC_PLAN_CASE").is_ok();
    let plain: Vec<PlanCase> = (cases.iter())
        .filter(|c| all || reads_catalog(c.check.0))
        .map(PlanCase::from)
        .collect();
    eprintln!(
        "{} of {} cases under plain names; plan_hostile deploys every case under hostile names (XC_PLAN_CATALOG=all runs them all here)",
        plain.len(),
        cases.len()
    );
    plain
}

pub const DS: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n";

/// The body with the PostgreSQL datasource, unless it brings its own.
pub fn schema(body: &str) -> String {
    if body
        .lines()
        .any(|l| l.trim_start().starts_with("datasource "))
    {
        body.to_string()
    } else {
        format!("{DS}{body}")
    }
}

pub const CASES: &[Case] = &[
    Case {
        name: "renamed_field",
        old: "model User {\n  id        Int    @id\n  user_name String @unique\n}\n",
        new: "model User {\n  id       Int    @id\n  username String @unique // prisma-xc: renamed from user_name\n}\n",
        flags: &[],
        seed: "INSERT INTO \"User\" (id, user_name) VALUES (1, 'ada'), (2, 'grace'), (5, 'untouched');",
        // Old code writes only user_name; new code writes both (dual-write); an old-code update.
        mixed: "INSERT INTO \"User\" (id, user_name) VALUES (3, 'linus'); INSERT INTO \"User\" (id, user_name, username) VALUES (4, 'ken', 'ken'); UPDATE \"User\" SET user_name = 'grace2' WHERE id = 2; UPDATE \"User\" SET username = 'ada2' WHERE id = 1;",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || username, ',' ORDER BY id) FROM \"User\"",
            "1=ada2,2=grace2,3=linus,4=ken,5=untouched",
        ),
        guarded: true,
    },
    Case {
        name: "new_required_field",
        old: "model Person {\n  id   Int    @id\n  name String\n}\n",
        new: "model Person {\n  id    Int    @id\n  name  String\n  email String\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Person\" (id, name) VALUES (1, 'Ada'), (2, 'Grace');",
        mixed: "INSERT INTO \"Person\" (id, name) VALUES (3, 'Old'); INSERT INTO \"Person\" (id, name, email) VALUES (4, 'New', 'new@x.org');",
        fill_in: &[("FILL_IN_Person_email", "lower(\"name\") || '@example.com'")],
        check: (
            "SELECT string_agg(id || '=' || email, ',' ORDER BY id) FROM \"Person\"",
            "1=ada@example.com,2=grace@example.com,3=old@example.com,4=new@x.org",
        ),
        guarded: true,
    },
    Case {
        name: "optional_to_required",
        old: "model Account {\n  id   Int     @id\n  plan String?\n}\n",
        new: "model Account {\n  id   Int    @id\n  plan String @default(\"free\")\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Account\" (id, plan) VALUES (1, NULL), (2, 'pro');",
        mixed: "INSERT INTO \"Account\" (id) VALUES (3);",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || plan, ',' ORDER BY id) FROM \"Account\"",
            "1=free,2=pro,3=free",
        ),
        guarded: true,
    },
    Case {
        name: "dropped_field",
        old: "model Item {\n  id     Int    @id\n  legacy String\n  title  String\n}\n",
        new: "model Item {\n  id    Int    @id\n  title String\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Item\" (id, legacy, title) VALUES (1, 'x', 'one');",
        // New code no longer writes `legacy`: the expand relaxed it.
        mixed: "INSERT INTO \"Item\" (id, title) VALUES (2, 'two');",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || title, ',' ORDER BY id) FROM \"Item\"",
            "1=one,2=two",
        ),
        guarded: false,
    },
    Case {
        name: "index_unique_foreign_key",
        old: "model Team {\n  id Int @id\n}\n\nmodel Member {\n  id     Int    @id\n  email  String\n  teamId Int\n}\n",
        new: "model Team {\n  id      Int      @id\n  members Member[]\n}\n\nmodel Member {\n  id     Int    @id\n  email  String @unique\n  teamId Int\n  team   Team   @relation(fields: [teamId], references: [id])\n\n  @@index([teamId])\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Team\" (id) VALUES (1); INSERT INTO \"Member\" (id, email, \"teamId\") VALUES (1, 'a@x.org', 1), (2, 'b@x.org', 1);",
        mixed: "INSERT INTO \"Member\" (id, email, \"teamId\") VALUES (3, 'c@x.org', 1);",
        fill_in: &[],
        check: (
            "SELECT count(*) FROM pg_indexes WHERE indexname IN ('Member_email_key', 'Member_teamId_idx')",
            "2",
        ),
        guarded: false,
    },
    Case {
        name: "enum_value_renamed",
        old: "enum Status {\n  ACTIVE\n  BLOCKED\n}\n\nmodel Login {\n  id     Int    @id\n  status Status\n}\n",
        new: "enum Status {\n  ENABLED\n  BLOCKED\n}\n\nmodel Login {\n  id     Int    @id\n  status Status\n}\n",
        flags: &["--rename", "Status.ACTIVE=ENABLED"],
        seed: "INSERT INTO \"Login\" (id, status) VALUES (1, 'ACTIVE'), (2, 'BLOCKED');",
        mixed: "INSERT INTO \"Login\" (id, status) VALUES (3, 'ACTIVE'), (4, 'ENABLED');",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || status, ',' ORDER BY id) FROM \"Login\"",
            "1=ENABLED,2=BLOCKED,3=ENABLED,4=ENABLED",
        ),
        guarded: true,
    },
    Case {
        name: "enum_type_renamed",
        old: "enum Role {\n  ADMIN\n  USER\n}\n\nmodel Member {\n  id   Int  @id\n  role Role\n}\n",
        new: "enum Access {\n  ADMIN\n  USER\n}\n\nmodel Member {\n  id   Int    @id\n  role Access\n}\n",
        flags: &["--rename", "Role=Access"],
        seed: "INSERT INTO \"Member\" (id, role) VALUES (1, 'ADMIN'), (2, 'USER');",
        mixed: "INSERT INTO \"Member\" (id, role) VALUES (3, 'USER');",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || role || ':' || pg_typeof(role), ',' ORDER BY id) FROM \"Member\"",
            "1=ADMIN:\"Access\",2=USER:\"Access\",3=USER:\"Access\"",
        ),
        guarded: false,
    },
    Case {
        name: "enum_value_removed",
        old: "enum Size {\n  S\n  M\n  XL\n}\n\nmodel Shirt {\n  id   Int  @id\n  size Size\n}\n",
        new: "enum Size {\n  S\n  M\n}\n\nmodel Shirt {\n  id   Int  @id\n  size Size\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Shirt\" (id, size) VALUES (1, 'XL'), (2, 'S');",
        mixed: "INSERT INTO \"Shirt\" (id, size) VALUES (3, 'XL');",
        fill_in: &[("FILL_IN_Shirt_size", "'M'")],
        check: (
            "SELECT string_agg(id || '=' || size, ',' ORDER BY id) FROM \"Shirt\"",
            "1=M,2=S,3=M",
        ),
        guarded: true,
    },
    Case {
        name: "dropped_model",
        old: "model Author {\n  id    Int    @id\n  books Book[]\n}\n\nmodel Book {\n  id       Int    @id\n  authorId Int\n  author   Author @relation(fields: [authorId], references: [id])\n}\n",
        new: "model Author {\n  id Int @id\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Author\" (id) VALUES (1); INSERT INTO \"Book\" (id, \"authorId\") VALUES (1, 1);",
        mixed: "INSERT INTO \"Author\" (id) VALUES (2);",
        fill_in: &[],
        check: (
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'Book'",
            "0",
        ),
        guarded: false,
    },
    Case {
        name: "renamed_model",
        old: "model Person {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  posts Post[]\n}\n\nmodel Post {\n  id       Int    @id\n  authorId Int\n  author   Person @relation(fields: [authorId], references: [id])\n}\n",
        new: "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  posts Post[]\n}\n\nmodel Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n",
        flags: &["--rename", "Person=User"],
        seed: "INSERT INTO \"Person\" (email) VALUES ('a@x'), ('b@x'); INSERT INTO \"Post\" (id, \"authorId\") VALUES (1, 1);",
        // Old code through the view (its sequence and key included), new code on the table.
        mixed: "INSERT INTO \"Person\" (email) VALUES ('c@x'); UPDATE \"Person\" SET email = 'b2@x' WHERE id = 2; INSERT INTO \"User\" (email) VALUES ('d@x'); INSERT INTO \"Post\" (id, \"authorId\") VALUES (2, 4); INSERT INTO \"Person\" (email) VALUES ('e@x') ON CONFLICT (email) DO UPDATE SET email = 'e2@x'; INSERT INTO \"Person\" (email) VALUES ('e@x') ON CONFLICT (email) DO UPDATE SET email = 'e2@x';",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || email, ',' ORDER BY id) || ';' || (SELECT string_agg(id || '>' || \"authorId\", ',' ORDER BY id) FROM \"Post\") FROM \"User\"",
            "1=a@x,2=b2@x,3=c@x,4=d@x,5=e2@x;1>1,2>4",
        ),
        guarded: false,
    },
    Case {
        // Undeclared: the same Prisma names under a new `@map` and `@@map` are seen as renames.
        name: "map_changed",
        old: "model Account {\n  id     Int    @id\n  userId String\n}\n",
        new: "model Account {\n  id     Int    @id\n  userId String @map(\"user_id\")\n\n  @@map(\"accounts\")\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Account\" (id, \"userId\") VALUES (1, 'a'), (2, 'b'), (5, 'untouched');",
        // Old code through the view under the old names; new code on the table, new column.
        mixed: "INSERT INTO \"Account\" (id, \"userId\") VALUES (3, 'c'); INSERT INTO accounts (id, user_id) VALUES (4, 'd'); UPDATE \"Account\" SET \"userId\" = 'b2' WHERE id = 2; UPDATE accounts SET user_id = 'a2' WHERE id = 1;",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || user_id, ',' ORDER BY id) FROM accounts",
            "1=a2,2=b2,3=c,4=d,5=untouched",
        ),
        guarded: true,
    },
    Case {
        name: "moved_table",
        old: "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n  schemas  = [\"public\", \"billing\"]\n}\n\nmodel Customer {\n  id       Int       @id @default(autoincrement())\n  email    String    @unique\n  invoices Invoice[]\n\n  @@schema(\"public\")\n}\n\nmodel Invoice {\n  id         Int      @id\n  customerId Int\n  customer   Customer @relation(fields: [customerId], references: [id])\n\n  @@index([customerId])\n  @@schema(\"public\")\n}\n",
        new: "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n  schemas  = [\"public\", \"billing\"]\n}\n\nmodel Customer {\n  id       Int       @id @default(autoincrement())\n  email    String    @unique\n  invoices Invoice[]\n\n  @@schema(\"public\")\n}\n\nmodel Invoice {\n  id         Int      @id\n  customerId Int\n  customer   Customer @relation(fields: [customerId], references: [id])\n\n  @@index([customerId])\n  @@schema(\"billing\")\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Customer\" (email) VALUES ('a@x'); INSERT INTO \"Invoice\" (id, \"customerId\") VALUES (1, 1);",
        // Old code still names public."Invoice" (the view); new code billing."Invoice".
        mixed: "INSERT INTO public.\"Invoice\" (id, \"customerId\") VALUES (2, 1); INSERT INTO billing.\"Invoice\" (id, \"customerId\") VALUES (3, 1); UPDATE public.\"Invoice\" SET \"customerId\" = 1 WHERE id = 3;",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '>' || \"customerId\", ',' ORDER BY id) FROM billing.\"Invoice\"",
            "1>1,2>1,3>1",
        ),
        guarded: false,
    },
    Case {
        name: "type_change",
        old: "model Counter {\n  id    Int @id\n  total Int\n}\n",
        new: "model Counter {\n  id    Int    @id\n  total BigInt\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Counter\" (id, total) VALUES (1, 41);",
        mixed: "INSERT INTO \"Counter\" (id, total) VALUES (2, 7);",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || total || ':' || pg_typeof(total), ',' ORDER BY id) FROM \"Counter\"",
            "1=41:bigint,2=7:bigint",
        ),
        guarded: true,
    },
    Case {
        // No cast from a timestamp to a number: the conversion is the user's, in the backfill.
        name: "type_change_without_cast",
        old: "model Event {\n  id        Int      @id\n  startTime DateTime\n}\n",
        new: "model Event {\n  id        Int    @id\n  startTime BigInt\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Event\" (id, \"startTime\") VALUES (1, '2024-03-19 12:00:00'), (2, '2024-03-19 12:00:01');",
        // Old code writes the old column only; new code writes both, converted itself.
        mixed: "INSERT INTO \"Event\" (id, \"startTime\") VALUES (3, '2024-03-19 12:00:02'); INSERT INTO \"Event\" (id, \"startTime\", \"startTime_xc_new\") VALUES (4, '2024-03-19 12:00:03', 1710849603);",
        fill_in: &[
            (
                "FILL_IN_Event_startTime_xc_new",
                "EXTRACT(EPOCH FROM \"startTime\")::bigint",
            ),
            (
                "FILL_IN_Event_startTime_back",
                "to_timestamp(\"startTime_xc_new\") AT TIME ZONE 'UTC'",
            ),
        ],
        check: (
            "SELECT string_agg(id || '=' || \"startTime\" || ':' || pg_typeof(\"startTime\"), ',' ORDER BY id) FROM \"Event\"",
            "1=1710849600:bigint,2=1710849601:bigint,3=1710849602:bigint,4=1710849603:bigint",
        ),
        guarded: true,
    },
    Case {
        // The copy's indexes are built beside the old column's, and renamed after the swap;
        // one of them has another column, which MySQL would keep as what is left of it.
        name: "type_change_indexed",
        old: "model Website {\n  id      Int     @id\n  shareId String? @unique @map(\"share_id\") @db.VarChar(64)\n\n  @@index([shareId])\n  @@index([id, shareId])\n}\n",
        new: "model Website {\n  id      Int     @id\n  shareId String? @unique @map(\"share_id\") @db.VarChar(50)\n\n  @@index([shareId])\n  @@index([id, shareId])\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Website\" (id, share_id) VALUES (1, 'a'), (2, NULL);",
        mixed: "INSERT INTO \"Website\" (id, share_id) VALUES (3, 'c'); INSERT INTO \"Website\" (id, share_id_xc_new) VALUES (4, 'd');",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || coalesce(share_id, '-'), ',' ORDER BY id) FROM \"Website\"",
            "1=a,2=-,3=c,4=d",
        ),
        guarded: true,
    },
    Case {
        name: "primary_key_change",
        old: "model Membership {\n  id     Int @id @default(autoincrement())\n  userId Int\n  teamId Int\n}\n",
        new: "model Membership {\n  userId Int\n  teamId Int\n\n  @@id([userId, teamId])\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Membership\" (\"userId\", \"teamId\") VALUES (1, 1), (1, 2), (2, 1);",
        // Old code inserts without the new key's columns mattering; new code without `id`.
        mixed: "INSERT INTO \"Membership\" (\"userId\", \"teamId\") VALUES (3, 1); INSERT INTO \"Membership\" (\"userId\", \"teamId\") VALUES (3, 2);",
        fill_in: &[],
        check: (
            "SELECT string_agg(\"userId\" || '/' || \"teamId\", ',' ORDER BY \"userId\", \"teamId\") || ' ' || (SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '\"Membership\"'::regclass AND i.indisprimary) FROM \"Membership\"",
            "1/1,1/2,2/1,3/1,3/2 userId,teamId",
        ),
        guarded: false,
    },
    Case {
        // Two renamed columns of one table whose new names share a long prefix: the names
        // prisma-xc derives from them (sync triggers, NOT NULL checks) must stay two names when
        // a long table name makes the database cut them.
        name: "two_renamed_fields",
        old: "model Account {\n  id      Int     @id\n  primary String\n  backup  String?\n}\n",
        new: "model Account {\n  id                                  Int     @id\n  display_name_of_the_account_primary String  // prisma-xc: renamed from primary\n  display_name_of_the_account_backup  String? // prisma-xc: renamed from backup\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Account\" (id, \"primary\", backup) VALUES (1, 'p1', 'b1'), (2, 'p2', NULL);",
        mixed: "INSERT INTO \"Account\" (id, \"primary\", backup) VALUES (3, 'p3', 'b3'); INSERT INTO \"Account\" (id, display_name_of_the_account_primary, display_name_of_the_account_backup) VALUES (4, 'p4', 'b4'); UPDATE \"Account\" SET backup = 'b2' WHERE id = 2;",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || display_name_of_the_account_primary || '/' || coalesce(display_name_of_the_account_backup, '-'), ',' ORDER BY id) FROM \"Account\"",
            "1=p1/b1,2=p2/b2,3=p3/b3,4=p4/b4",
        ),
        guarded: true,
    },
    Case {
        // `json` has no `=`: the sync trigger and the backfill compare its text.
        name: "json_renamed_field",
        old: "model Doc {\n  id   Int  @id\n  meta Json @db.Json\n}\n",
        new: "model Doc {\n  id   Int  @id\n  data Json @db.Json // prisma-xc: renamed from meta\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Doc\" (id, meta) VALUES (1, '{\"a\": 1}'), (3, 'null');",
        mixed: "UPDATE \"Doc\" SET meta = '{\"a\": 2}' WHERE id = 1; INSERT INTO \"Doc\" (id, meta) VALUES (2, '[]'); INSERT INTO \"Doc\" (id, meta, data) VALUES (4, '[4]', '[4]');",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || data::text, ',' ORDER BY id) FROM \"Doc\"",
            "1={\"a\": 2},2=[],3=null,4=[4]",
        ),
        guarded: true,
    },
    Case {
        // One enum value renamed and another removed: one column, two moves in one backfill.
        name: "enum_value_renamed_and_removed",
        old: "enum Tier {\n  FREE\n  PRO\n  LEGACY\n}\n\nmodel Plan {\n  id   Int  @id\n  tier Tier\n}\n",
        new: "enum Tier {\n  BASIC\n  PRO\n}\n\nmodel Plan {\n  id   Int  @id\n  tier Tier\n}\n",
        flags: &["--rename", "Tier.FREE=BASIC"],
        seed: "INSERT INTO \"Plan\" (id, tier) VALUES (1, 'FREE'), (2, 'PRO'), (3, 'LEGACY');",
        mixed: "INSERT INTO \"Plan\" (id, tier) VALUES (4, 'FREE'), (5, 'LEGACY'), (6, 'BASIC');",
        fill_in: &[("FILL_IN_Plan_tier_2", "'PRO'")],
        check: (
            "SELECT string_agg(id || '=' || tier, ',' ORDER BY id) FROM \"Plan\"",
            "1=BASIC,2=PRO,3=PRO,4=BASIC,5=PRO,6=BASIC",
        ),
        guarded: true,
    },
    Case {
        // Only the foreign key's actions change: it is dropped and added again NOT VALID in one
        // migration, so no write goes unchecked, and validated after.
        name: "foreign_key_actions",
        old: "model Team {\n  id      Int      @id\n  members Member[]\n}\n\nmodel Member {\n  id     Int  @id\n  teamId Int\n  team   Team @relation(fields: [teamId], references: [id])\n}\n",
        new: "model Team {\n  id      Int      @id\n  members Member[]\n}\n\nmodel Member {\n  id     Int  @id\n  teamId Int\n  team   Team @relation(fields: [teamId], references: [id], onDelete: Cascade)\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Team\" (id) VALUES (1), (2); INSERT INTO \"Member\" (id, \"teamId\") VALUES (1, 1), (2, 2);",
        mixed: "INSERT INTO \"Member\" (id, \"teamId\") VALUES (3, 1);",
        fill_in: &[],
        check: (
            "DELETE FROM \"Team\" WHERE id = 1; SELECT string_agg(id || '>' || \"teamId\", ',' ORDER BY id) FROM \"Member\"",
            "2>2",
        ),
        guarded: false,
    },
    Case {
        // Old clients fail reading a value they do not know: the new version writes it only
        // once no old instance is left.
        name: "enum_value_added",
        old: "enum Tier {\n  FREE\n  PRO\n}\n\nmodel Subscription {\n  id   Int  @id\n  tier Tier\n}\n",
        new: "enum Tier {\n  FREE\n  PRO\n  TEAM\n}\n\nmodel Subscription {\n  id   Int  @id\n  tier Tier\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Subscription\" (id, tier) VALUES (1, 'FREE'), (2, 'PRO');",
        mixed: "INSERT INTO \"Subscription\" (id, tier) VALUES (3, 'TEAM');",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || tier, ',' ORDER BY id) FROM \"Subscription\"",
            "1=FREE,2=PRO,3=TEAM",
        ),
        guarded: false,
    },
];

pub fn mysql_schema(body: &str) -> String {
    format!(
        "datasource db {{\n  provider = \"mysql\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n{body}"
    )
}

pub fn sqlite_schema(body: &str) -> String {
    format!(
        "datasource db {{\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n{body}"
    )
}

/// The recipes SQLite has (no enums, no concurrent builds), with its own checks.
pub const SQLITE_CASES: &[Case] = &[
    Case {
        name: "sqlite_renamed_field",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || username AS x FROM \"User\" ORDER BY id)",
            "1=ada2,2=grace2,3=linus,4=ken,5=untouched",
        ),
        ..CASES[0]
    },
    Case {
        name: "sqlite_new_required_field",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || email AS x FROM \"Person\" ORDER BY id)",
            "1=ada@example.com,2=grace@example.com,3=old@example.com,4=new@x.org",
        ),
        ..CASES[1]
    },
    Case {
        name: "sqlite_optional_to_required",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || plan AS x FROM \"Account\" ORDER BY id)",
            "1=free,2=pro,3=free",
        ),
        ..CASES[2]
    },
    Case {
        name: "sqlite_dropped_field",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || title AS x FROM \"Item\" ORDER BY id)",
            "1=one,2=two",
        ),
        ..CASES[3]
    },
    Case {
        name: "sqlite_index_unique_foreign_key",
        check: (
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('Member_email_key', 'Member_teamId_idx')",
            "2",
        ),
        ..CASES[4]
    },
    Case {
        name: "sqlite_dropped_model",
        check: (
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'Book'",
            "0",
        ),
        ..CASES[8]
    },
    Case {
        // Prisma keeps SQLite enums in TEXT columns: only the rows move.
        name: "sqlite_enum_value_renamed",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || status AS x FROM \"Login\" ORDER BY id)",
            "1=ENABLED,2=BLOCKED,3=ENABLED,4=ENABLED",
        ),
        ..CASES[5]
    },
    Case {
        name: "sqlite_enum_value_removed",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || size AS x FROM \"Shirt\" ORDER BY id)",
            "1=M,2=S,3=M",
        ),
        ..CASES[7]
    },
    Case {
        // No view can stand in on SQLite: the tables are copied and kept in sync both ways.
        name: "sqlite_renamed_model",
        mixed: "INSERT INTO \"Person\" (email) VALUES ('c@x'); UPDATE \"Person\" SET email = 'b2@x' WHERE id = 2; INSERT INTO \"User\" (email) VALUES ('d@x'); INSERT INTO \"Post\" (id, \"authorId\") VALUES (2, 4); INSERT INTO \"Person\" (email) VALUES ('e@x') ON CONFLICT (email) DO UPDATE SET email = 'e2@x'; INSERT INTO \"Person\" (email) VALUES ('e@x') ON CONFLICT (email) DO UPDATE SET email = 'e2@x'; DELETE FROM \"User\" WHERE email = 'gone@x';",
        check: (
            "SELECT (SELECT group_concat(x, ',') FROM (SELECT id || '=' || email AS x FROM \"User\" ORDER BY id)) || ';' || (SELECT group_concat(y, ',') FROM (SELECT id || '>' || \"authorId\" AS y FROM \"Post\" ORDER BY id))",
            "1=a@x,2=b2@x,3=c@x,4=d@x,5=e2@x;1>1,2>4",
        ),
        ..CASES[9]
    },
    Case {
        name: "sqlite_type_change",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || total || ':' || typeof(total) AS x FROM \"Counter\" ORDER BY id)",
            "1=41:integer,2=7:integer",
        ),
        ..CASES[12]
    },
    Case {
        name: "sqlite_primary_key_change",
        check: (
            "SELECT (SELECT group_concat(x, ',') FROM (SELECT \"userId\" || '/' || \"teamId\" AS x FROM \"Membership\" ORDER BY 1)) || ' ' || (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('Membership') WHERE pk > 0 ORDER BY pk))",
            "1/1,1/2,2/1,3/1,3/2 userId,teamId",
        ),
        ..CASES[15]
    },
    Case {
        name: "sqlite_two_renamed_fields",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || display_name_of_the_account_primary || '/' || coalesce(display_name_of_the_account_backup, '-') AS x FROM \"Account\" ORDER BY id)",
            "1=p1/b1,2=p2/b2,3=p3/b3,4=p4/b4",
        ),
        ..CASES[16]
    },
    Case {
        name: "sqlite_enum_value_added",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || tier AS x FROM \"Subscription\" ORDER BY id)",
            "1=FREE,2=PRO,3=TEAM",
        ),
        ..CASES[20]
    },
    Case {
        name: "sqlite_enum_value_renamed_and_removed",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || tier AS x FROM \"Plan\" ORDER BY id)",
            "1=BASIC,2=PRO,3=PRO,4=BASIC,5=PRO,6=BASIC",
        ),
        ..CASES[18]
    },
];

/// The catalog on MariaDB (Prisma's `mysql` provider): the statements run in ANSI mode (`"`
/// quotes names, `||` joins text), the checks use `GROUP_CONCAT`. Not here: a renamed enum
/// type and a table moved to another schema (MySQL has neither), and a renamed table, which
/// prisma-xc refuses to phase on MySQL (`tests/plan_mysql.rs` checks that it says so): no
/// view can stand in for it and no trigger can keep two tables equal both ways there.
pub const MYSQL_CASES: &[Case] = &[
    Case {
        name: "mysql_renamed_field",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || username ORDER BY id SEPARATOR ',') FROM \"User\"",
            "1=ada2,2=grace2,3=linus,4=ken,5=untouched",
        ),
        ..CASES[0]
    },
    Case {
        name: "mysql_new_required_field",
        fill_in: &[(
            "FILL_IN_Person_email",
            "CONCAT(LOWER(`name`), '@example.com')",
        )],
        check: (
            "SELECT GROUP_CONCAT(id || '=' || email ORDER BY id SEPARATOR ',') FROM \"Person\"",
            "1=ada@example.com,2=grace@example.com,3=old@example.com,4=new@x.org",
        ),
        ..CASES[1]
    },
    Case {
        name: "mysql_optional_to_required",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || plan ORDER BY id SEPARATOR ',') FROM \"Account\"",
            "1=free,2=pro,3=free",
        ),
        ..CASES[2]
    },
    Case {
        name: "mysql_dropped_field",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || title ORDER BY id SEPARATOR ',') FROM \"Item\"",
            "1=one,2=two",
        ),
        ..CASES[3]
    },
    Case {
        name: "mysql_index_unique_foreign_key",
        check: (
            "SELECT COUNT(DISTINCT index_name) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name IN ('Member_email_key', 'Member_teamId_idx')",
            "2",
        ),
        ..CASES[4]
    },
    Case {
        name: "mysql_enum_value_renamed",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || status ORDER BY id SEPARATOR ',') FROM \"Login\"",
            "1=ENABLED,2=BLOCKED,3=ENABLED,4=ENABLED",
        ),
        ..CASES[5]
    },
    Case {
        name: "mysql_enum_value_removed",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || size ORDER BY id SEPARATOR ',') FROM \"Shirt\"",
            "1=M,2=S,3=M",
        ),
        ..CASES[7]
    },
    Case {
        name: "mysql_dropped_model",
        check: (
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'Book'",
            "0",
        ),
        ..CASES[8]
    },
    Case {
        name: "mysql_type_change",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || total ORDER BY id SEPARATOR ',') || ' ' || (SELECT column_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'Counter' AND column_name = 'total') FROM \"Counter\"",
            "1=41,2=7 bigint(20)",
        ),
        ..CASES[12]
    },
    Case {
        name: "mysql_type_change_without_cast",
        fill_in: &[
            (
                "FILL_IN_Event_startTime_xc_new",
                "UNIX_TIMESTAMP(CONVERT_TZ(`startTime`, '+00:00', @@session.time_zone))",
            ),
            (
                "FILL_IN_Event_startTime_back",
                "CONVERT_TZ(FROM_UNIXTIME(`startTime_xc_new`), @@session.time_zone, '+00:00')",
            ),
        ],
        check: (
            "SELECT GROUP_CONCAT(id || '=' || \"startTime\" ORDER BY id SEPARATOR ',') FROM \"Event\"",
            "1=1710849600,2=1710849601,3=1710849602,4=1710849603",
        ),
        ..CASES[13]
    },
    Case {
        name: "mysql_type_change_indexed",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || COALESCE(share_id, '-') ORDER BY id SEPARATOR ',') FROM \"Website\"",
            "1=a,2=-,3=c,4=d",
        ),
        ..CASES[14]
    },
    Case {
        name: "mysql_primary_key_change",
        check: (
            "SELECT GROUP_CONCAT(\"userId\" || '/' || \"teamId\" ORDER BY \"userId\", \"teamId\" SEPARATOR ',') || ' ' || (SELECT GROUP_CONCAT(column_name ORDER BY seq_in_index SEPARATOR ',') FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'Membership' AND index_name = 'PRIMARY') FROM \"Membership\"",
            "1/1,1/2,2/1,3/1,3/2 userId,teamId",
        ),
        ..CASES[15]
    },
    Case {
        name: "mysql_two_renamed_fields",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || display_name_of_the_account_primary || '/' || COALESCE(display_name_of_the_account_backup, '-') ORDER BY id SEPARATOR ',') FROM \"Account\"",
            "1=p1/b1,2=p2/b2,3=p3/b3,4=p4/b4",
        ),
        ..CASES[16]
    },
    Case {
        name: "mysql_json_renamed_field",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || data ORDER BY id SEPARATOR ',') FROM \"Doc\"",
            "1={\"a\": 2},2=[],3=null,4=[4]",
        ),
        ..CASES[17]
    },
    Case {
        name: "mysql_enum_value_renamed_and_removed",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || tier ORDER BY id SEPARATOR ',') FROM \"Plan\"",
            "1=BASIC,2=PRO,3=PRO,4=BASIC,5=PRO,6=BASIC",
        ),
        ..CASES[18]
    },
    Case {
        name: "mysql_foreign_key_actions",
        check: (
            "DELETE FROM \"Team\" WHERE id = 1; SELECT GROUP_CONCAT(id || '>' || \"teamId\" ORDER BY id SEPARATOR ',') FROM \"Member\"",
            "2>2",
        ),
        ..CASES[19]
    },
    Case {
        name: "mysql_enum_value_added",
        check: (
            "SELECT GROUP_CONCAT(id || '=' || tier ORDER BY id SEPARATOR ',') FROM \"Subscription\"",
            "1=FREE,2=PRO,3=TEAM",
        ),
        ..CASES[20]
    },
];

/// The database a case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    Sqlite,
    /// MariaDB through Prisma's `mysql` provider.
    MariaDb,
}

impl Engine {
    /// SQLite when `sqlite`, else PostgreSQL.
    pub fn sqlite_if(sqlite: bool) -> Engine {
        if sqlite {
            Engine::Sqlite
        } else {
            Engine::Postgres
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Postgres => "PostgreSQL",
            Engine::Sqlite => "SQLite",
            Engine::MariaDb => "MariaDB",
        }
    }
}

/// One case's work folder (`old.prisma`, `new.prisma`, `prisma/`) and database.
pub struct Env {
    pub harness: PathBuf,
    pub db: String,
    pub url: String,
    pub dir: PathBuf,
    /// The database file, on SQLite.
    pub sqlite: Option<PathBuf>,
    pub kind: Engine,
}

impl Env {
    /// A fresh work folder and database (PostgreSQL `xc_plan_<name>`, or a SQLite file) with
    /// the old schema deployed as Prisma builds it, and the new schema beside it.
    pub fn with_old_deployed(
        harness: &Path,
        name: &str,
        kind: Engine,
        old: &str,
        new: &str,
    ) -> Result<Env, String> {
        let dir = std::env::temp_dir().join(format!(
            "prisma-xc-plan-{}-{name}-{kind:?}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("prisma")).unwrap();
        let db = format!("xc_plan_{name}");
        let (url, file, schema): (String, Option<PathBuf>, fn(&str) -> String) = match kind {
            Engine::Sqlite => {
                let file = dir.join("dev.db");
                (
                    format!("file:{}", file.display()),
                    Some(file),
                    sqlite_schema,
                )
            }
            Engine::Postgres => (super::fresh_database(harness, &db)?, None, schema),
            Engine::MariaDb => (super::fresh_mariadb(harness, &db)?, None, mysql_schema),
        };
        std::fs::write(dir.join("old.prisma"), schema(old)).unwrap();
        std::fs::write(dir.join("new.prisma"), schema(new)).unwrap();
        std::fs::write(dir.join("prisma/schema.prisma"), schema(old)).unwrap();
        let env = Env {
            harness: harness.to_path_buf(),
            db,
            url,
            dir,
            sqlite: file,
            kind,
        };
        env.xc(super::INITIAL_MIGRATION)?;
        env.deploy().map_err(|e| format!("deploy old: {e}"))?;
        Ok(env)
    }

    pub fn prisma(&self, args: &[&str], schema: &Path) -> std::process::Output {
        Command::new(&self.harness)
            .arg("prisma")
            .args(args)
            .env("DATABASE_URL", &self.url)
            .env("XC_SCHEMA", schema)
            .current_dir(&self.dir)
            .output()
            .expect("run the harness")
    }

    pub fn deploy(&self) -> Result<(), String> {
        let out = match self.kind {
            Engine::MariaDb => self.my_deploy(&self.url, "prisma/migrations"),
            _ => self.prisma(
                &["migrate", "deploy"],
                &self.dir.join("prisma/schema.prisma"),
            ),
        };
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// `deploy` while the application runs. A phase migration whose tables stay busy past its
    /// lock_timeout applies nothing and fails no query of the application: PLAN.md's
    /// recovery is `migrate resolve --rolled-back` and deploy again, which this does (at most
    /// three attempts). A deadlock is a failure: the migrations lock their tables together so
    /// that there is none.
    pub fn deploy_under_traffic(&self) -> Result<(), String> {
        let schema = self.dir.join("prisma/schema.prisma");
        for attempt in 1..=3 {
            let out = match self.kind {
                Engine::MariaDb => self.my_deploy(&self.url, "prisma/migrations"),
                _ => self.prisma(&["migrate", "deploy"], &schema),
            };
            if out.status.success() {
                return Ok(());
            }
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let lost_a_lock = text.contains("lock timeout") || text.contains("Lock wait timeout");
            let folder = text
                .split("migration_name=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next());
            match folder {
                Some(folder) if lost_a_lock && attempt < 3 => {
                    eprintln!(
                        "{folder} lost a lock to traffic (attempt {attempt}): rolled back and deployed again, as PLAN.md says"
                    );
                    let resolved = match self.kind {
                        // What `migrate resolve --rolled-back` records (MySQL has no engine here).
                        Engine::MariaDb => Command::new(&self.harness)
                            .args(["mysql", &self.db, "-e"])
                            .arg(format!("UPDATE _prisma_migrations SET rolled_back_at = NOW(3) WHERE migration_name = '{folder}' AND finished_at IS NULL"))
                            .output()
                            .expect("run the harness"),
                        _ => self.prisma(&["migrate", "resolve", "--rolled-back", folder], &schema),
                    };
                    if !resolved.status.success() {
                        return Err(format!(
                            "{text}\nmigrate resolve --rolled-back {folder}: {}",
                            String::from_utf8_lossy(&resolved.stderr)
                        ));
                    }
                }
                _ => return Err(text),
            }
        }
        unreachable!("the last attempt returns")
    }

    /// `migrate deploy` of `migrations` on MySQL as the native engine does it (the
    /// WebAssembly engine has no MySQL connector): see `tests/harness/mysql-deploy.cjs`.
    fn my_deploy(&self, url: &str, migrations: &str) -> std::process::Output {
        Command::new(&self.harness)
            .args(["my-deploy", url, migrations])
            .current_dir(&self.dir)
            .output()
            .expect("run the harness")
    }

    /// MySQL's stand-in for Prisma's drift checks: a database `<db>_<suffix>` built from
    /// `migrations` (a folder), or from prisma-xc's own from-empty migration of a schema,
    /// described from `information_schema` (tables, columns, indexes, foreign keys).
    fn my_build(&self, suffix: &str, from: MyBuild) -> Result<String, String> {
        let name = format!("{}_{suffix}", self.db);
        let url = super::fresh_mariadb(&self.harness, &name)?;
        let migrations = match from {
            MyBuild::Migrations(folder) => folder.to_string(),
            MyBuild::Schema(schema) => {
                let folder = format!("xc-{suffix}-migrations");
                let _ = std::fs::remove_dir_all(self.dir.join(&folder));
                self.xc(&[
                    "diff",
                    "--from-empty",
                    &schema.display().to_string(),
                    "--direct",
                    "--out",
                    &folder,
                    "--name",
                    "all",
                    "--timestamp",
                    "20000101000000",
                ])?;
                folder
            }
        };
        let out = self.my_deploy(&url, &migrations);
        if !out.status.success() {
            return Err(format!(
                "building {name} from {migrations}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        self.my_describe(&name)
    }

    fn my_describe(&self, db: &str) -> Result<String, String> {
        let out = Command::new(&self.harness)
            .args(["my-describe", db])
            .output()
            .expect("run the harness");
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        // The sentinel table of hostile runs is not the application's: not compared.
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.split('\t').nth(1) != Some("sentinel"))
            .map(|l| format!("{l}\n"))
            .collect())
    }

    /// Two descriptions, equal or the lines that differ.
    fn my_same(what: &str, got: &str, expected: &str) -> Result<(), String> {
        if got == expected {
            return Ok(());
        }
        let missing: Vec<&str> = (expected.lines()).filter(|l| !got.contains(l)).collect();
        let extra: Vec<&str> = (got.lines()).filter(|l| !expected.contains(l)).collect();
        Err(format!(
            "{what}:\n  missing: {missing:#?}\n  not expected: {extra:#?}"
        ))
    }

    /// Prisma's drift check between the migrations folder and a schema.
    /// Where Prisma drifts even against its own SQL (corpus README: `text_pattern_ops`), the
    /// bar is that baseline: the same drift as from Prisma's own from-empty migration.
    pub fn migrations_match(&self, schema: &Path) -> Result<(), String> {
        if self.kind == Engine::MariaDb {
            let (got, expected) = (
                self.my_build("m", MyBuild::Migrations("prisma/migrations"))?,
                self.my_build("s", MyBuild::Schema(schema))?,
            );
            return Self::my_same(
                &format!("migrations differ from {}", schema.display()),
                &got,
                &expected,
            );
        }
        let drift = |migrations: &str| {
            self.prisma(
                &[
                    "migrate",
                    "diff",
                    "--from-migrations",
                    migrations,
                    "--to-schema-datamodel",
                    &schema.display().to_string(),
                    "--script",
                    "--exit-code",
                ],
                schema,
            )
        };
        let out = drift("prisma/migrations");
        let baseline = || {
            let own = self.prisma(
                &[
                    "migrate",
                    "diff",
                    "--from-empty",
                    "--to-schema-datamodel",
                    &schema.display().to_string(),
                    "--script",
                ],
                schema,
            );
            let folder = self.dir.join("prisma-baseline/0_own");
            let _ = std::fs::remove_dir_all(self.dir.join("prisma-baseline"));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join("migration.sql"), own.stdout).unwrap();
            std::fs::copy(
                self.dir.join("prisma/migrations/migration_lock.toml"),
                self.dir.join("prisma-baseline/migration_lock.toml"),
            )
            .ok();
            let base = drift("prisma-baseline");
            let _ = std::fs::remove_dir_all(self.dir.join("prisma-baseline"));
            base
        };
        match out.status.code() {
            Some(0) => Ok(()),
            Some(2) if baseline().stdout == out.stdout => Ok(()),
            _ => Err(format!(
                "migrations differ from {}:\n{}{}",
                schema.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }

    /// The live database against a schema: Prisma introspects it, then diffs the two schemas.
    pub fn database_matches(&self, schema: &Path) -> Result<(), String> {
        if self.kind == Engine::MariaDb {
            let (got, expected) = (
                self.my_describe(&self.db)?,
                self.my_build("s", MyBuild::Schema(schema))?,
            );
            return Self::my_same(
                &format!("the database differs from {}", schema.display()),
                &got,
                &expected,
            );
        }
        let out = self.pulled_against(schema, schema);
        // Re-introspection keeps the schema's names but orders fields by column, and Prisma
        // rejects its own output when a field mapped to another field's name lands above it
        // (an expand of a changed `@map`). Introspected afresh, every name is the column's.
        let out = if String::from_utf8_lossy(&out.stderr).contains("P1012") {
            let bare = self.dir.join("datasource-only.prisma");
            let text = std::fs::read_to_string(schema).unwrap();
            let datasource = &text[text.find("datasource").unwrap()..];
            std::fs::write(&bare, &datasource[..=datasource.find('}').unwrap()]).unwrap();
            self.pulled_against(&bare, schema)
        } else {
            out
        };
        match out.status.code() {
            Some(0) => Ok(()),
            _ => Err(format!(
                "the database differs from {}:\n{}{}",
                schema.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }

    /// Introspects the database with `names_from` as the schema to keep names from, and diffs
    /// the result against `schema`.
    pub fn pulled_against(&self, names_from: &Path, schema: &Path) -> std::process::Output {
        let pulled = Command::new(&self.harness)
            .arg("db-schema")
            .env("DATABASE_URL", &self.url)
            .env("XC_SCHEMA", names_from)
            .current_dir(&self.dir)
            .output()
            .expect("run the harness");
        let pulled_path = self.dir.join("pulled.prisma");
        // The sentinel table of hostile runs is not the application's: not compared.
        let text = String::from_utf8_lossy(&pulled.stdout);
        let text = match text.find("model sentinel {") {
            Some(start) => {
                let end = start
                    + text[start..]
                        .find("\n}")
                        .map_or(text.len() - start, |e| e + 2);
                format!("{}{}", &text[..start], &text[end..])
            }
            None => text.into_owned(),
        };
        std::fs::write(&pulled_path, text).unwrap();
        self.prisma(
            &[
                "migrate",
                "diff",
                "--from-schema-datamodel",
                "pulled.prisma",
                "--to-schema-datamodel",
                &schema.display().to_string(),
                "--script",
                "--exit-code",
            ],
            schema,
        )
    }

    /// psql, or the sqlite3 shell on SQLite, or the mariadb client (`-c SQL` or `-f FILE`
    /// either way). On MariaDB `-c` statements run in ANSI mode (the catalog's statements quote
    /// names with `"` and join text with `||`); files run as the plan wrote them.
    pub fn psql(&self, args: &[&str]) -> Result<String, String> {
        let out = match &self.sqlite {
            None if self.kind == Engine::MariaDb => {
                let mut cmd = Command::new(&self.harness);
                cmd.args(["mysql", &self.db]);
                match args {
                    ["-c", sql] => cmd.args([
                        "--init-command=SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI')",
                        "-e",
                        sql,
                    ]),
                    ["-f", path] => cmd.stdin(
                        std::fs::File::open(self.dir.join(path)).expect("open the SQL file"),
                    ),
                    _ => panic!("unsupported mariadb arguments {args:?}"),
                };
                cmd.current_dir(&self.dir).output().expect("run mariadb")
            }
            Some(file) => {
                let mut cmd = Command::new("sqlite3");
                // Writers run side by side: wait for the file lock instead of failing.
                cmd.args(["-bail", "-cmd", ".timeout 30000"]).arg(file);
                match args {
                    ["-c", sql] => cmd.arg(sql),
                    ["-f", path] => cmd.arg(format!(".read {path}")),
                    _ => panic!("unsupported sqlite3 arguments {args:?}"),
                };
                cmd.current_dir(&self.dir).output().expect("run sqlite3")
            }
            None => Command::new(&self.harness)
                .args(["psql", &self.db, "-At"])
                .args(args)
                .current_dir(&self.dir)
                .output()
                .expect("run psql"),
        };
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// One migration.sql applied as `migrate deploy` sends it, without recording it.
    pub fn apply_migration(&self, sql: &Path) -> Result<String, String> {
        if self.kind != Engine::MariaDb {
            return self.psql(&["-f", &sql.display().to_string()]);
        }
        let out = Command::new(&self.harness)
            .args(["my-exec", &self.url, &sql.display().to_string()])
            .output()
            .expect("run the harness");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// A Prisma Client generated from the plan's `schema.expand.prisma` (into `plan/generated`)
    /// type-checks the plan's `dual-write.ts` and `backfill.ts` with `tsc --strict`. The plan
    /// must import the client from `../generated/client`.
    pub fn type_check_plan(&self) -> Result<(), String> {
        let run = |cmd: &mut Command| -> Result<(), String> {
            let out = cmd
                .current_dir(&self.dir)
                .output()
                .map_err(|e| e.to_string())?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "{cmd:?}: {}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        };
        run(Command::new(&self.harness).args([
            "generate",
            "plan/schema.expand.prisma",
            "plan/generated",
        ]))?;
        // A plan has these files only where a phase needs them.
        let files: Vec<&str> = [
            "plan/2-dual-write/dual-write.ts",
            "plan/3-backfill/backfill.ts",
        ]
        .into_iter()
        .filter(|f| self.dir.join(f).exists())
        .collect();
        if files.is_empty() {
            return Ok(());
        }
        run(Command::new(&self.harness)
            .args(super::tsc_args("plan"))
            .args(files))
    }

    /// `prisma-xc diff old.prisma new.prisma` into `plan/`, named `name`, with `flags` added.
    pub fn plan(&self, name: &str, flags: &[&str]) -> Result<String, String> {
        let mut args = vec![
            "diff",
            "old.prisma",
            "new.prisma",
            "--name",
            name,
            "--out",
            "plan",
            "--timestamp",
            "20300101000000",
        ];
        args.extend(flags);
        self.xc(&args)
    }

    /// `prisma-xc promote plan PHASE` into `prisma/migrations`, stamped `timestamp`.
    pub fn promote(&self, phase: &str, timestamp: &str) -> Result<String, String> {
        let mut args = vec![
            "promote",
            "plan",
            phase,
            "--migrations",
            "prisma/migrations",
            "--timestamp",
            timestamp,
        ];
        if phase == "contract" {
            args.push("--expand-deployed");
        }
        self.xc(&args)
    }

    pub fn xc(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("run prisma-xc");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "prisma-xc {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

/// What a MariaDB database of [`Env::my_build`] is built from.
enum MyBuild<'a> {
    Migrations(&'a str),
    Schema(&'a Path),
}

/// Writes the user's FILL INs into a plan file's text: each `<placeholder> ... */` comment
/// becomes its SQL expression. The placeholders it filled, once per place.
pub fn fill_in<S: AsRef<str>>(text: &mut String, fill_ins: &[(S, S)]) -> Vec<String> {
    let mut filled = Vec::new();
    for (placeholder, expression) in fill_ins {
        let placeholder = placeholder.as_ref();
        while let Some(start) = text.find(placeholder) {
            let end = text[start..].find("*/").map(|e| start + e + 2).unwrap();
            text.replace_range(start..end, expression.as_ref());
            filled.push(placeholder.to_string());
        }
    }
    filled
}

pub fn run_case(harness: &Path, case: &PlanCase, kind: Engine) -> Result<(), String> {
    let env = Env::with_old_deployed(harness, &case.name, kind, &case.old, &case.new)?;
    let dir = env.dir.clone();
    if case.sentinel {
        env.psql(&[
            "-c",
            "CREATE TABLE sentinel (id INTEGER PRIMARY KEY); INSERT INTO sentinel VALUES (42);",
        ])?;
    }
    env.psql(&["-c", &case.seed])?;

    // The plan.
    let mut flags: Vec<&str> = case.flags.iter().map(String::as_str).collect();
    if case.type_check {
        flags.extend(["--client-import", "../generated/client"]);
    }
    env.plan(&case.name, &flags)?;
    let plan = dir.join("plan");
    let expand_schema = plan.join("schema.expand.prisma");
    if case.type_check {
        env.type_check_plan()?;
    }

    // Phase 1: expand, its way back, and again.
    env.promote("expand", "20300101000001")?;
    env.deploy().map_err(|e| format!("deploy expand: {e}"))?;
    // The live database is compared with the intermediate schema below, after the way back
    // and the expand again: one Prisma introspection less per case.
    env.migrations_match(&expand_schema)?;
    // A plan whose expand changes nothing in the database has no expand folder and no way back.
    if plan.join("1-expand/down.sql").exists() {
        env.psql(&["-f", &plan.join("1-expand/down.sql").display().to_string()])
            .map_err(|e| format!("expand down.sql: {e}"))?;
        env.database_matches(&dir.join("old.prisma"))
            .map_err(|e| format!("after the expand's down.sql: {e}"))?;
    }
    let mut expand_folders: Vec<PathBuf> = std::fs::read_dir(plan.join("1-expand/migrations"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path().join("migration.sql"))
                .collect()
        })
        .unwrap_or_default();
    expand_folders.sort();
    for sql in &expand_folders {
        env.apply_migration(sql)
            .map_err(|e| format!("expand again: {e}"))?;
    }
    env.database_matches(&expand_schema)
        .map_err(|e| format!("after the expand again: {e}"))?;

    // Phase 2: old and new code write side by side.
    env.psql(&["-c", &case.mixed])
        .map_err(|e| format!("mixed writes after the expand: {e}"))?;

    // Phase 4 too early: the guard aborts, changing nothing.
    env.promote("contract", "20300101000002")?;
    if case.guarded {
        if env.deploy().is_ok() {
            return Err("the contract ran before the backfill".into());
        }
        env.database_matches(&expand_schema)
            .map_err(|e| format!("after the aborted contract: {e}"))?;
        // What `prisma migrate resolve --rolled-back` records (it needs the native schema
        // engine, which the harness does not have).
        env.psql(&["-c", "UPDATE _prisma_migrations SET rolled_back_at = CURRENT_TIMESTAMP WHERE finished_at IS NULL AND rolled_back_at IS NULL"])?;
    }

    // Phase 3: backfill.
    // The user's FILL INs: the backfill's, and the contract's way back where it needs one.
    let mut filled = Vec::new();
    for file in ["3-backfill/backfill.sql", "4-contract/down.sql"] {
        // A plan without a backfill or a contract has no such file.
        let Ok(mut text) = std::fs::read_to_string(plan.join(file)) else {
            continue;
        };
        filled.extend(fill_in(&mut text, &case.fill_in));
        assert!(
            !text.contains("<- FILL IN"),
            "{}: unfilled placeholders in {file}",
            case.name
        );
        std::fs::write(dir.join(file.replace('/', "-")), &text).unwrap();
    }
    for (placeholder, _) in &case.fill_in {
        if !filled.contains(placeholder) {
            return Err(format!("no {placeholder} in the plan"));
        }
    }
    if dir.join("3-backfill-backfill.sql").exists() {
        env.psql(&["-f", "3-backfill-backfill.sql"])
            .map_err(|e| format!("backfill: {e}"))?;
    }

    // Phase 4: contract.
    env.deploy().map_err(|e| format!("deploy contract: {e}"))?;
    let new_schema = dir.join("new.prisma");
    // The migrations' drift check; the live database is compared again after the way back.
    env.migrations_match(&new_schema)?;
    let got = env.psql(&["-c", &case.check.0])?;
    if got != case.check.1 {
        return Err(format!(
            "after the contract {} gave {got:?}, expected {:?}",
            case.check.0, case.check.1
        ));
    }

    // The contract's way back, when there is a contract.
    if dir.join("4-contract-down.sql").exists() {
        env.psql(&["-f", "4-contract-down.sql"])
            .map_err(|e| format!("contract down.sql: {e}"))?;
        env.database_matches(&expand_schema)
            .map_err(|e| format!("after the contract's down.sql: {e}"))?;
    }
    if case.sentinel {
        let left = env.psql(&["-c", "SELECT id FROM sentinel"])?;
        if left != "42" {
            return Err(format!("the sentinel table holds {left:?} after the plan"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Two at a time: Prisma's CLI is one Node process per call.
/// `XC_PLAN_CASE=name[,name...]` runs those cases alone (while working on a recipe).
pub fn run_catalog(harness: &Path, cases: &[PlanCase], kind: Engine) {
    let cases = super::chosen(cases, "XC_PLAN_CASE", |c| &c.name);
    if cases.is_empty() {
        return;
    }
    let results: Vec<(&str, Result<(), String>)> =
        super::two_at_a_time(&cases, |c| (c.name.as_str(), run_case(harness, c, kind)));
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(name, r)| r.as_ref().err().map(|e| format!("{name}: {e}")))
        .collect();
    eprintln!(
        "plan catalog on {}: {}/{} recipes pass",
        kind.name(),
        results.len() - failures.len(),
        results.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
