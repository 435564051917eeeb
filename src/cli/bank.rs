//! `sidw import bank FILE`: a camt.053 bank statement read, matched to the exported payment
//! lines and shown; stored unless `--dry-run` (the work is in `sidw::import::bank`). The file
//! comes from where the environment allows (over ssh: `-` or a name in the user's imports).

use anyhow::Result;
use std::path::Path;

use super::Env;

pub(super) fn run(env: &mut Env, file: &Path, dry_run: bool) -> Result<u8> {
    let ctx = env.context(None)?;
    let (bytes, name) = env.input(file)?;
    let name = Path::new(&name).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(name);
    let store = env.open()?;
    let plan = crate::import::bank::plan(&store, &ctx, &name, &bytes)?;
    write!(env.out, "{}", crate::import::bank::render(&plan))?;
    writeln!(env.out, "{}", crate::import::bank::outcome(&store, &ctx, &plan, dry_run)?)?;
    Ok(0)
}
