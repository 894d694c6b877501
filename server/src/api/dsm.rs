//! `SYNO.DSM.Info getinfo`: the box the client is talking to. Shoebox is not DSM; it answers in
//! DSM's shape with its own name in `model` so that clients which read these fields (reference
//! §2) find them.

use serde::Serialize;

use super::Call;
use super::error::ApiResult;
use super::reply::Reply;

/// The DSM build Shoebox's protocol corresponds to (DSM 7.2.2).
const DSM_BUILD: &str = "72806";

/// `getinfo`'s answer, in DSM's shape.
#[derive(Serialize)]
struct BoxInfo {
    model: &'static str,
    ram: u64,
    serial: &'static str,
    temperature: i64,
    temperature_warn: bool,
    time: i64,
    uptime: u64,
    version: &'static str,
    version_string: String,
    codepage: &'static str,
    shoebox_version: &'static str,
}

pub async fn getinfo(call: Call) -> ApiResult {
    let ram_mb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let line = m.lines().find(|l| l.starts_with("MemTotal:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb / 1024);
    let uptime = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|u| u.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(|| call.state.started.elapsed().as_secs(), |s| s as u64);
    Ok(Reply::data(BoxInfo {
        model: "Shoebox",
        ram: ram_mb,
        serial: "",
        temperature: 0,
        temperature_warn: false,
        time: shoebox_catalog::now(),
        uptime,
        version: DSM_BUILD,
        version_string: format!(
            "DSM 7.2.2-{DSM_BUILD} (Shoebox {})",
            env!("CARGO_PKG_VERSION")
        ),
        codepage: "enu",
        shoebox_version: env!("CARGO_PKG_VERSION"),
    }))
}
