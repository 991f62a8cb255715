//! Starting a batch by hand, from a comment (`/run Backup`) or a terminal (`cronbridge run`):
//! who may ([`access`]), what a comment asks ([`command`]), what a run sends ([`request`]),
//! the one flow both use over a launcher for Step Functions or ECS ([`flow`]), and the audit
//! record of every request ([`audit`]). Pure; the AWS calls are `aws::sfn` and `aws::ecs`, the
//! renderings `report::manual`.

pub mod access;
pub mod audit;
pub mod command;
pub mod flow;
pub mod request;
