//! The `shoebox` command line: `serve`, and `user` to manage accounts. The `user` commands open
//! the same database as the server, so they work whether it runs or not.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::password;
use shoebox_catalog::users;

/// Shoebox: your photos and videos, served to the Synology Photos apps and your browser.
#[derive(Debug, Parser)]
#[command(name = "shoebox", version, propagate_version = true)]
#[command(after_help = "First run:\n  \
    shoebox user add admin --admin --password-stdin   (type the password, press Enter)\n  \
    shoebox serve                                     (then open http://THIS-HOST:5080)")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every command understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// TOML config file [default: DATA/shoebox.toml if it exists; env SHOEBOX_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data folder: database, keys, caches [default: ./shoebox-data; env SHOEBOX_DATA]
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Index the library once, to completion, and print a summary.
    Index(IndexArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage groups of users (for share invitations).
    #[command(subcommand)]
    Group(GroupCommand),
    /// Switch the Shared Space on or off (as Photos' settings do; the DSM package's install
    /// wizard uses this).
    SharedSpace {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// The process the server runs the recognition models in (docs/recognition.md); it
    /// speaks JSON lines on its standard input and output. Not for people to run.
    #[command(name = "recognition-worker", hide = true)]
    RecognitionWorker(RecognitionWorkerArgs),
    /// How the server starts ffmpeg and ffprobe, so that they die with it (docs/indexer.md
    /// "Programs die with the server"). Not for people to run.
    #[command(name = "child-launcher", hide = true)]
    ChildLauncher(ChildLauncherArgs),
}

#[derive(Debug, Args)]
pub struct ChildLauncherArgs {
    /// The server's process id.
    #[arg(long)]
    pub parent: u32,
    /// The program and its arguments, after `--`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    pub command: Vec<std::ffi::OsString>,
}

/// The arguments before the server's pid that make this binary a [`Command::ChildLauncher`].
pub const CHILD_LAUNCHER: [&str; 2] = ["child-launcher", "--parent"];

#[derive(Debug, Args)]
pub struct RecognitionWorkerArgs {
    /// The models' folder.
    #[arg(long, value_name = "DIR")]
    pub models: PathBuf,
    #[arg(long)]
    pub faces: bool,
    #[arg(long)]
    pub subjects: bool,
    #[arg(long)]
    pub thorough: bool,
}

impl RecognitionWorkerArgs {
    pub fn options(&self) -> shoebox_indexer::recognition::RecognitionOptions {
        shoebox_indexer::recognition::RecognitionOptions {
            faces: self.faces,
            subjects: self.subjects,
            thorough: self.thorough,
            models_dir: self.models.clone(),
            idle: shoebox_indexer::recognition::IDLE,
            worker: None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group.
    Add { name: String },
    /// Put a user in a group.
    Adduser { group: String, user: String },
    /// Take a user out of a group.
    Removeuser { group: String, user: String },
    /// List the groups and their members.
    List,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 0.0.0.0:5080; env SHOEBOX_LISTEN]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    #[command(flatten)]
    pub library: LibraryArgs,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Print the summary as one JSON object on standard output.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub library: LibraryArgs,
}

/// Where the photos are.
#[derive(Debug, Args)]
pub struct LibraryArgs {
    /// Shared Space folder [default: DATA/photo; env SHOEBOX_PHOTO_ROOT]
    #[arg(long, value_name = "DIR")]
    pub photo_root: Option<PathBuf>,
    /// Folder of the users' homes; each Personal Space is HOMES/<user>/Photos
    /// [default: DATA/homes; env SHOEBOX_HOMES_ROOT]
    #[arg(long, value_name = "DIR")]
    pub homes_root: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input.
    Add {
        name: String,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a new password (read from standard input); signs the user out everywhere.
    Passwd {
        name: String,
        /// Read the password from the first line of standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List the accounts.
    List,
    /// Disable an account and end its sessions.
    Disable { name: String },
    /// Enable a disabled account again.
    Enable { name: String },
    /// Limit how much a user may upload into their Personal Space: SIZE like 500M, 20G or
    /// 1.5T (powers of 1024), or `none` to remove the limit.
    Quota { name: String, size: String },
}

impl Cli {
    /// The merged settings for this invocation.
    pub fn config(&self) -> anyhow::Result<Config> {
        let mut flags = Overrides {
            data: self.global.data.clone(),
            ..Overrides::default()
        };
        let library = match &self.command {
            Command::Serve(serve) => {
                flags.listen = serve.listen.clone();
                Some(&serve.library)
            }
            Command::Index(index) => Some(&index.library),
            Command::User(_)
            | Command::Group(_)
            | Command::SharedSpace { .. }
            | Command::RecognitionWorker(_)
            | Command::ChildLauncher(_) => None,
        };
        if let Some(library) = library {
            flags.photo_root = library.photo_root.clone();
            flags.homes_root = library.homes_root.clone();
        }
        Ok(Config::load(self.global.config.as_deref(), flags)?)
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        bail!("no password on standard input: pipe or type it, then press Enter");
    }
    Ok(password.to_owned())
}

/// Runs a `shoebox group …` command.
pub async fn run_group(config: &Config, command: &GroupCommand) -> anyhow::Result<()> {
    use shoebox_catalog::shares;
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("cannot create the data folder {}", config.data.display()))?;
    let db = shoebox_catalog::db::open(&config.database_path()).await?;
    match command {
        GroupCommand::Add { name } => {
            users::check_name(name)?;
            match shares::add_group(&db, name).await? {
                Some(id) => println!("created group {name:?} (id {id})"),
                None => bail!("a group named {name:?} exists already"),
            }
        }
        GroupCommand::Adduser { group, user } | GroupCommand::Removeuser { group, user } => {
            let add = matches!(command, GroupCommand::Adduser { .. });
            if !shares::group_member(&db, group, user, add).await? {
                bail!("no group {group:?} or no user {user:?}");
            }
            if add {
                println!("{user:?} is in {group:?}");
            } else {
                println!("{user:?} is not in {group:?}");
            }
        }
        GroupCommand::List => {
            println!("{:>4}  {:<24} MEMBERS", "ID", "NAME");
            for g in shares::groups(&db).await? {
                let names: Vec<&str> = g.members.iter().map(|(_, n)| n.as_str()).collect();
                println!("{:>4}  {:<24} {}", g.id, g.name, names.join(", "));
            }
        }
    }
    db.close().await;
    Ok(())
}

/// Runs `shoebox shared-space on|off`.
pub async fn run_shared_space(config: &Config, enabled: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("cannot create the data folder {}", config.data.display()))?;
    let db = shoebox_catalog::db::open(&config.database_path()).await?;
    crate::services::settings::set_team_space_enabled(&db, enabled).await?;
    println!("the Shared Space is {}", if enabled { "on" } else { "off" });
    db.close().await;
    Ok(())
}

/// Runs a `shoebox user …` command.
pub async fn run_user(config: &Config, command: &UserCommand) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("cannot create the data folder {}", config.data.display()))?;
    let db = shoebox_catalog::db::open(&config.database_path()).await?;
    match command {
        UserCommand::Add { name, admin, .. } => {
            users::check_name(name)?;
            let hash = password::hash(read_password()?).await?;
            let user = users::create(&db, name, &hash, *admin).await?;
            let role = if user.is_admin {
                "administrator"
            } else {
                "user"
            };
            println!("created {role} {:?} (id {})", user.name, user.id.0);
        }
        UserCommand::Passwd { name, .. } => {
            let hash = password::hash(read_password()?).await?;
            users::set_password(&db, name, &hash).await?;
            println!("password of {name:?} changed; its sessions are ended");
        }
        UserCommand::List => {
            println!(
                "{:>4}  {:<24} {:<6} {:<8}",
                "ID", "NAME", "ADMIN", "ENABLED"
            );
            for u in users::list(&db).await? {
                let yes_no = |b: bool| if b { "yes" } else { "no" };
                println!(
                    "{:>4}  {:<24} {:<6} {:<8}",
                    u.id.0,
                    u.name,
                    yes_no(u.is_admin),
                    yes_no(u.enabled)
                );
            }
        }
        UserCommand::Disable { name } => {
            users::set_enabled(&db, name, false).await?;
            println!("{name:?} is disabled and signed out");
        }
        UserCommand::Enable { name } => {
            users::set_enabled(&db, name, true).await?;
            println!("{name:?} is enabled");
        }
        UserCommand::Quota { name, size } => {
            let bytes = if size.eq_ignore_ascii_case("none") {
                None
            } else {
                Some(users::parse_size(size).with_context(|| {
                    format!("{size:?} is not a size: write it like 500M, 20G or 1.5T, or none")
                })?)
            };
            users::set_quota(&db, name, bytes).await?;
            match bytes {
                Some(b) => println!("{name:?} may keep {b} bytes in their Personal Space"),
                None => println!("{name:?} has no quota"),
            }
        }
    }
    db.close().await;
    Ok(())
}
