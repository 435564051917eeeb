//! `sidw report statement`: the coordinator's statement of a network and quarter
//! (`report::statement`), printed or written as txt, xlsx or pdf.

use anyhow::Result;
use std::path::PathBuf;

use super::Env;
use crate::domain::Quarter;
use crate::report::statement::{StatementFormat, statement};
use crate::report::statement_files::{Output, output};

pub(super) fn run(
    env: &mut Env,
    network: &str,
    quarter: Quarter,
    format: StatementFormat,
    out: Option<PathBuf>,
    today: Option<&str>,
) -> Result<()> {
    let (_, today) = super::report_options(None, today)?;
    let scope = env.access().scope;
    let (store, _copy) = env.open_reading()?;
    let statement = statement(&store, network, quarter, today, &scope)?;
    match output(&statement, format, out)? {
        Output::Print(text) => write!(env.out, "{text}")?,
        Output::File { name, bytes, said } => {
            let target = env.target(&name)?;
            env.check_target(&target)?;
            env.write_target(&target, &bytes)?;
            // The message names the file as the user reaches it (over ssh: exports/NAME).
            let said = said.replace(&name.display().to_string(), target.shown());
            env.tell(&target, &said)?;
        }
    }
    env.done_reading(store)?;
    Ok(())
}
