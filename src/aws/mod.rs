//! Amazon EventBridge sync: desired state from the repository, live state from AWS, the plan
//! between them, and its application. (Being built.)
