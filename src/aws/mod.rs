//! The edge to AWS: thin clients, one method per API call, with context and retry policy —
//! EventBridge (`eventbridge`), Step Functions (`sfn`) and ECS (`ecs`) — and the EventBridge
//! side of a deploy (`sync`: read the live rules, apply a plan). What to deploy is decided in
//! the pure `deploy` model.

pub mod ecs;
pub mod eventbridge;
pub mod launch;
pub mod sfn;
pub mod sync;
