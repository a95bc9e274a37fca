//! MySQL's (and MariaDB's) flavour. Phased plans compare values null-safely with `<=>`; the
//! sync triggers, the contract's guard and migrations applied whole are not written for MySQL
//! yet (its DDL commits as it goes), so the planner has the application keep renamed columns
//! in sync and says that the contract has no guard.

use crate::database::ColumnType;
use crate::schema::Provider;

use super::flavour::Flavour;

pub struct MySql;

impl Flavour for MySql {
    fn provider(&self) -> Provider {
        Provider::MySql
    }

    fn distinct(&self, a: &str, b: &str, _ty: &ColumnType) -> String {
        format!("NOT ({a} <=> {b})")
    }
}
