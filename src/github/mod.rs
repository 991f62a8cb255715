//! The GitHub side: Actions environment, webhook events, the PR comment and chat commands.
//! (Being built.)
