//! clap's usage errors in Dutch: the same facts (which option, which value, what was expected, the
//! nearest match), said once, with the usage line and where to find help. Exit code 2.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::io::Write;

/// Writes a parse error (or the help or version it stands for) to `err` (`out`) and returns the
/// exit code.
pub fn report(error: clap::Error, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = out.write_all(dutch_help(&error.render().to_string()).as_bytes());
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.write_all(dutch_help(&error.render().to_string()).as_bytes());
            2
        }
        _ => {
            let _ = err.write_all(message(&error).as_bytes());
            2
        }
    }
}

/// The Dutch text of a usage error: `sidw: …`, the usage, and a pointer to `--help`.
pub fn message(error: &clap::Error) -> String {
    let text = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(list)) => list.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let list = |kind| match error.get(kind) {
        Some(ContextValue::Strings(list)) => list.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let arg = text(ContextKind::InvalidArg);
    let value = text(ContextKind::InvalidValue);
    let mut line = match error.kind() {
        ErrorKind::InvalidValue => {
            let valid = list(ContextKind::ValidValue);
            if value.is_empty() {
                format!("{arg} heeft een waarde nodig")
            } else if valid.is_empty() {
                format!("ongeldige waarde '{value}' voor {arg}")
            } else {
                format!("ongeldige waarde '{value}' voor {arg}; kies uit: {}", valid.join(", "))
            }
        }
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(error).map(|e| dutch_reason(&e.to_string())).unwrap_or_default();
            format!("ongeldige waarde '{value}' voor {arg}: {reason}")
        }
        ErrorKind::UnknownArgument => format!("onbekende optie '{arg}'"),
        ErrorKind::InvalidSubcommand => format!("onbekende opdracht '{}'", text(ContextKind::InvalidSubcommand)),
        ErrorKind::MissingRequiredArgument => {
            let missing = list(ContextKind::InvalidArg);
            if missing.len() == 1 {
                format!("deze optie ontbreekt: {}", missing[0])
            } else {
                format!("deze opties ontbreken: {}", missing.join(", "))
            }
        }
        ErrorKind::MissingSubcommand => "kies wat er moet gebeuren (een opdracht)".to_string(),
        ErrorKind::ArgumentConflict => {
            let prior = text(ContextKind::PriorArg);
            if prior.is_empty() { format!("{arg} kan hier niet") } else { format!("{arg} gaat niet samen met {prior}") }
        }
        ErrorKind::TooManyValues => format!("te veel waarden: '{value}' voor {arg}"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => format!("verkeerd aantal waarden voor {arg}"),
        ErrorKind::NoEquals => format!("schrijf {arg}=WAARDE"),
        ErrorKind::InvalidUtf8 => "een waarde is geen geldige tekst (UTF-8)".to_string(),
        _ => "de opdracht klopt niet".to_string(),
    };
    let suggested = [ContextKind::SuggestedSubcommand, ContextKind::SuggestedArg, ContextKind::SuggestedValue]
        .into_iter()
        .flat_map(list)
        .collect::<Vec<_>>();
    if !suggested.is_empty() {
        line.push_str(&format!("; bedoelt u '{}'?", suggested.join("' of '")));
    }
    let usage = text(ContextKind::Usage).replace("Usage:", "Gebruik:").replace("[OPTIONS]", "[OPTIES]");
    let usage = usage.trim();
    let command = usage
        .strip_prefix("Gebruik:")
        .map(|u| u.split_whitespace().take_while(|w| !w.starts_with(['-', '<', '['])).collect::<Vec<_>>().join(" "))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "sidw".to_string());
    if usage.is_empty() {
        format!("sidw: {line}\n\nMeer hulp: {command} --help\n")
    } else {
        format!("sidw: {line}\n\n{usage}\n\nMeer hulp: {command} --help\n")
    }
}

/// The help text with clap's last English words (in the usage line) in Dutch.
fn dutch_help(help: &str) -> String {
    help.replace("[OPTIONS]", "[OPTIES]").replace("Usage:", "Gebruik:")
}

/// clap's own reasons from its value parsers, in Dutch; ours are Dutch already.
fn dutch_reason(reason: &str) -> String {
    if let Some((value, range)) = reason.split_once(" is not in ") {
        if let Some((low, high)) = range.split_once("..=") {
            return format!("{value} ligt niet tussen {low} en {high}");
        }
        return format!("{value} ligt buiten {range}");
    }
    if reason.starts_with("invalid digit") || reason.contains("invalid digit found") {
        return "dat is geen geheel getal".to_string();
    }
    if reason.contains("number too large") || reason.contains("number too small") {
        return "dat getal is te groot".to_string();
    }
    if reason.contains("cannot parse integer from empty string") {
        return "er staat geen getal".to_string();
    }
    reason.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_ranges_and_numbers_in_dutch() {
        assert_eq!(dutch_reason("2101 is not in 2000..=2100"), "2101 ligt niet tussen 2000 en 2100");
        assert_eq!(dutch_reason("invalid digit found in string"), "dat is geen geheel getal");
        assert_eq!(dutch_reason("'2025-Q5' is geen kwartaal"), "'2025-Q5' is geen kwartaal");
    }
}
