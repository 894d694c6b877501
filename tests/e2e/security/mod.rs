//! Issue 19: each attack of the security audit performed against the real server, asserting it
//! is refused and that nothing changed. docs/security.md states the rules these tests hold.

mod bodies;
mod csrf;
mod files;
mod http;
mod links;
mod login;
