//! `sidw import bank FILE`: a camt.053 bank statement read, matched to the exported payment
//! lines and shown; stored unless `--dry-run` (the work is in `sidw::import::bank`).

use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;

use crate::store::{ChangeContext, Store};

pub(super) fn run(store: &Store, file: &Path, dry_run: bool) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("{} kan niet worden gelezen", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let ctx = ChangeContext::local_now();
    let plan = crate::import::bank::plan(store, &ctx, &name, &bytes)?;
    print!("{}", crate::import::bank::render(&plan));
    println!("{}", crate::import::bank::outcome(store, &ctx, &plan, dry_run)?);
    Ok(ExitCode::SUCCESS)
}
