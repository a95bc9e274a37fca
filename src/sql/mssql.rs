//! SQL Server's flavour. Phased plans compare values with `IS DISTINCT FROM` (SQL Server 2022);
//! sync triggers, the contract's guard and migrations applied whole are not written for SQL
//! Server yet, so the planner has the application keep renamed columns in sync and says that
//! the contract has no guard.

use crate::database::ColumnType;
use crate::schema::Provider;

use super::flavour::Flavour;

pub struct SqlServer;

impl Flavour for SqlServer {
    fn provider(&self) -> Provider {
        Provider::SqlServer
    }

    fn distinct(&self, a: &str, b: &str, _ty: &ColumnType) -> String {
        format!("{a} IS DISTINCT FROM {b}")
    }
}
