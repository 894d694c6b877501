//! End-to-end suite: the real `shoebox` binary, driven over HTTP and through its command line.

mod albums;
mod auth;
mod browse;
mod cli;
mod conformance;
mod crash;
mod discovery;
mod errors;
mod indexing;
mod places;
mod recognition;
mod reliability;
mod requests;
mod resumable;
mod security;
mod setup;
mod sharing;
mod snapshots;
mod streaming;
mod support;
mod upload;
mod upload_limits;
