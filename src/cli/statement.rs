//! `sidw report statement`: the coordinator's statement of a network and quarter
//! (`report::statement`), printed or written as txt, xlsx or pdf.

use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::domain::{Quarter, Scope};
use crate::report::statement::{StatementFormat, statement};
use crate::report::statement_files::{Output, output};

pub(super) fn run(
    path: &Path,
    out_policy: &crate::out_file::OutPolicy,
    network: &str,
    quarter: Quarter,
    format: StatementFormat,
    out: Option<PathBuf>,
    today: Option<&str>,
) -> Result<ExitCode> {
    let today = match super::report_options(None, today) {
        Ok((_, today)) => today,
        Err(message) => return Ok(super::usage_error(&message)),
    };
    let (store, _copy) = super::open_reading(path)?;
    let statement = statement(&store, network, quarter, today, &Scope::All)?;
    match output(&statement, format, out)? {
        Output::Print(text) => print!("{text}"),
        Output::File { name, bytes, said } => {
            out_policy.write(&name, &bytes)?;
            println!("{said}");
        }
    }
    super::done_reading(store)?;
    Ok(ExitCode::SUCCESS)
}
