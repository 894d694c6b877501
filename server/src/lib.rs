//! Shoebox's HTTP face: the Synology Photos web API, sessions and accounts, the web portal.
//! Media knowledge (the library on disk, the catalogue) lives in the `shoebox-indexer` crate.

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod connections;
pub mod cookies;
pub mod extract;
pub mod index_command;
pub mod inflight;
pub mod login_crypto;
pub mod password;
pub mod protocol;
pub mod proxy;
pub mod services;
pub mod session;
pub mod space_fs;
pub mod spools;
pub mod state;
pub mod throttle;
pub mod web;
pub mod wire;
